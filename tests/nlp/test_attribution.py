"""atc_mine/nlp/attribution.py: each figure's regimen, trial, cohort and subgroup (GUIDELINES 5).

Texts are the corpus abstracts (corpora/abstracts, named by first author) and the seed review
(gold/review), read whole, because attribution is a document-level decision (the title's
regimen, an abbreviation defined in the Methods, the study a review paragraph introduced).
Tests whose text is hand-written say so.
"""

from __future__ import annotations

import json

import pytest

from atc_mine.nlp import doc_data
from atc_mine.nlp.attribution import regimen_abbreviations
from atc_mine.nlp.sentences import split_sentences
from tests.conftest import CORPORA, GOLD, text_of


def corpus(name: str) -> tuple[str, list[str]]:
    """The text of a corpus abstract and its sidecar's linked trials."""
    text_path = next((CORPORA / "abstracts").glob(f"*{name}*.txt"))
    meta = json.loads(text_path.with_suffix(".meta.json").read_text(encoding="utf-8"))
    return text_of(text_path), meta.get("linked_trials") or []


def run(nlp, text: str, linked: list[str] | tuple[str, ...] = ()) -> list[dict]:
    """The pipeline on ``text`` with a document context, as extraction runs it."""
    doc = nlp.make_doc(text)
    doc._.set(doc_data.CONTEXT, {"linked_trials": list(linked)})
    for _name, component in nlp.pipeline:
        doc = component(doc)
    return doc._.get(doc_data.OUTCOMES)


def pick(figures: list[dict], measure: str, **numbers) -> dict:
    hits = [f for f in figures if f["measure"] == measure and all(f[k] == v for k, v in numbers.items())]
    assert len(hits) == 1, (measure, numbers, hits)
    return hits[0]


def who(figure: dict) -> tuple:
    return tuple(figure["drugs"]), figure["trial"], figure["cohort"], figure["subgroup"]


@pytest.fixture(scope="module")
def review(nlp) -> list[dict]:
    return run(nlp, text_of(next((GOLD / "review").glob("*.txt"))))


# -- regimens ---------------------------------------------------------------------------------------
def test_arms_of_a_randomised_trial_take_their_own_regimens(nlp):
    # Sosa 2014: "... carboplatin AUC 6 on day 1 every 3 weeks (CP), or these drugs were given on
    # day 2 after fosbretabulin 60 mg/m 2 (CP/fosbretabulin)"; then "Median OS was 5.2 months
    # [95% CI 3.1, 9.0] for the CP/fosbretabulin arm (n=55 ...) and 4.0 months [95% CI 2.8, 6.2]
    # for the CP arm (n=25 ...)"
    text, linked = corpus("sosa2014")
    figures = run(nlp, text, linked)
    arm = ("carboplatin", "fosbretabulin", "paclitaxel")
    control = ("carboplatin", "paclitaxel")
    assert who(pick(figures, "OS_MEDIAN", value=5.2)) == (arm, "NCT00507429", "ATC", "CP/fosbretabulin arm")
    assert who(pick(figures, "OS_MEDIAN", value=4.0)) == (control, "NCT00507429", "ATC", "CP arm")
    assert who(pick(figures, "N_ENROLLED", count=25))[0] == control
    # "One-year survival for CP/fosbretabulin versus CP was 26% versus 9%, respectively."
    assert pick(figures, "OS_RATE", percent=26.0)["drugs"] == list(arm)
    assert pick(figures, "OS_RATE", percent=9.0)["drugs"] == list(control)
    # the whole trial: both arms
    assert pick(figures, "N_ENROLLED", count=80)["drugs"] == list(arm)


def test_a_regimen_abbreviation_is_read_from_the_initials_of_the_drugs_before_it(nlp):
    # Sosa 2014, Methods sentence
    text = (
        "Patients were randomly assigned in a 2:1 ratio to 6 cycles of paclitaxel 200 mg/m2 followed by "
        "carboplatin AUC 6 on day 1 every 3 weeks (CP), or these drugs were given on day 2 after fosbretabulin."
    )
    drugs = [(s, e, norm) for label, s, e, norm in doc_data.entities(nlp(text)) if label == "DRUG"]
    assert regimen_abbreviations(text, drugs, split_sentences(text), ()) == {"CP": ("carboplatin", "paclitaxel")}
    # a bracketed abbreviation whose letters are not the drugs' initials stands for no regimen
    assert regimen_abbreviations("Carboplatin and paclitaxel (AUC) were given.", drugs[:0], [(0, 44, None)], ()) == {}


