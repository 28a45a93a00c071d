"""Merging a study's figures into rows: the latest data cut shown, earlier cuts kept as history,
disagreeing figures of one cut flagged as conflicts, arms kept apart, times in months, exact CIs.

The two reports of one trial below are a hand-written fixture (marked as such): the corpus has
only the 2018 report of the dabrafenib + trametinib ATC cohort (Subbiah 2018); the "2023 update"
is invented for the test, with the same authors and regimen.
"""

from __future__ import annotations

import pytest

from atc_mine.evidence.redraw import redraw_studies
from atc_mine.records import Document, OutcomeFigure
from atc_mine.store.studies import study_conflicts, study_figures, study_rows
from tests.evidence.conftest import (
    CAPDEVILA,
    DIERKS,
    HA,
    LIM,
    NELFINAVIR,
    ROAR,
    SAVVIDES,
    SMALLRIDGE,
    SOSA,
    SUBBIAH,
    fig,
    put,
    read,
    with_metadata,
)

DT = ("dabrafenib", "trametinib")


def two_reports(store, *, update_year: int = 2023) -> tuple[Document, Document]:
    """Hand-written fixture, NOT real abstracts: a 2018 report and a later update of one trial."""
    authors = "Vivek Subbiah, Maria E. Cabanillas, Robert J. Kreitman"
    first = Document(
        doc_id="fixture_report_2018",
        source="text",
        title="Dabrafenib and trametinib in BRAF V600E-mutated anaplastic thyroid cancer",
        text=(
            "Dabrafenib and trametinib in BRAF V600E-mutated anaplastic thyroid cancer\n\n"
            "Sixteen patients were evaluable. An overall response was observed in 11 of 16 patients (69%). "
            "Median progression-free survival was 60 weeks."
        ),
        metadata={"year": 2018, "authors": authors, "linked_trials": ["NCT02034110"]},
    )
    update = Document(
        doc_id="fixture_update",
        source="text",
        title="Dabrafenib and trametinib in BRAF V600E-mutated anaplastic thyroid cancer: final analysis",
        text=(
            "Dabrafenib and trametinib in BRAF V600E-mutated anaplastic thyroid cancer: final analysis\n\n"
            "Thirty-six patients were evaluable. The overall response rate was 56% (20 of 36). "
            "Median overall survival was 14.5 months."
        ),
        metadata={"year": update_year, "authors": authors, "linked_trials": ["NCT02034110"]},
    )
    put(
        store,
        first,
        [
            fig(first, "N_EVALUABLE", "Sixteen patients were evaluable.", count=16, drugs=DT, cohort="ATC"),
            fig(
                first,
                "ORR",
                "An overall response was observed in 11 of 16 patients (69%).",
                count=11,
                denominator=16,
                percent=69,
                drugs=DT,
                cohort="ATC",
            ),
            fig(
                first,
                "PFS_MEDIAN",
                "Median progression-free survival was 60 weeks.",
                value=60,
                unit="weeks",
                drugs=DT,
                cohort="ATC",
            ),
        ],
    )
    put(
        store,
        update,
        [
            fig(update, "N_EVALUABLE", "Thirty-six patients were evaluable.", count=36, drugs=DT, cohort="ATC"),
            fig(
                update,
                "ORR",
                "The overall response rate was 56% (20 of 36).",
                count=20,
                denominator=36,
                percent=56,
                drugs=DT,
                cohort="ATC",
            ),
            fig(
                update,
                "OS_MEDIAN",
                "Median overall survival was 14.5 months.",
                value=14.5,
                unit="months",
                drugs=DT,
                cohort="ATC",
            ),
        ],
    )
    redraw_studies(store)
    return first, update


def only_row(store, **where):
    rows = [r for r in study_rows(store, atc_only=False) if all(r[k] == v for k, v in where.items())]
    assert len(rows) == 1, rows
    return rows[0]


