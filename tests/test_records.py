"""Record helpers: time points as people read them."""

from __future__ import annotations

import pytest

from atc_mine.export.common import describe
from atc_mine.records import readable_timepoint
from tests.conftest import CORPORA


@pytest.mark.parametrize(
    ("timepoint", "readable"),
    [
        ("1 years", "1 year"),
        ("1 months", "1 month"),
        ("6 months", "6 months"),
        ("12 months", "12 months"),
        ("11 years", "11 years"),
        ("8 weeks", "8 weeks"),
    ],
)
def test_one_unit_is_singular_for_readers(timepoint, readable):
    assert readable_timepoint(timepoint) == readable


def test_a_real_one_year_landmark_reads_as_one_year(nlp):
    """Savvides 2013 (PMID 23113752): "1-year survival" is stored as "1 years", shown as "1 year"."""
    from atc_mine.nlp.pipeline import extract_documents
    from atc_mine.sources.text import read_text_document

    path = CORPORA / "abstracts" / "abstract_23113752_savvides2013_sorafenib_ATC_phase2.txt"
    (extraction,) = extract_documents(nlp, [read_text_document(path)])
    landmarks = [f for f in extraction.outcomes if f.measure == "OS_RATE" and f.timepoint == "1 years"]
    assert landmarks, "the abstract's 1-year survival"
    assert all(describe(f).endswith("at 1 year") for f in landmarks)
