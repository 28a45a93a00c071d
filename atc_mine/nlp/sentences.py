"""Sentence boundaries for abstracts: punctuation, line breaks and section headings.

spaCy's rule-based ``sentencizer`` splits on end punctuation only, so a structured
abstract's "RESULTS\\nForty-two patients were enrolled." becomes one sentence with its
heading. This component adds the boundaries that abstracts carry in their layout: a new
sentence starts after a line break, and after a missing-space join such as
"twice daily.Two of the 20", which PDF-to-text conversion leaves behind.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

#: Tokens that end a sentence (spaCy's Sentencizer default set, kept short here).
END_PUNCT = (".", "!", "?")


class AbstractSentencizer:
    def __init__(self) -> None:
        self._punct = Sentencizer(punct_chars=list(END_PUNCT))

    def __call__(self, doc: Doc) -> Doc:
        doc = self._punct(doc)
        for i, token in enumerate(doc[:-1]):
            following = doc[i + 1]
            if (
                token.is_space
                and "\n" in token.text
                or "\n" in token.whitespace_
                or token.text.endswith(":")
                and token.i > 0
                and doc[i - 1].is_space
            ):
                following.is_sent_start = True
        return doc


@Language.factory("atc_sentences", default_config={})
def make_abstract_sentencizer(nlp: Language, name: str) -> AbstractSentencizer:
    return AbstractSentencizer()
