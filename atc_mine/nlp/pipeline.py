"""The atc-mine spaCy pipeline, assembled by name from registered components.

``build_nlp(settings)`` starts from ``spacy.blank("en")`` with scispaCy's tokenizer
(its rules keep "BRAFV600E-mutant" and "1.7–12.9" whole) and adds the components named
in ``settings.pipeline``; every atc component is a ``@Language.factory`` in its own
module. ``extract_document`` turns one :class:`~atc_mine.records.Document` into one
:class:`~atc_mine.records.Extraction` (a line of the extraction contract).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language

# Importing the component modules registers their factories with spaCy.
from atc_mine.nlp import doc_data, drugs, genes, outcomes, sentences, trial_ids, variants  # noqa: F401,E402
from atc_mine.records import Document, Entity, Extraction, OutcomeFigure
from atc_mine.settings import Settings

#: Bump when extraction output can change for the same input: stored results are redone.
EXTRACTOR_VERSION = "0.3.0"


def build_nlp(settings: Settings | None = None) -> Language:
    settings = settings or Settings()
    with warnings.catch_warnings():
        # scispaCy's tokenizer rules trigger a harmless regex FutureWarning on compile.
        warnings.simplefilter("ignore", FutureWarning)
        from scispacy.abbreviation import AbbreviationDetector  # noqa: F401  (registers the factory)
        from scispacy.custom_tokenizer import combined_rule_tokenizer

        nlp = spacy.blank("en")
        nlp.tokenizer = combined_rule_tokenizer(nlp)
    for name in settings.pipeline:
        nlp.add_pipe(name)
    return nlp


def doc_context(document: Document) -> dict:
    """The document-level context a pipeline reads from ``doc._.atc_context``."""
    return {"linked_trials": list(document.linked_trials), "title": document.title, "source": document.source}


def extraction_from_doc(document: Document, doc) -> Extraction:
    ents = tuple(
        Entity(label=label, text=document.text[start:end], start=start, end=end, norm=norm)
        for label, start, end, norm in doc._.get(doc_data.ENTITIES) or ()
    )
    figures = tuple(OutcomeFigure.from_json(f) for f in doc._.get(doc_data.OUTCOMES) or ())
    return Extraction(
        doc_id=document.doc_id,
        source=document.source,
        text_sha1=document.text_sha1,
        entities=ents,
        outcomes=figures + tuple(document.posted_outcomes),
    )


def extract_documents(nlp: Language, documents: Iterable[Document], *, batch_size: int = 64) -> Iterator[Extraction]:
    """Extractions for documents, in order. Deleted documents yield empty extractions.

    Runs the fast path (:mod:`atc_mine.nlp.fast`: the same components on the text alone,
    tokenising only where the abbreviation detector's result matters) when ``nlp`` holds only
    components it knows, else :func:`plain_extract_documents`; both give the same extractions.
    """
    from atc_mine.nlp.fast import fast_pipeline

    runner = fast_pipeline(nlp)
    if runner is not None:
        yield from runner.pipe(documents)
        return
    yield from plain_extract_documents(nlp, documents, batch_size=batch_size)


def plain_extract_documents(
    nlp: Language, documents: Iterable[Document], *, batch_size: int = 64
) -> Iterator[Extraction]:
    """Extractions through ``nlp.pipe``: every document tokenised, every component on a spaCy Doc."""

    def with_context() -> Iterator[tuple[str, Document]]:
        for document in documents:
            yield document.text, document

    for doc, document in nlp.pipe(_with_doc_context(nlp, with_context()), as_tuples=True, batch_size=batch_size):
        yield extraction_from_doc(document, doc)


def _with_doc_context(nlp: Language, items: Iterator[tuple[str, Document]]) -> Iterator[tuple[object, Document]]:
    for text, document in items:
        doc = nlp.make_doc(text)
        doc._.set(doc_data.CONTEXT, doc_context(document))
        yield doc, document


def extract_document(nlp: Language, document: Document) -> Extraction:
    return next(extract_documents(nlp, [document]))
