"""atc_mine/nlp/sentences.py: sentence boundaries and section labels of abstracts and reviews.

Texts are real (corpus abstracts, the seed review, registry page excerpts) unless a test says
it is hand-written; held-out phrasings name the abstract they come from."""

from __future__ import annotations

import json

import pytest

from atc_mine.errors import PatternFileError
from atc_mine.nlp import sentences
from atc_mine.nlp.rules import load_records
from atc_mine.nlp.sentences import DOC_TEXT, SENTENCE_SPANS, sentence_rules, split_sentences
from tests.conftest import CORPORA, GOLD, text_of


def texts(text: str) -> list[str]:
    return [text[s:e] for s, e, _section in split_sentences(text)]


def sections(text: str) -> list[tuple[str, str | None]]:
    return [(text[s:e], section) for s, e, section in split_sentences(text)]


def _gold_sentences() -> list[tuple[str, str, int, int]]:
    cases = []
    for path in sorted(GOLD.glob("*/*.gold.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not data.get("text_file"):
            continue
        for figure in data.get("outcomes", []):
            cases.append((data["text_file"], figure["sentence"], figure["start"], figure["end"]))
    return cases


def test_every_gold_figure_sentence_is_one_of_ours():
    """GUIDELINES 5.4 draws the sentence of every gold figure; the splitter must draw the same."""
    by_file: dict[str, set[tuple[int, int]]] = {}
    missing = []
    cases = _gold_sentences()
    assert len(cases) > 150
    for text_file, sentence, start, end in cases:
        if text_file not in by_file:
            text = text_of(GOLD.parent / text_file)
            by_file[text_file] = {(s, e) for s, e, _x in split_sentences(text)}
        if (start, end) not in by_file[text_file]:
            missing.append((text_file, sentence[:60]))
    assert missing == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Savvides 2013 (corpus): a full stop glued to the next sentence by the source
        (
            "Twenty patients with ATC were treated with sorafenib 400 mg twice daily.Two of the 20 patients had a partial response (10%).",
            [
                "Twenty patients with ATC were treated with sorafenib 400 mg twice daily.",
                "Two of the 20 patients had a partial response (10%).",
            ],
        ),
        # Chang 2022 (held-out, PMC9729886): "vs." and a decimal inside one sentence
        (
            "Patients treated with dabrafenib and trametinib had longer OS (median OS: 10.4 months vs. 3.3 months, P=0.05). The objective response rate was 81.8%.",
            [
                "Patients treated with dabrafenib and trametinib had longer OS (median OS: 10.4 months vs. 3.3 months, P=0.05).",
                "The objective response rate was 81.8%.",
            ],
        ),
        # Iwasaki 2018 (held-out, Oncol Lett): a full stop inside brackets does not end the sentence
        (
            "A total of 23 patients with ATC who were treated at Kanagawa Cancer Center (Yokohama, Kanagawa. Japan) were enrolled. Surgical treatment was possible in 10 patients.",
            [
                "A total of 23 patients with ATC who were treated at Kanagawa Cancer Center (Yokohama, Kanagawa. Japan) were enrolled.",
                "Surgical treatment was possible in 10 patients.",
            ],
        ),
        # Wirth 2021 (held-out, JCO PDF): a stray full stop that a PDF left for ">"
        (
            "More than half of the evaluable patients experienced tumor shrinkage; three patients experienced a . 30% tumor reduction.",
            [
                "More than half of the evaluable patients experienced tumor shrinkage; three patients experienced a . 30% tumor reduction."
            ],
        ),
        # the review: "et al." and a reference in brackets
        (
            "Kolllipara et al. (60) described the abnormal reactions of BRAF-positive patients.",
            ["Kolllipara et al. (60) described the abnormal reactions of BRAF-positive patients."],
        ),
        # semicolons never end a sentence (GUIDELINES 5.4); "95% CI" and decimals neither
        (
            "The median PFS was 2.6 months (95% CI, 1.4 to 2.8); the median overall survival was 3.2 months.",
            ["The median PFS was 2.6 months (95% CI, 1.4 to 2.8); the median overall survival was 3.2 months."],
        ),
    ],
)
def test_punctuation_boundaries(text, expected):
    assert texts(text) == expected