def test_the_regimen_is_the_dosed_study_drugs_not_every_drug_named(nlp):
    # Smallridge 2013: efatutazone with paclitaxel; "Seven patients received 0.15 mg of efatutazone, 6
    # patients received 0.3 mg, and 2 patients received 0.5 mg." (dose levels are subgroups, GUIDELINES 5.3)
    text, linked = corpus("smallridge2013")
    figures = run(nlp, text, linked)
    regimen = ("efatutazone", "paclitaxel")
    assert who(pick(figures, "N_ENROLLED", count=7)) == (regimen, None, "ATC", "efatutazone 0.15 mg")
    assert who(pick(figures, "N_ENROLLED", count=6)) == (regimen, None, "ATC", "efatutazone 0.3 mg")
    assert who(pick(figures, "N_ENROLLED", count=2)) == (regimen, None, "ATC", "efatutazone 0.5 mg")
    # "One patient receiving 0.3 mg of efatutazone had a partial response"
    assert pick(figures, "PR", count=1)["subgroup"] == "efatutazone 0.3 mg"


def test_a_cohort_given_another_regimen_keeps_it(nlp):
    # Hyman 2015 (basket): "... including 27 patients with colorectal cancer who received vemurafenib and
    # cetuximab"; the other cohorts received vemurafenib alone
    text, linked = corpus("hyman2015")
    figures = run(nlp, text, linked)
    assert who(pick(figures, "N_ENROLLED", count=27))[:3] == (("cetuximab", "vemurafenib"), None, "colorectal cancer")
    assert who(pick(figures, "ORR", percent=42.0))[:3] == (("vemurafenib",), None, "NSCLC")
    assert who(pick(figures, "ORR", percent=43.0))[:3] == (("vemurafenib",), None, "ECD/LCH")


def test_drugs_given_before_the_study_are_not_its_regimen(nlp):
    # hand-written, after the phrasing of Iyer 2018 ("Twelve patients were treated with combination
    # kinase inhibitors plus pembrolizumab") and Cabanillas-style salvage cohorts
    text = (
        "Pembrolizumab for anaplastic thyroid cancer\n\n"
        "Results: Of 10 patients who had previously progressed on lenvatinib, 2 (20%) had a partial response "
        "to pembrolizumab 200 mg."
    )
    figure = pick(run(nlp, text), "PR", count=2)
    assert figure["drugs"] == ["pembrolizumab"]


