"""The recognition components alone (issue 4), shared by tests/nlp/test_{drugs,genes,variants,trial_ids,rules}.py.

The pipeline holds scispaCy's abbreviation detector and the four recognisers in their
production order, without the outcome components, so a recognition test fails only for a
recognition reason.
"""

from __future__ import annotations

from functools import cache

RECOGNITION_PIPELINE = ("abbreviation_detector", "atc_trial_ids", "atc_variants", "atc_drugs", "atc_genes")


@cache
def recognition_nlp():
    from atc_mine.nlp.pipeline import build_nlp
    from atc_mine.settings import Settings

    return build_nlp(Settings(pipeline=RECOGNITION_PIPELINE))


def mentions(text: str, label: str | None = None) -> list[tuple[str, str, str]]:
    """(label, surface, norm) of every entity recognised in ``text``, in order."""
    doc = recognition_nlp()(text)
    return [(lab, text[s:e], norm) for lab, s, e, norm in doc._.atc_entities if label is None or lab == label]