def test_structured_labels_are_not_part_of_the_sentence_and_set_its_section():
    # Ha 2010 (corpus): labels glued to the text ("imatinib.Methods:Patients")
    text = (
        "A Phase II Study of Imatinib.\n\nBackground:Currently, there is no standard treatment."
        " We hypothesize that patients will respond to imatinib.Methods:Patients with ATC were eligible."
        " The study was terminated early due to poor accrual.Results:From February 2004 to May 2007, 11 patients were enrolled."
    )
    assert sections(text) == [
        ("A Phase II Study of Imatinib.", "title"),
        ("Currently, there is no standard treatment.", "background"),
        ("We hypothesize that patients will respond to imatinib.", "background"),
        ("Patients with ATC were eligible.", "methods"),
        ("The study was terminated early due to poor accrual.", "methods"),
        ("From February 2004 to May 2007, 11 patients were enrolled.", "results"),
    ]


def test_run_in_labels_and_label_lines():
    # Iyer 2018 (corpus) runs labels into the text; Tahara 2017 (corpus) puts them on lines of their own
    text = (
        "Title line\n\nAbstract Background Anaplastic thyroid carcinoma is rare. Results Twelve patients were treated."
    )
    assert sections(text)[1:] == [
        ("Anaplastic thyroid carcinoma is rare.", "background"),
        ("Twelve patients were treated.", "results"),
    ]
    text = "Lenvatinib for ATC\n\nResults\n\nAt data cutoff, 17 patients with ATC were enrolled.\n\nConclusion\n\nIn this study, lenvatinib demonstrated manageable toxicitie"
    assert sections(text)[1:] == [
        ("At data cutoff, 17 patients with ATC were enrolled.", "results"),
        ("In this study, lenvatinib demonstrated manageable toxicitie", "conclusions"),
    ]


def test_labels_glued_to_the_next_word_and_a_background_label_after_the_results():
    # held-out dev abstract ho_schlumberger2017_cabozantinib: a page rendering glued labels to the text
    text = (
        "EXAM overall survival\n\nBackgroundPrimary analysis demonstrated improvement. Patients and methodsEXAM compared"
        " cabozantinib with placebo in 330 patients. ResultsMinimum follow-up was 42months."
    )
    assert sections(text)[1:] == [
        ("Primary analysis demonstrated improvement.", "background"),
        ("EXAM compared cabozantinib with placebo in 330 patients.", "methods"),
        ("Minimum follow-up was 42months.", "results"),
    ]
    # a full stop after a bracket or a number, glued to a label glued to the next word (hand-written,
    # in the layout of a held-out journal page: "(PD-L1).MethodsPatients", "version 1.1.ResultsTwenty")
    text = (
        "Pembrolizumab\n\nBackgroundPatients expressed programmed death ligand 1 (PD-L1).MethodsPatients were"
        " assessed per RECIST version 1.1.ResultsTwenty patients were enrolled (n = 20).ConclusionsResults"
        " support further study."
    )
    assert sections(text)[1:] == [
        ("Patients expressed programmed death ligand 1 (PD-L1).", "background"),
        ("Patients were assessed per RECIST version 1.1.", "methods"),
        ("Twenty patients were enrolled (n = 20).", "results"),
        ("Results support further study.", "conclusions"),
    ]
    # ... but a capitalised word glued to a full stop that is no label is not split after a bracket
    assert texts("Responses were seen (in 2).Twenty others progressed.") == [
        "Responses were seen (in 2).Twenty others progressed."
    ]
    # held-out dev abstract ho_cohen2008_axitinib: "Objective responses" turned into a label after the results
    text = "Axitinib\n\nResults: Sixty patients were enrolled.\nObjective: responses were noted in all subtypes."
    assert sections(text)[1:] == [
        ("Sixty patients were enrolled.", "results"),
        ("responses were noted in all subtypes.", "results"),
    ]


def test_a_table_rendered_as_text_starts_its_own_sentences():
    # held-out dev abstract ho_sherman2020_pazopanib (ESMO abstract): a caption line, then pipe rows
    text = "Trial\n\nResults\nOS rates are in the table. Table: 1914MO\nPazopanib (n=36) | Placebo (n=35) | |\nOS rate (95% CI) | ||"
    assert texts(text)[1:] == [
        "OS rates are in the table.",
        "Table: 1914MO",
        "Pazopanib (n=36) | Placebo (n=35) | |",
        "OS rate (95% CI) | ||",
    ]