def test_the_update_supersedes_the_earlier_cut_which_is_kept_as_history(store):
    two_reports(store)
    row = only_row(store, study_id="NCT02034110")
    assert (row["n_evaluable"], row["orr_percent"], row["orr_count"], row["data_cut"]) == (36, 56.0, 20, "2023")
    assert row["os_median_months"] == 14.5
    # A number only the earlier report states stays shown, converted: 60 weeks = 13.8 months.
    assert row["pfs_median_months"] == 13.8
    assert row["conflicts"] is None
    statuses = {(f["doc_id"], f["field"]): f["status"] for f in study_figures(store)}
    assert statuses[("fixture_report_2018", "orr_percent")] == "history"
    assert statuses[("fixture_report_2018", "n_evaluable")] == "history"
    assert statuses[("fixture_update", "orr_percent")] == "shown"
    assert statuses[("fixture_report_2018", "pfs_median_months")] == "shown"
    assert row["sources"].index("fixture_report_2018") < row["sources"].index("fixture_update")
    assert row["orr_basis"] == "20/36 (ORR count)" and (row["orr_ci_low"], row["orr_ci_high"]) == (38.1, 72.1)


def test_disagreeing_figures_of_the_same_cut_are_a_conflict(store):
    two_reports(store, update_year=2018)  # the same cut: neither supersedes the other
    row = only_row(store, study_id="NCT02034110")
    assert row["conflicts"] and "n_evaluable: " in row["conflicts"] and "orr_percent: " in row["conflicts"]
    conflicts = {c["field"]: c for c in study_conflicts(store)}
    assert {c["number"] for c in conflicts["orr_percent"]["candidates"]} == {69.0, 56.0}
    assert conflicts["orr_percent"]["chosen"] in (69.0, 56.0)
    assert any(f["status"] == "conflict" for f in study_figures(store))


def test_restated_figures_agree_within_tolerance_and_are_no_conflict(store):
    capdevila = read(CAPDEVILA)
    put(
        store,
        capdevila,
        [
            fig(
                capdevila,
                "ORR",
                "The overall response rate was 19%",
                percent=19.0,
                drugs=("spartalizumab",),
                cohort="ATC",
            ),
            # Hand-written restatement (not in the abstract): 8/42 printed with a decimal.
            fig(
                capdevila,
                "ORR",
                "including three patients with a complete response",
                percent=19.05,
                drugs=("spartalizumab",),
                cohort="ATC",
            ),
            fig(
                capdevila,
                "N_ENROLLED",
                "Forty-two patients were enrolled.",
                count=42,
                drugs=("spartalizumab",),
                cohort="ATC",
            ),
            fig(
                capdevila,
                "CR",
                "including three patients with a complete response",
                count=3,
                drugs=("spartalizumab",),
                cohort="ATC",
            ),
            fig(capdevila, "PR", "and five with a partial response", count=5, drugs=("spartalizumab",), cohort="ATC"),
        ],
    )
    redraw_studies(store)
    row = only_row(store, cohort="ATC")
    assert row["conflicts"] is None and row["orr_percent"] == 19.0
    assert [f["status"] for f in study_figures(store) if f["field"] == "orr_percent"].count("agrees") == 1
    assert row["orr_basis"] == "8/42 (ORR % of n)" and (row["orr_ci_low"], row["orr_ci_high"]) == (8.6, 34.1)
    assert row["therapy_class"] == "immuno" and row["targets"] == "PDCD1"


def test_arms_with_their_own_regimens_are_kept_apart_not_a_conflict(store):
    sosa = with_metadata(read(SOSA), linked_trials=["NCT00507429"])
    cp, cpf = ("carboplatin", "paclitaxel"), ("carboplatin", "fosbretabulin", "paclitaxel")
    put(
        store,
        sosa,
        [
            fig(sosa, "N_ENROLLED", "Eighty patients were assigned", count=80, drugs=cpf, cohort="ATC"),
            fig(sosa, "OS_MEDIAN", "Median OS was 5.2 months", value=5.2, unit="months", drugs=cpf, cohort="ATC"),
            fig(
                sosa,
                "OS_MEDIAN",
                "4.0 months [95% CI 2.8, 6.2] for the CP arm",
                value=4.0,
                unit="months",
                drugs=cp,
                cohort="ATC",
            ),
        ],
    )
    redraw_studies(store)
    row = only_row(store, study_id="NCT00507429")
    assert row["conflicts"] is None and row["os_median_months"] is None and row["n"] == 80
    arms = {f["arm"]: f["number"] for f in study_figures(store) if f["field"] == "os_median_months"}
    assert arms == {"carboplatin + fosbretabulin + paclitaxel": 5.2, "carboplatin + paclitaxel": 4.0}
    assert "[carboplatin + paclitaxel]: 4" in row["other_figures"]
    assert row["therapy_class"] == "combination"


