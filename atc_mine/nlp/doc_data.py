"""Plain data that the atc-mine components write on a spaCy ``Doc``.

Entities are kept as character-offset tuples, not ``Span`` objects, because real text
puts entities inside tokens ("carboplatin/paclitaxel", "BRAFV600E-mutant") that no
tokenizer splits the way every reader wants; plain tuples also survive
``nlp.pipe(n_process=...)``.
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc

#: (label, start, end, norm) per entity, sorted by start.
ENTITIES = "atc_entities"
#: A list of outcome-figure dicts (the extraction contract's outcome shape).
OUTCOMES = "atc_outcomes"
#: Document-level context set before the pipeline runs (linked trials, title...).
CONTEXT = "atc_context"

for _name in (ENTITIES, OUTCOMES):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)
if not Doc.has_extension(CONTEXT):
    Doc.set_extension(CONTEXT, default=None)


def entities(doc: Doc) -> list[tuple[str, int, int, str]]:
    value = doc._.get(ENTITIES)
    if value is None:
        value = []
        doc._.set(ENTITIES, value)
    return value


def add_entities(doc: Doc, found: Iterable[tuple[str, int, int, str]]) -> None:
    """Add entities, dropping any that overlaps one already present (first pipe wins)."""
    current = entities(doc)
    for label, start, end, norm in found:
        if any(start < e and s < end for _, s, e, _ in current):
            continue
        current.append((label, start, end, norm))
    current.sort(key=lambda e: (e[1], e[2]))