def test_a_word_that_is_also_a_label_stays_in_its_sentence():
    assert texts("Results were similar in both arms.") == ["Results were similar in both arms."]


def test_line_layout_hard_wraps_headings_and_registry_fields():
    # PubMed XML whitespace inside a sentence (corpora/pubmed, NEJM record)
    text = (
        "BACKGROUND: In patients with mild asthma, as-needed use of an inhaled glucocorticoid plus a fast-acting β"
        "\n\t\t\t\t\t\t2-agonist may be an alternative to conventional treatment strategies."
    )
    assert texts(text) == [text[len("BACKGROUND: ") :]]
    # registry page excerpts (corpora/ctgov_pages): a value under its label is one field
    registry = text_of(CORPORA / "ctgov_pages" / "ctgov_NCT01164176_page_excerpt.txt")
    assert "Enrollment\n40" in texts(registry)
    # a numbered review heading is a sentence of its own (gold/review)
    review = text_of(GOLD / "review" / "review_42d08961c228dcf9.txt")
    assert "2.1.1 Tyrosine kinase inhibitors" in texts(review)


def test_offsets_are_the_texts_own():
    text = text_of(CORPORA / "abstracts" / "abstract_sosa2014_FACT_fosbretabulin_carboplatin_paclitaxel_ATC.txt")
    for start, end, _section in split_sentences(text):
        piece = text[start:end]
        assert piece == piece.strip() and piece


def test_component_writes_spans_text_and_token_sentence_starts(nlp):
    doc = nlp("Forty-two patients were enrolled. The overall response rate was 19%.")
    assert doc._.get(SENTENCE_SPANS) == [(0, 33, None), (34, 68, None)]
    assert doc._.get(DOC_TEXT) == doc.text
    assert [s.text for s in doc.sents] == ["Forty-two patients were enrolled.", "The overall response rate was 19%."]


def test_every_rule_example_and_counter_example():
    records = load_records(sentences.RULES_FILE, "rules", required=("id", "kind", "surfaces"), optional=("category",))
    rules = sentence_rules()
    for record in records:
        for example in record.get("examples", []):
            got = split_sentences(example, rules)
            if record["kind"] == "abbreviation":
                assert len(got) == 1, (record["id"], example)
            else:
                first = example[got[0][0] : got[0][1]]
                assert not first.lower().startswith(record["surfaces"][0].lower()), (record["id"], example)
        for counter in record.get("counter_examples", []):
            got = split_sentences(counter, rules)
            if record["kind"] == "abbreviation":
                assert len(got) == 2, (record["id"], counter)
            else:
                assert counter[got[0][0] : got[0][1]] == counter.strip(), (record["id"], counter)


def test_an_unknown_rule_kind_is_a_named_error(tmp_path, monkeypatch):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": "1", "rules": [{"id": "x", "kind": "typo", "surfaces": ["vs"]}]}))
    monkeypatch.setattr("atc_mine.nlp.rules.data_path", lambda name: bad)
    from atc_mine.nlp.rules import load_data_file

    load_data_file.cache_clear()
    try:
        with pytest.raises(PatternFileError, match="unknown kind"):
            sentence_rules.__wrapped__("bad.json")
    finally:
        load_data_file.cache_clear()


def test_the_word_before_a_full_stop_is_what_the_regex_search_finds(corpora):
    """``_word_before`` walks back from the stop; the regex it replaces searched forward from
    the sentence start. Compared at every full stop of the real abstracts, and on edge cases
    (hand-written): a dot run, a stop after a newline, no word at all."""
    import re

    pattern = re.compile(r"([A-Za-z][A-Za-z.]*)$")
    texts = [p.read_text(encoding="utf-8") for p in sorted((corpora / "abstracts").glob("*.txt"))]
    texts += ["e.g.. x", "U.S.\n. Next", "word\n.", "(n=5). Then", ". lone", "...x. y"]
    checked = 0
    for text in texts:
        for stop in (i for i, c in enumerate(text) if c == "."):
            for begin in (0, max(0, stop - 12)):
                found = pattern.search(text, begin, stop)
                assert sentences._word_before(text, begin, stop) == (found.group(1) if found else ""), (text, stop)
                checked += 1
    assert checked > 400