def test_subgroups_by_dose_level_are_arms_and_days_become_months(store):
    doc = read(SMALLRIDGE)
    sentence = "corresponding median survival was 98 vs 138 days"
    put(
        store,
        doc,
        [
            fig(
                doc,
                "OS_MEDIAN",
                sentence,
                value=98,
                unit="days",
                drugs=("efatutazone", "paclitaxel"),
                subgroup="efatutazone 0.15 mg",
            ),
            fig(
                doc,
                "OS_MEDIAN",
                sentence,
                value=138,
                unit="days",
                drugs=("efatutazone", "paclitaxel"),
                subgroup="efatutazone 0.3 mg",
            ),
        ],
    )
    redraw_studies(store)
    row = only_row(store, cohort="ATC")  # no cohort on the figures: the title names ATC alone
    assert row["os_median_months"] is None
    arms = {f["arm"]: f["number"] for f in study_figures(store)}
    assert arms == {"efatutazone 0.15 mg": 3.22, "efatutazone 0.3 mg": 4.53}
    assert row["regimen"] == "efatutazone + paclitaxel" and row["therapy_class"] == "combination"


ARMS = "Seven patients received 0.15 mg of efatutazone, 6 patients received 0.3 mg, and 2 patients received 0.5 mg."
DOSES = ("efatutazone 0.15 mg", "efatutazone 0.3 mg", "efatutazone 0.5 mg")
EP = ("efatutazone", "paclitaxel")


def test_arms_one_sentence_enumerates_add_up_to_the_study_size(store):
    """Smallridge 2013 states no total apart from "Ten of 15 patients were women": the dose
    arms it lists in one sentence give n = 15, and the note says how."""
    doc = read(SMALLRIDGE)
    arms = [fig(doc, "N_ENROLLED", ARMS, count=k, drugs=EP, subgroup=d) for k, d in zip((7, 6, 2), DOSES, strict=True)]
    put(store, doc, arms)
    redraw_studies(store)
    row = only_row(store, cohort="ATC")
    assert row["n"] == 15
    assert "n: sum of the arms' sizes (7 + 6 + 2)" in row["notes"]


def test_arm_sizes_from_different_sentences_are_not_added(store):
    """A size restated in another sentence may be a subset or the same arm again: no sum."""
    doc = read(SMALLRIDGE)
    other = "One patient receiving 0.3 mg of efatutazone had a partial response from day 69 to day 175"
    put(
        store,
        doc,
        [
            fig(doc, "N_ENROLLED", ARMS, count=7, drugs=EP, subgroup=DOSES[0]),
            fig(doc, "N_ENROLLED", other, count=1, drugs=EP, subgroup=DOSES[1]),
        ],
    )
    redraw_studies(store)
    assert only_row(store, cohort="ATC")["n"] is None


def test_timed_response_counts_fill_the_cells_when_no_untimed_ones_exist(store):
    ha = read(HA)
    sentence = "The overall response rates at 8 weeks were complete response 0/8, partial response 2/8, and stable disease 4/8."
    put(
        store,
        ha,
        [
            fig(ha, "N_ENROLLED", "11 patients were enrolled", count=11, drugs=("imatinib",)),
            fig(
                ha,
                "N_EVALUABLE",
                "Eight of 11 were evaluable for response",
                count=8,
                denominator=11,
                drugs=("imatinib",),
            ),
            fig(ha, "CR", sentence, count=0, denominator=8, timepoint="8 weeks", drugs=("imatinib",)),
            fig(ha, "PR", sentence, count=2, denominator=8, timepoint="8 weeks", drugs=("imatinib",)),
            fig(ha, "SD", sentence, count=4, denominator=8, timepoint="8 weeks", drugs=("imatinib",)),
            fig(
                ha,
                "PFS_RATE",
                "The rate of 6-month progression-free survival was 36%",
                percent=36,
                timepoint="6 months",
                drugs=("imatinib",),
            ),
        ],
    )
    redraw_studies(store)
    row = only_row(store, cohort="ATC")
    assert (row["n"], row["n_evaluable"], row["cr"], row["pr"], row["sd"]) == (11, 8, 0, 2, 4)
    assert "cr at 8 weeks" in row["notes"] and "pfs rate % at 6 months: 36" in row["other_figures"]
    assert row["orr_percent"] is None and row["orr_basis"] == "2/8 (CR + PR)"


