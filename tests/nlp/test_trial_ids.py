"""Trial registry identifiers: NCT IDs in brackets and at sentence ends; other registries apart."""

from __future__ import annotations

import pytest

from atc_mine.nlp.trial_ids import find_trial_ids
from tests.nlp.recognition import mentions


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # Real review sentences: in brackets, at a sentence end, several in one sentence.
        (
            "Currently, a phase II clinical trial of sapanisertib (MLN0128) for the treatment of metastatic ATC is enrolling patients (NCT02244463) and is expected to be completed",
            [("NCT02244463", "NCT02244463")],
        ),
        (
            "in patients with locally advanced or metastatic BRAF V600 mutant ATC (NCT02034110) (41).",
            [("NCT02034110", "NCT02034110")],
        ),
        ("ClinicalTrials.gov identifier: NCT01164176.", [("NCT01164176", "NCT01164176")]),
        # Spacing and hyphen variants of real text, normalised.
        ("registered as NCT 02034110.", [("NCT 02034110", "NCT02034110")]),
        ("trial NCT-01164176, phase II", [("NCT-01164176", "NCT01164176")]),
        ("(NCT00126568; NCT00507429)", [("NCT00126568", "NCT00126568"), ("NCT00507429", "NCT00507429")]),
    ],
)
def test_nct_ids(sentence: str, expected: list[tuple[str, str]]) -> None:
    assert [(s, n) for _, s, n in mentions(sentence, "NCT_ID")] == expected


@pytest.mark.parametrize("text", ["NCT0012656", "NCT001265689", "ANCT00126568", "phone 0012656899"])
def test_not_nct_ids(text: str) -> None:
    assert [t for t in find_trial_ids(text) if t[0] == "NCT_ID"] == []


def test_other_registries_are_kept_apart() -> None:
    text = "Registered at EudraCT 2012-001046-32 and ChiCTR2000031295 and ISRCTN 12345678 (NCT02657369)."
    found = [(label, norm) for label, _, _, norm in find_trial_ids(text)]
    assert found == [
        ("TRIAL_ID", "EudraCT 2012-001046-32"),
        ("TRIAL_ID", "ChiCTR2000031295"),
        ("TRIAL_ID", "ISRCTN12345678"),
        ("NCT_ID", "NCT02657369"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Real registration lines (pages cited); CTRI/KCT/DRKS formats from the registries' documentation.
        # https://www.researchsquare.com/article/rs-34822/v1
        (
            "Trial registration: Chinese Clinical Trial Registry, No. ChiCTR1900022991, registered 6 May 2019",
            [("TRIAL_ID", "ChiCTR1900022991")],
        ),
        # https://www.researchsquare.com/article/rs-1331233/v1
        ("(registration number: jRCTs071180046)", [("TRIAL_ID", "jRCTs071180046")]),
        # https://isrctn.com/ISRCTNISRCTN11061442
        (
            "ISRCTN | ISRCTN11061442 |\nEudraCT/CTIS number | 2021-003330-36 |",
            [("TRIAL_ID", "ISRCTN11061442"), ("TRIAL_ID", "EudraCT 2021-003330-36")],
        ),
        (
            "registered with the Clinical Trials Registry-India (CTRI/2018/05/014163)",
            [("TRIAL_ID", "CTRI/2018/05/014163")],
        ),
        ("Clinical Research Information Service, KCT0003040", [("TRIAL_ID", "KCT0003040")]),
        ("German Clinical Trials Register DRKS00012345", [("TRIAL_ID", "DRKS00012345")]),
    ],
)
def test_registries_beyond_clinicaltrials_gov(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(label, norm) for label, _s, _e, norm in find_trial_ids(text)] == expected