#: Hand-written texts in the phrasings of held-out abstracts (named in each comment), with the
#: drugs (and, where it matters, the subgroup) each figure must take: (measure, numbers, drugs, subgroup).
ANY = object()
DRUG_CASES = [
    # randomised trials: "compared with" before an arm's name compares the figures; it does not make
    # the arm's drugs earlier treatment ... while a cue of earlier treatment before a group still counts
    (
        "Fulvestrant with or without sapanisertib\n\n"
        "Results: Median PFS was 3.5 months in the fulvestrant arm, compared with 7.2 months for fulvestrant "
        "plus sapanisertib. The ORR was 30% with fulvestrant plus sapanisertib, compared with 10% with fulvestrant "
        "alone.",
        [
            ("PFS_MEDIAN", {"value": 7.2}, ["fulvestrant", "sapanisertib"], ANY),
            ("ORR", {"percent": 10.0}, ["fulvestrant"], ANY),
        ],
    ),
    (
        "Selpercatinib in RET-mutant MTC\n\n"
        "Results: In 88 patients with RET-mutant medullary thyroid cancer who had not previously received "
        "vandetanib or cabozantinib, the percentage who had a response was 73%.",
        [("N_ENROLLED", {"count": 88}, ["selpercatinib"], ANY)],
    ),
    # nivolumab vs docetaxel (NEJM): values listed "respectively" after the drugs compared, in order
    (
        "Nivolumab versus docetaxel\n\n"
        "Results: Progression-free survival did not favor nivolumab over docetaxel (median, 2.3 months and 4.2 "
        "months, respectively).",
        [("PFS_MEDIAN", {"value": 2.3}, ["nivolumab"], ANY), ("PFS_MEDIAN", {"value": 4.2}, ["docetaxel"], ANY)],
    ),
    # donafenib vs placebo: bracketed pairs whose comparator is named after them
    (
        "Donafenib in RAIR-DTC\n\n"
        "Results: Improved ORR (23.3% vs. 1.7%; P = 0.0002) and DCR (93.3% vs. 79.3%; P = 0.0044) were observed in "
        "the donafenib group over placebo.",
        [("ORR", {"percent": 23.3}, ["donafenib"], ANY), ("DCR", {"percent": 79.3}, [], "placebo")],
    ),
    # lenvatinib in Chinese RR-DTC: each arm's median inside the bracket after its name
    (
        "Lenvatinib in Chinese RR-DTC\n\n"
        "Results: Progression-free survival was significantly longer with lenvatinib treatment [n = 103; median "
        "23.9 months; 95% confidence interval (CI), 12.9-not estimable] than placebo [n = 48; median 3.7 months; "
        "95% CI, 1.9-5.6].",
        [
            ("PFS_MEDIAN", {"value": 23.9}, ["lenvatinib"], ANY),
            ("PFS_MEDIAN", {"value": 3.7}, [], "placebo"),
            ("N_ENROLLED", {"count": 103}, ["lenvatinib"], ANY),
            ("N_ENROLLED", {"count": 48}, [], "placebo"),
        ],
    ),
    # anlotinib in MTC: a median moved from the control's value to the treatment's
    (
        "Anlotinib in medullary thyroid cancer\n\n"
        "Results: Anlotinib significantly prolonged the median progression-free survival (PFS) from 11.1 months to "
        "20.7 months compared with placebo.",
        [("PFS_MEDIAN", {"value": 11.1}, [], "placebo"), ("PFS_MEDIAN", {"value": 20.7}, ["anlotinib"], ANY)],
    ),
    # everolimus after VEGF therapy (renal): a list of earlier treatments runs past the look-back window
    (
        "Everolimus after VEGF-targeted therapy\n\n"
        "Results: Enrolled patients (N = 134) previously received sunitinib (n = 58), other anti-VEGF therapy "
        "(n = 62; sorafenib, 23; bevacizumab, 16; pazopanib, 13) or both, and were treated with everolimus 10 mg daily. "
        "The ORR with everolimus was 8%.",
        [("N_ENROLLED", {"count": 134}, ["everolimus"], ANY), ("ORR", {"percent": 8.0}, ["everolimus"], ANY)],
    ),
    # trametinib vs chemotherapy (METRIC): each arm's landmark rates at each time point; the arm named
    # without drugs is the regimen less the other arm's
    (
        "Trametinib in melanoma\n\n"
        "Results: Landmark OS rates for trametinib versus chemotherapy arms at 1 year, 2 years and 5 years were "
        "60.9% versus 49.6%, 32.0% versus 29.4% and 13.3% versus 17.0%, respectively.",
        [
            ("OS_RATE", {"percent": 60.9, "timepoint": "1 years"}, ["trametinib"], "trametinib arm"),
            ("OS_RATE", {"percent": 29.4, "timepoint": "2 years"}, [], "chemotherapy arm"),
            ("OS_RATE", {"percent": 17.0, "timepoint": "5 years"}, [], "chemotherapy arm"),
        ],
    ),
    # a retrospective ATC series: three labelled groups in one sentence, one with no drug
    (
        "Lenvatinib, paclitaxel or best supportive care for stage IVC ATC\n\n"
        "Results: Of 30 patients, eight patients were treated with weekly paclitaxel (PTX group), 8 refused "
        "treatment (BSC group), and 14 were treated with lenvatinib (LT group). "
        "The median overall survival was 4.3 months for the LT group, 2.3 for the PTX group, and 2.0 for the "
        "BSC group.",
        [
            ("N_ENROLLED", {"count": 14}, ["lenvatinib"], ANY),
            ("OS_MEDIAN", {"value": 4.3}, ["lenvatinib"], ANY),
            ("OS_MEDIAN", {"value": 2.3}, ["paclitaxel"], ANY),
            ("OS_MEDIAN", {"value": 2.0}, [], ANY),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), DRUG_CASES)
def test_each_figure_takes_its_own_arms_drugs_hand_written(nlp, text, expected):
    figures = run(nlp, text)
    for measure, numbers, drugs, subgroup in expected:
        figure = pick(figures, measure, **numbers)
        assert figure["drugs"] == drugs, (measure, numbers)
        assert subgroup is ANY or figure["subgroup"] == subgroup, (measure, numbers)


def test_a_comparators_list_is_not_earlier_treatment_and_a_range_is_no_change_hand_written(nlp):
    # the arm a regimen is "compared with" is no earlier treatment: its list does not go prior
    text = (
        "Fosbretabulin in ATC\n\n"
        "Results: Eighty patients were randomized to fosbretabulin, paclitaxel and carboplatin compared with the "
        "doublet treatment of paclitaxel and carboplatin; 55 were assigned to the triplet. "
        "The ORR was 20% in patients previously treated with sorafenib. The median OS from 3 to 12 months was studied."
    )
    figures = run(nlp, text)
    assert set(pick(figures, "N_ENROLLED", count=80)["drugs"]) >= {"carboplatin", "fosbretabulin"}
    assert "sorafenib" not in pick(figures, "ORR", percent=20.0)["drugs"]
    assert [f for f in figures if f["measure"] == "OS_MEDIAN"] == []  # "from ... to" without a verb of change: a range


# -- trials -----------------------------------------------------------------------------------------
def test_the_trial_is_the_sidecar_link_when_the_text_names_none(nlp):
    # Savvides 2013 prints no NCT ID; its sidecar links NCT00126568 (GUIDELINES 5.2)
    text, linked = corpus("savvides2013")
    assert linked == ["NCT00126568"]
    assert {f["trial"] for f in run(nlp, text, linked)} == {"NCT00126568"}
    assert {f["trial"] for f in run(nlp, text)} == {None}


def test_an_nct_id_in_the_text_wins_over_the_sidecar(review):
    # review: "The current NCT02657369 trial was terminated because there was only one PR (3%) among the 33 ..."
    assert pick(review, "PR", percent=3.0)["trial"] == "NCT02657369"


# -- cohorts ----------------------------------------------------------------------------------------
def test_each_population_of_a_sentence_keeps_its_own_figures(nlp, review):
    # Dierks 2021: "we analyzed six patients with metastatic ATC and two patients with PDTC"
    text, linked = corpus("dierks2021")
    figures = run(nlp, text, linked)
    assert pick(figures, "N_ENROLLED", count=6)["cohort"] == "ATC"
    assert pick(figures, "N_ENROLLED", count=2)["cohort"] == "PDTC"
    # "The median progression-free survival was 17.75 months for all patients, and 16.5 months for ATCs"
    assert pick(figures, "PFS_MEDIAN", value=17.75)["cohort"] == "all"
    assert pick(figures, "PFS_MEDIAN", value=16.5)["cohort"] == "ATC"
    # review: "A total of 20 patients were recruited in this study, of whom 8 had MTC and 10 had ATC."
    # then "Two of the MTC patients had a partial response (PR) (25%), but none of the ATC patients had
    # a PR; 4 (40%) of the ATC patients had stable disease"
    assert pick(review, "N_ENROLLED", count=8, trial="NCT02114658")["cohort"] == "MTC"
    assert pick(review, "N_ENROLLED", count=10, trial="NCT02114658")["cohort"] == "ATC"
    assert pick(review, "PR", count=2, percent=25.0, trial="NCT02114658")["cohort"] == "MTC"
    assert pick(review, "SD", count=4, percent=40.0, trial="NCT02114658")["cohort"] == "ATC"


def test_a_molecular_selection_narrows_the_cohort(nlp):
    # Subbiah 2018: "Sixteen patients with BRAF V600E-mutated anaplastic thyroid cancer were evaluable"
    text, linked = corpus("subbiah2018")
    assert pick(run(nlp, text, linked), "N_EVALUABLE", count=16)["cohort"] == "BRAF V600E-mutant ATC"
    # Falchook 2015: "Fourteen patients with BRAFV600E-mutant thyroid carcinoma were enrolled"
    text, linked = corpus("falchook2015")
    assert {f["cohort"] for f in run(nlp, text, linked)} == {"BRAF V600E-mutant thyroid cancer"}


def test_biomarker_subsets_are_subgroups_of_the_study_cohort(nlp):
    # Capdevila 2020: "... the ORR was 29% in PD-L1-positive (8/28; 29%) versus PD-L1-negative (0/12; 0%)
    # patients"; "... patients with PD-L1 >= 50% (6/17; 35%)"
    text, linked = corpus("capdevila2020")
    figures = run(nlp, text, linked)
    assert who(pick(figures, "ORR", count=8)) == (("spartalizumab",), None, "ATC", "PD-L1-positive")
    assert pick(figures, "ORR", denominator=12)["subgroup"] == "PD-L1-negative"
    assert pick(figures, "ORR", count=6)["subgroup"] == "PD-L1 >= 50%"
    assert pick(figures, "ORR", percent=19.0)["subgroup"] is None


# -- reviews ----------------------------------------------------------------------------------------
def test_a_review_attributes_each_study_to_its_own_regimen_and_trial(review):
    # each paragraph of the review is cut at sentences that introduce a study
    assert who(pick(review, "DCR", percent=35.0))[:3] == (("sorafenib",), "NCT00126568", "ATC")
    assert who(pick(review, "N_ENROLLED", count=11))[:3] == (("imatinib",), None, "ATC")
    assert who(pick(review, "N_ENROLLED", count=15))[:3] == (("efatutazone", "paclitaxel"), None, "ATC")
    assert who(pick(review, "ORR", count=11))[:3] == (
        ("dabrafenib", "trametinib"),
        "NCT02034110",
        "BRAF V600-mutant ATC",
    )
    # "In one case report (62), two patients with ATC received anti-PD-1 drug treatment": a drug class, no regimen
    assert pick(review, "N_ENROLLED", count=2, drugs=[])["cohort"] == "ATC"


def test_a_subgroup_that_is_the_clause_subject_qualifies_its_figures(nlp):
    # held-out: news report of Cabanillas et al. (atezolizumab-based cohorts in ATC, NCT03181100)
    text = (
        "Atezolizumab combinations in anaplastic thyroid cancer\n\n"
        "Specifically, cohort 1 (n = 19) achieved a median OS of 43.24 months (95% CI, 16-NE) and a median PFS "
        "of 13.93 months (95% CI, 6.6-64.13). Cohort 2 (n = 21) had a median OS of 8.74 months (95% CI, "
        "5.13-36.96) and a median PFS of 4.8 months (95% CI, 1.84-14.69)."
    )
    figures = run(nlp, text)
    assert pick(figures, "OS_MEDIAN", value=43.24)["subgroup"] == "cohort 1"
    assert pick(figures, "PFS_MEDIAN", value=13.93)["subgroup"] == "cohort 1"
    assert pick(figures, "PFS_MEDIAN", value=4.8)["subgroup"] == "cohort 2"
    # hand-written counter-example: two cohorts before the value name no single subject
    text = "Atezolizumab in anaplastic thyroid cancer\n\nCohort 1 and cohort 2 had a median OS of 8.7 months."
    assert pick(run(nlp, text), "OS_MEDIAN", value=8.7)["subgroup"] is None


def test_a_title_naming_two_populations_makes_a_multi_cohort_study(nlp):
    # held-out third batch: news on the final ATLEP data (ESMO 2022), NCT02973997, abridged
    text = (
        "Favorable Efficacy, Safety of Lenvatinib Plus Pembrolizumab Reported in Metastasized Anaplastic and "
        "Poorly Differentiated Thyroid Carcinoma\n\n"
        "According to final data from the phase 2 ATLEP trial (NCT02973997), the combination of lenvatinib and "
        "pembrolizumab was found to induce high response rates. "
        "The combination elicited an objective response rate (ORR) of 34.3% after 3 months in evaluable patients. "
        "In the 27 patients with ATC, the ORR achieved with lenvatinib plus pembrolizumab was 51.9% (n = 14). "
        "In this group, the clinical benefit rate (CBR) with the regimen was 100%. "
        "Among the 8 patients with PDTC, the doublet induced an ORR of 75% (n = 6)."
    )
    figures = run(nlp, text)
    # "8 patients with PDTC" is one of the title's cohorts, not a narrowing of the study to PDTC; a
    # figure of the whole study is of all patients of a multi-cohort study (GUIDELINES 5.3: "ATC + PDTC")
    assert pick(figures, "ORR", percent=34.3)["cohort"] == "all"
    assert pick(figures, "ORR", percent=51.9)["cohort"] == "ATC"
    # "In this group": the population of the sentence before
    assert pick(figures, "CBR", percent=100.0)["cohort"] == "ATC"
    assert pick(figures, "ORR", percent=75.0)["cohort"] == "PDTC"
    assert {f["trial"] for f in figures} == {"NCT02973997"}


def test_arms_against_placebo_share_the_backbone(nlp):
    # held-out dev abstract ho_sherman2020_pazopanib (NRG-RTOG 0912, ESMO 2020), abridged: a table's header row
    text = (
        "Randomized phase II study of radiation therapy and paclitaxel with pazopanib or placebo: NRG-RTOG 0912\n\n"
        "Results\nPatients received weekly paclitaxel (80 mg/m2) and daily pazopanib 400 mg.\n"
        "Pazopanib (n=36) | Placebo (n=35) | |\n"
    )
    figures = run(nlp, text)
    assert pick(figures, "N_ENROLLED", count=36)["drugs"] == ["paclitaxel", "pazopanib"]
    assert pick(figures, "N_ENROLLED", count=35)["drugs"] == ["paclitaxel"]
    # held-out dev abstract ho_brose2014_sorafenib, abridged: no backbone, the placebo arm has no drug
    text = (
        "Sorafenib in differentiated thyroid cancer: a randomized, double-blind, phase 3 trial\n\n"
        "A total of 417 patients were randomized to sorafenib (n=207) or placebo (n=210)."
    )
    figures = run(nlp, text)
    assert pick(figures, "N_ENROLLED", count=207)["drugs"] == ["sorafenib"]
    assert pick(figures, "N_ENROLLED", count=210)["drugs"] == []
    # held-out: ALTER01031 post hoc analysis (anlotinib, MTC), abridged: a placebo arm in a sentence
    # naming no drug is never given the study's regimen
    text = (
        "ALTER01031 evaluated the efficacy and safety of anlotinib in metastatic MTC. "
        "Patients with bone metastases experienced rapid disease progression as the median PFS was "
        "7.0 months in the placebo group."
    )
    figures = run(nlp, text)
    assert pick(figures, "PFS_MEDIAN", value=7.0)["drugs"] == []


def test_a_total_of_a_study_of_several_histologies_is_all_patients(nlp):
    # held-out dev abstract ho_ito2017_sorafenib, abridged: a study designed around MTC and ATC
    text = (
        "Sorafenib in Japanese Patients with Locally Advanced or Metastatic Medullary Thyroid Carcinoma and "
        "Anaplastic Thyroid Carcinoma\n\n"
        "Results: A total of 20 patients were screened, and 18 (8 with MTC and 10 with ATC) were enrolled. "
        "In the ATC patients, median PFS was 2.8 months [confidence interval 0.7-5.6]. "
        "In the MTC population, neither median PFS nor OS had been reached at the time of this analysis; "
        "ORR was 25% and DCR was 75%."
    )
    figures = run(nlp, text)
    assert pick(figures, "N_ENROLLED", count=18)["cohort"] == "all"
    assert pick(figures, "N_ENROLLED", count=8)["cohort"] == "MTC"
    assert pick(figures, "PFS_MEDIAN", value=2.8)["cohort"] == "ATC"


def test_histologies_beside_the_titles_population_are_its_make_up(nlp):
    # hand-written in the shape of single-arm RAI-refractory DTC series: the total's breakdown into
    # papillary and follicular does not widen the study's population to DTC
    text = (
        "Sorafenib in metastatic radioactive iodine-refractory differentiated thyroid cancer\n\n"
        "A total of 10 patients (8 with papillary and 2 with follicular thyroid cancer) were recruited in this study. "
        "The objective response rate was 30%."
    )
    figures = run(nlp, text)
    assert pick(figures, "N_ENROLLED", count=10)["cohort"] == "RR-DTC"
    assert pick(figures, "ORR", percent=30.0)["cohort"] == "RR-DTC"


def test_a_drug_that_defines_a_population_by_earlier_treatment_is_not_the_regimen(nlp):
    # apatinib real-world study (Eur Thyroid J 2022; extra reading), abridged
    text = (
        "Apatinib in progressive radioiodine-refractory differentiated thyroid carcinoma\n\n"
        "Results: And, in patients with first-line sorafenib-resistant RR-DTC (salvage treatment group, n = 14), "
        "a median PFS of 12.0 months was reached, with an ORR of 45.5%."
    )
    figures = run(nlp, text)
    assert pick(figures, "ORR", percent=45.5)["drugs"] != ["sorafenib"]
    assert pick(figures, "N_ENROLLED", count=14)["cohort"] == "RR-DTC"


def test_a_mixed_histology_study_with_pooled_figures_is_thyroid_cancer(nlp):
    # hand-written in the shape of pooled single-cohort trials (GUIDELINES 5.3: "thyroid cancer" is mixed
    # histologies; "all" is for a study whose cohorts have figures of their own)
    text = (
        "Cabozantinib in differentiated and medullary thyroid cancer\n\n"
        "Results: Forty patients were enrolled (30 with DTC and 10 with MTC). "
        "The objective response rate was 25%."
    )
    figures = run(nlp, text)
    assert pick(figures, "ORR", percent=25.0)["cohort"] == "thyroid cancer"
    assert pick(figures, "N_ENROLLED", count=40)["cohort"] == "thyroid cancer"


def test_a_group_the_text_labels_takes_the_drugs_it_received(nlp):
    # held-out dev abstract ho_iwasaki2019_lenvatinib, abridged
    text = (
        "Lenvatinib vs. palliative therapy for stage IVC anaplastic thyroid cancer\n\n"
        "A total of 32 patients with stage IVC ATC were included in the present study, of whom 16 patients were "
        "treated with lenvatinib (L group). The remaining 16 patients received palliative therapy (P group), of whom "
        "7 were treated with weekly paclitaxel. "
        "The median overall survival time of the L and P groups was 4.2 and 2.0 months, respectively."
    )
    figures = run(nlp, text)
    assert pick(figures, "OS_MEDIAN", value=4.2)["drugs"] == ["lenvatinib"]
    assert pick(figures, "OS_MEDIAN", value=2.0)["drugs"] == ["paclitaxel"]


# -- held-out dev2 (batch 6): texts quoted from the pages named in each test ---------------------------
ATEZO_NEWS = (  # MedPath news on Cabanillas et al., JAMA Oncol 2024 (NCT03181100), quoted
    "Atezolizumab Plus Matched Targeted Therapy Improves OS in Anaplastic Thyroid Cancer\n\n"
    "The study (NCT03181100) explored the efficacy of atezolizumab (Tecentriq) combined with either vemurafenib "
    "(Zelboraf) plus cobimetinib (Cotellic) or bevacizumab (Avastin), depending on the tumor's genetic profile.\n"
    "The trial enrolled 43 patients, with 42 being evaluable, and divided them into three cohorts based on their "
    "tumor mutations. Cohort 1 included patients with mutated BRAF V600E tumors who received vemurafenib/cobimetinib "
    "plus atezolizumab. Cohort 2 comprised patients with mutated RAS or NF1/2 tumors treated with cobimetinib plus "
    "atezolizumab. Cohort 3 consisted of patients without any of these variants, who received bevacizumab plus "
    "atezolizumab.\nSurvival Outcomes\nAcross all three cohorts, the median overall survival (OS) was 18.23 months "
    "(95% CI, 7.79-43.24), with a median follow-up time of 18.97 months (95% CI, 0.43-72.11). Specifically, cohort 1 "
    "(n = 19) achieved a median OS of 43.24 months (95% CI, 16-NE) and a median progression-free survival (PFS) of "
    "13.93 months (95% CI, 6.60-64.13). Cohort 3 (n = 3) showed a median OS of 6.21 months (95% CI, 4.1-NE) and a "
    "median PFS of 1.3 months (95% CI, 1.3-NE).\n"
)


def test_numbered_cohorts_defined_by_population_and_treatment(nlp):
    figures = run(nlp, ATEZO_NEWS)
    union = ("atezolizumab", "bevacizumab", "cobimetinib", "vemurafenib")
    assert who(pick(figures, "N_ENROLLED", count=43))[:3] == (union, "NCT03181100", "ATC")
    assert who(pick(figures, "OS_MEDIAN", value=18.23))[:3] == (union, "NCT03181100", "ATC")
    cohort_1 = ("atezolizumab", "cobimetinib", "vemurafenib")
    assert who(pick(figures, "OS_MEDIAN", value=43.24)) == (
        cohort_1,
        "NCT03181100",
        "BRAF V600E-mutant ATC",
        "cohort 1",
    )
    # "without any of these variants, who received bevacizumab": the verb says it was received
    assert who(pick(figures, "PFS_MEDIAN", value=1.3))[:3] == (("atezolizumab", "bevacizumab"), "NCT03181100", "ATC")


def test_a_subgroups_molecular_selection_is_not_the_studys(nlp):
    # PubMed 29161986 (Iyer 2018, Thyroid), quoted: the BRAF V600E group is the dabrafenib + trametinib one
    text = (
        "Real-World Experience with Targeted Therapy for the Treatment of Anaplastic Thyroid Carcinoma\n\n"
        "Methods: This is a retrospective review from April 2015 to May 2016 at a single academic institution where "
        "16 ATC patients receiving targeted therapy outside of a clinical trial were studied. Ten patients (eight BRAF "
        "wild type and two BRAFV600E mutant tumors) were started on lenvatinib, and six with BRAFV600E-mutated tumors "
        "received a combination of dabrafenib plus trametinib.\n"
        "Results: Median OS was 6.3 months [confidence interval 1.8-7.6] for the entire cohort, 3.9 months for "
        "lenvatinib, and 9.3 months for dabrafenib plus trametinib.\n"
    )
    figures = run(nlp, text)
    everyone = ("dabrafenib", "lenvatinib", "trametinib")
    assert who(pick(figures, "N_ENROLLED", count=16))[:3] == (everyone, None, "ATC")
    assert who(pick(figures, "OS_MEDIAN", value=6.3))[:3] == (everyone, None, "ATC")
    assert who(pick(figures, "OS_MEDIAN", value=3.9))[:3] == (("lenvatinib",), None, "ATC")
    assert who(pick(figures, "OS_MEDIAN", value=9.3))[:3] == (
        ("dabrafenib", "trametinib"),
        None,
        "BRAF V600E-mutant ATC",
    )


def test_the_studys_own_nct_id_in_its_background_and_a_generic_title_narrowed(nlp):
    # Cancer 2023 (KEYNOTE-158 thyroid cohort), yonsei.pure.elsevier.com, quoted
    text = (
        "Efficacy and safety of pembrolizumab monotherapy in patients with advanced thyroid cancer in the phase 2 "
        "KEYNOTE-158 study\n\nBackground: The authors report results from the thyroid carcinoma cohort of the "
        "multicohort phase 2 KEYNOTE-158 study (NCT02628067), which evaluated pembrolizumab monotherapy in patients "
        "with previously treated cancers. Methods: Eligible patients had histologically and/or cytologically confirmed "
        "papillary or follicular thyroid carcinoma, failure of or intolerance to prior therapy, and measurable disease "
        "per Response Evaluation Criteria in Solid Tumors (RECIST) v1.1. Results: A total of 103 patients were enrolled "
        "and received pembrolizumab.\n"
    )
    figure = pick(run(nlp, text), "N_ENROLLED", count=103)
    assert who(figure)[:3] == (("pembrolizumab",), "NCT02628067", "DTC")


def test_a_background_nct_id_of_another_study_is_not_the_studys(nlp):
    # hand-written negative beside the test above: the background names an earlier trial
    text = (
        "Pembrolizumab in advanced thyroid cancer\n\nBackground: An earlier trial (NCT02628067) evaluated "
        "pembrolizumab monotherapy. Results: A total of 30 patients were enrolled and received pembrolizumab.\n"
    )
    assert pick(run(nlp, text), "N_ENROLLED", count=30)["trial"] is None


def test_refractoriness_narrows_dtc_and_a_later_line_drug_is_prior(nlp):
    # cancertherapyadvisor.com news on Cabanillas 2017 (NCT01811212) and ESA 2019 abstract 63033, quoted
    text = (
        "Cabozantinib Effective as Salvage Therapy in Thyroid Cancer\n\n"
        "Patients with radioiodine (RAI)-refractory differentiated thyroid cancer (DTC) may experience significant "
        "clinical benefit if treated with cabozantinib in the salvage setting.\n\n"
        "The researchers for this phase 2 study (ClinicalTrials.gov Identifier: NCT01811212) administered oral "
        "cabozantinib 60 mg once daily to 25 eligible patients with DTC.\n"
    )
    assert who(pick(run(nlp, text), "N_ENROLLED", count=25))[:3] == (("cabozantinib",), "NCT01811212", "RR-DTC")
    text = (
        "Real-world efficacy of lenvatinib in radioactive iodine-refractory differentiated thyroid carcinoma\n\n"
        "Methods: A multicenter cohort study was conducted in 43 patients receiving lenvatinib, as 1st-line or "
        "2nd-line after sorafenib, for RAI-refractory DTC.\n"
    )
    assert who(pick(run(nlp, text), "N_ENROLLED", count=43))[:3] == (("lenvatinib",), None, "RR-DTC")


def test_mixed_histologies_keep_the_generic_population(nlp):
    # In Vivo 39(5):2854 (Kyushu lenvatinib series), quoted: PTC, FTC and ATC are not one population
    text = (
        "Real-world lenvatinib therapy for differentiated and anaplastic thyroid carcinoma\n\n"
        "Patients and Methods: A retrospective analysis was conducted in 48 patients with thyroid carcinoma treated "
        "with lenvatinib at Kyushu University Hospital between April 2015 and October 2024. Results: The histologic "
        "types were papillary thyroid carcinoma in 26 patients, follicular thyroid carcinoma in seven patients, and "
        "ATC in 15 patients. The median progression-free survival was 30 months for papillary thyroid carcinoma, "
        "18 months for follicular thyroid carcinoma, and 4 months for ATC.\n"
    )
    figures = run(nlp, text)
    assert pick(figures, "N_ENROLLED", count=48)["cohort"] == "thyroid cancer"
    assert pick(figures, "PFS_MEDIAN", value=4.0)["cohort"] == "ATC"


def test_a_subset_named_with_including_does_not_narrow_the_study_hand_written(nlp):
    # hand-written (a common phrasing): a thyroid cancer study naming its ATC patients as a subset
    text = (
        "Sorafenib plus everolimus in advanced thyroid cancer\n\n"
        "Methods: Patients received sorafenib 400 mg twice daily plus everolimus 5 mg daily. Results: Thirty-eight "
        "patients were treated, including 10 with anaplastic thyroid cancer. Among all patients, the partial response "
        "rate was 32%. Among patients with ATC, one partial response was observed and median OS was 4.3 months.\n"
    )
    figures = run(nlp, text)
    assert pick(figures, "N_ENROLLED", count=38)["cohort"] == "thyroid cancer"
    assert pick(figures, "PR", percent=32.0)["cohort"] == "thyroid cancer"
    assert pick(figures, "N_ENROLLED", count=10)["cohort"] == "ATC"
    assert pick(figures, "OS_MEDIAN", value=4.3)["cohort"] == "ATC"


def test_arms_labelled_with_letters_take_their_own_drugs_hand_written(nlp):
    # hand-written (a common randomised-trial phrasing): "(arm A)" / "(arm B)" labels and "in arm A"
    text = (
        "Dabrafenib with or without trametinib in BRAF-mutated thyroid cancer\n\n"
        "Methods: Patients were randomly assigned to dabrafenib alone (arm A) or dabrafenib plus trametinib (arm B). "
        "Results: Fifty-three patients were enrolled (arm A, n = 26; arm B, n = 27). The ORR was 42% in arm A and "
        "48% in arm B.\n"
    )
    figures = run(nlp, text)
    assert pick(figures, "N_ENROLLED", count=53)["drugs"] == ["dabrafenib", "trametinib"]
    assert pick(figures, "ORR", percent=42.0)["drugs"] == ["dabrafenib"]
    assert pick(figures, "ORR", percent=48.0)["drugs"] == ["dabrafenib", "trametinib"]


def test_a_group_without_a_procedure_is_not_a_comparator_without_the_drug(nlp):
    # In Vivo 39(5):2854 (Kyushu lenvatinib series), quoted; then a hand-written negative beside it
    text = (
        "Real-world lenvatinib therapy for differentiated and anaplastic thyroid carcinoma\n\n"
        "Results: The median progression-free survival for patients with DTC who received RAI therapy was 19 months, "
        "whereas that for patients with DTC without RAI therapy was 46 months.\n"
    )
    assert pick(run(nlp, text), "PFS_MEDIAN", value=46.0)["drugs"] == ["lenvatinib"]
    text = (
        "Lenvatinib in anaplastic thyroid carcinoma\n\n"
        "Results: The median overall survival was 10.4 months for patients treated with lenvatinib and 3.3 months "
        "for patients without lenvatinib treatment.\n"
    )
    assert pick(run(nlp, text), "OS_MEDIAN", value=3.3)["drugs"] == []


def test_histologies_with_only_pooled_figures_are_one_thyroid_cancer_cohort(nlp):
    """Carr 2010 (sunitinib, PMID 20847059; title and two sentences): WDTC and MTC patients with
    one pooled response count are a mixed cohort, "thyroid cancer" (GUIDELINES 5.3), not "all";
    each histology's group size keeps its own cohort."""
    text = (
        "Phase II study of daily sunitinib in FDG-PET-positive, iodine-refractory differentiated thyroid cancer "
        "and metastatic medullary carcinoma of the thyroid with functional imaging correlation\n\n"
        "Results: Thirty-five patients were enrolled (7 MTC, 28 WDTC), and 33 patients were evaluable for "
        "disease response. There were 1 complete response (3%), 10 partial responses (28%), and 16 patients "
        "(46%) with stable disease."
    )
    figures = run(nlp, text)
    assert pick(figures, "N_ENROLLED", count=35)["cohort"] == "thyroid cancer"
    assert pick(figures, "PR", count=10)["cohort"] == "thyroid cancer"
    assert pick(figures, "N_ENROLLED", count=7)["cohort"] == "MTC"