def test_orr_from_response_categories_that_account_for_everyone(store):
    dierks = read(DIERKS)
    lp = ("lenvatinib", "pembrolizumab")
    sentence = "Best overall response (BOR) within ATCs was 66% complete remissions (4/6 CR), 16% stable disease (1/6 SD), and 16% progressive disease (1/6 PD)."
    put(
        store,
        dierks,
        [
            fig(dierks, "N_ENROLLED", "we analyzed six patients with metastatic ATC", count=6, drugs=lp, cohort="ATC"),
            fig(dierks, "CR", sentence, count=4, denominator=6, percent=66, drugs=lp, cohort="ATC"),
            fig(dierks, "SD", sentence, count=1, denominator=6, percent=16, drugs=lp, cohort="ATC"),
            fig(dierks, "PD", sentence, count=1, denominator=6, percent=16, drugs=lp, cohort="ATC"),
            fig(
                dierks,
                "PR",
                "BOR within PDTCs was partial remission (PR 2/2).",
                count=2,
                denominator=2,
                drugs=lp,
                cohort="PDTC",
            ),
            fig(dierks, "PFS_MEDIAN", "16.5 months for ATCs", value=16.5, unit="months", drugs=lp, cohort="ATC"),
            fig(
                dierks,
                "PFS_MEDIAN",
                "The median progression-free survival was 17.75 months for all patients",
                value=17.75,
                unit="months",
                drugs=lp,
                cohort="all",
            ),
        ],
    )
    redraw_studies(store)
    atc = only_row(store, cohort="ATC")
    assert atc["in_atc_table"] and atc["pfs_median_months"] == 16.5 and atc["pr"] is None
    assert atc["orr_basis"] == "4/6 (CR + PR (PR 0: categories account for all 6))"
    # The PDTC and all-patient rows exist but are not in the ATC table.
    assert not only_row(store, cohort="PDTC")["in_atc_table"] and not only_row(store, cohort="all")["in_atc_table"]


def test_not_reached_median_is_a_note_not_a_number(store):
    doc = read(SUBBIAH)
    put(store, doc, [fig(doc, "OS_MEDIAN", "Sixteen patients", not_reached=True, drugs=DT, cohort="ATC")])
    redraw_studies(store)
    row = only_row(store, cohort="ATC")
    assert row["os_median_months"] is None and "os_median: not reached" in row["notes"]


def test_a_study_of_all_histologies_with_no_atc_figures_gets_an_atc_row_that_says_so(store):
    lim = read(LIM)
    put(
        store,
        lim,
        [
            fig(
                lim,
                "N_ENROLLED",
                "Thirty-eight of 40 enrolled patients were evaluable for efficacy.",
                count=40,
                drugs=("everolimus",),
                cohort="thyroid cancer",
            ),
            fig(
                lim,
                "PFS_MEDIAN",
                "Median PFS was 47 weeks",
                value=47,
                unit="weeks",
                drugs=("everolimus",),
                cohort="thyroid cancer",
            ),
            fig(
                lim,
                "SD",
                "in three (30%) and four (44%) patients with medullary thyroid cancer",
                count=3,
                drugs=("everolimus",),
                cohort="MTC",
            ),
        ],
    )
    redraw_studies(store)
    mixed = only_row(store, cohort="thyroid cancer")
    assert mixed["in_atc_table"] and mixed["pfs_median_months"] == 10.81 and mixed["n"] == 40
    assert not only_row(store, cohort="MTC")["in_atc_table"]
    # Only MTC figures: the study is still listed for ATC, with a note.
    store.conn.execute("DELETE FROM outcomes WHERE cohort = 'thyroid cancer'")
    redraw_studies(store)
    (row,) = study_rows(store)
    assert row["cohort"] == "ATC" and row["n"] is None
    assert row["notes"] == "no ATC figures in the sources (figures for: MTC)"


def test_unrelated_citations_give_no_atc_rows(store, medline_documents):
    documents = medline_documents[:120]
    for document in documents:
        words = document.text.split()
        figures = [OutcomeFigure("N_ENROLLED", document.text[:30], 0, 30, count=len(words))] if len(words) > 40 else []
        put(store, document, figures)
    savvides = read(SAVVIDES)
    put(store, savvides, [fig(savvides, "N_ENROLLED", "Twenty patients", count=20, drugs=("sorafenib",))])
    report = redraw_studies(store)
    assert report.counts["studies"] > 50
    assert [r["study_id"] for r in study_rows(store)] == ["NCT00126568"]


