"""The overlap view counts exactly what nervaluate 1.2.1 counts (SemEval-2013 task 9.1 schemes).

nervaluate reads ``end`` as inclusive and we store it exclusive, so spans are handed to it as
``end - 1``. The cases are hand-written (one small document with every kind of error) plus
generated documents from a fixed seed; both go through our re-implementation and through
nervaluate itself, and every count of every scheme must agree, overall and per label.
"""

from __future__ import annotations

import random

import pytest

from atc_mine.evaluate.entities import OVERLAP_KINDS, OVERLAP_SCHEMES, score_overlap
from atc_mine.evaluate.gold import GoldEntity
from atc_mine.records import ENTITY_LABELS, Entity

nervaluate = pytest.importorskip("nervaluate", reason="nervaluate is a dev dependency")

NERVALUATE_SCHEMES = {"strict": "strict", "exact": "exact", "partial": "partial", "ent_type": "ent_type"}


def e(label: str, start: int, end: int) -> Entity:
    return Entity(label, "x" * (end - start), start, end, "x")


def as_nervaluate(doc: list[Entity]) -> list[dict]:
    return [
        {"label": x.label, "start": x.start, "end": x.end - 1}
        for x in sorted(doc, key=lambda x: (x.start, x.end, x.label))
    ]


def theirs(golds: list[list[Entity]], preds: list[list[Entity]]) -> dict:
    evaluator = nervaluate.Evaluator(
        [as_nervaluate(d) for d in golds], [as_nervaluate(d) for d in preds], tags=list(ENTITY_LABELS), loader="dict"
    )
    return evaluator.evaluate()


def ours(golds: list[list[Entity]], preds: list[list[Entity]]) -> tuple[dict, dict]:
    overall = {s: dict.fromkeys(OVERLAP_KINDS, 0) for s in OVERLAP_SCHEMES}
    per_label = {label: {s: dict.fromkeys(OVERLAP_KINDS, 0) for s in OVERLAP_SCHEMES} for label in ENTITY_LABELS}
    for gold, pred in zip(golds, preds, strict=True):
        doc_overall, doc_labels = score_overlap([GoldEntity(g) for g in gold], pred)
        for scheme, counts in doc_overall.items():
            for kind in OVERLAP_KINDS:
                overall[scheme][kind] += getattr(counts, kind)
        for label, schemes in doc_labels.items():
            for scheme, counts in schemes.items():
                for kind in OVERLAP_KINDS:
                    per_label[label][scheme][kind] += getattr(counts, kind)
    return overall, per_label


def assert_same(golds, preds):
    reference = theirs(golds, preds)
    overall, per_label = ours(golds, preds)
    for scheme, name in NERVALUATE_SCHEMES.items():
        for kind in OVERLAP_KINDS:
            assert overall[scheme][kind] == getattr(reference["overall"][name], kind), (scheme, kind)
        for label, schemes in reference["entities"].items():
            for kind in OVERLAP_KINDS:
                assert per_label[label][scheme][kind] == getattr(schemes[name], kind), (label, scheme, kind)


def test_a_hand_written_document_with_every_kind_of_error():
    gold = [e("DRUG", 0, 9), e("GENE", 20, 24), e("VARIANT", 30, 40), e("NCT_ID", 50, 61), e("DRUG", 70, 80)]
    pred = [
        e("DRUG", 0, 9),  # correct everywhere
        e("DRUG", 20, 24),  # right span, wrong label
        e("VARIANT", 35, 40),  # right label, wrong boundary
        e("GENE", 52, 58),  # wrong label and wrong boundary
        e("GENE", 90, 95),  # spurious
    ]  # DRUG 70-80 is missed
    assert_same([gold], [pred])
    overall, _ = ours([gold], [pred])
    assert overall["strict"] == {"correct": 1, "incorrect": 3, "partial": 0, "missed": 1, "spurious": 1}
    assert overall["exact"] == {"correct": 2, "incorrect": 2, "partial": 0, "missed": 1, "spurious": 1}
    assert overall["partial"] == {"correct": 2, "incorrect": 0, "partial": 2, "missed": 1, "spurious": 1}
    assert overall["ent_type"] == {"correct": 2, "incorrect": 2, "partial": 0, "missed": 1, "spurious": 1}


def test_adjacent_spans_do_not_overlap():
    assert_same([[e("DRUG", 0, 5)]], [[e("DRUG", 5, 9)]])
    overall, _ = ours([[e("DRUG", 0, 5)]], [[e("DRUG", 5, 9)]])
    assert overall["partial"]["spurious"] == 1 and overall["partial"]["missed"] == 1


def random_document(rng: random.Random) -> tuple[list[Entity], list[Entity]]:
    gold: list[Entity] = []
    position = 0
    for _ in range(rng.randint(0, 6)):  # non-overlapping gold mentions, as the guidelines require
        position += rng.randint(0, 6)
        length = rng.randint(1, 8)
        gold.append(e(rng.choice(ENTITY_LABELS), position, position + length))
        position += length
    pred: list[Entity] = []
    for g in gold:
        roll = rng.random()
        if roll < 0.4:
            pred.append(g)
        elif roll < 0.55:
            pred.append(e(rng.choice(ENTITY_LABELS), g.start, g.end))
        elif roll < 0.8:
            start = max(0, g.start + rng.randint(-3, 3))
            pred.append(
                e(rng.choice([g.label, rng.choice(ENTITY_LABELS)]), start, max(start + 1, g.end + rng.randint(-3, 3)))
            )
    for _ in range(rng.randint(0, 2)):
        start = rng.randint(0, position + 5)
        pred.append(e(rng.choice(ENTITY_LABELS), start, start + rng.randint(1, 6)))
    return gold, pred


def test_generated_documents_agree_with_nervaluate():
    rng = random.Random(20261125)
    docs = [random_document(rng) for _ in range(300)]
    golds = [g for g, _ in docs]
    preds = [p for _, p in docs]
    assert any(golds) and any(preds)
    assert_same(golds, preds)