@pytest.mark.parametrize("force, redrawn", [(False, False), (True, True)])
def test_redraw_is_skipped_when_nothing_changed_unless_forced(store, force, redrawn):
    savvides = read(SAVVIDES)
    put(store, savvides, [fig(savvides, "N_ENROLLED", "Twenty patients", count=20, drugs=("sorafenib",))])
    assert redraw_studies(store, force=False).redrawn
    assert redraw_studies(store, force=force).redrawn is redrawn
    put(store, read(CAPDEVILA))
    assert redraw_studies(store, force=False).redrawn


def posted(measure: str, group: str, **values) -> OutcomeFigure:
    """A registry posted-result figure as ``atc_mine.sources.ctgov_results`` writes one (cohort = group title)."""
    sentence = f"{measure} [ClinicalTrials.gov posted result] {group}"
    return OutcomeFigure(measure=measure, sentence=sentence, start=0, end=0, cohort=group, **values)


def test_registry_results_groups_of_an_atc_trial_are_arms_of_its_atc_row(store):
    sosa = with_metadata(read(SOSA), linked_trials=["NCT00507429"])
    cpf, cp = ("carboplatin", "fosbretabulin", "paclitaxel"), ("carboplatin", "paclitaxel")
    put(store, sosa, [fig(sosa, "N_ENROLLED", "Eighty patients were assigned", count=80, drugs=cpf, cohort="ATC")])
    # Hand-made registry record with posted results for FACT (the corpus has only a page excerpt).
    registry = Document(
        doc_id="NCT00507429",
        source="ctgov",
        title="Study of Combretastatin and Paclitaxel/Carboplatin in the Treatment of Anaplastic Thyroid Cancer",
        text="Study of Combretastatin and Paclitaxel/Carboplatin in the Treatment of Anaplastic Thyroid Cancer",
        metadata={"nct_id": "NCT00507429", "has_results": True, "results_first_post_date": "2014-06-09"},
    )
    put(
        store,
        registry,
        [
            posted(
                "OS_MEDIAN", "CA4P + Carboplatin + Paclitaxel", value=5.2, unit="months", drugs=cpf, trial="NCT00507429"
            ),
            posted("OS_MEDIAN", "Carboplatin + Paclitaxel", value=4.0, unit="months", drugs=cp, trial="NCT00507429"),
        ],
    )
    redraw_studies(store)
    (row,) = study_rows(store)
    assert row["study_id"] == "NCT00507429" and row["cohort"] == "ATC" and row["n"] == 80
    arms = {f["arm"]: f["number"] for f in study_figures(store) if f["field"] == "os_median_months"}
    assert arms == {"CA4P + Carboplatin + Paclitaxel": 5.2, "Carboplatin + Paclitaxel": 4.0}
    assert "NCT00507429 registry (2014-06-09)" in row["sources"]


def test_registry_results_of_a_basket_give_the_atc_group_its_row(store):
    roar = read(ROAR)  # real record (no results in this 2015 copy); the posted figures are hand-made
    put(
        store,
        roar,
        [
            posted(
                "ORR",
                "Anaplastic Thyroid Cancer",
                percent=56.0,
                count=20,
                denominator=36,
                drugs=DT,
                trial="NCT02034110",
            ),
            posted("ORR", "Biliary Tract Cancer", percent=51.0, drugs=DT, trial="NCT02034110"),
        ],
        ncts=["NCT02034110"],
    )
    redraw_studies(store)
    atc = only_row(store, cohort="ATC")
    assert atc["in_atc_table"] and atc["orr_percent"] == 56.0 and atc["orr_basis"] == "20/36 (ORR count)"
    assert not only_row(store, cohort="Biliary Tract Cancer")["in_atc_table"]


def test_a_real_registry_record_of_another_disease_stays_out_of_the_atc_table(store):
    nelfinavir = read(NELFINAVIR)  # real legacy XML with posted results (adenoid cystic carcinoma)
    put(store, nelfinavir, nelfinavir.posted_outcomes)
    redraw_studies(store)
    assert study_rows(store) == []
    rows = study_rows(store, atc_only=False)
    assert rows and {r["study_id"] for r in rows} == {"NCT01065844"} and rows[0]["sd"] == 7
