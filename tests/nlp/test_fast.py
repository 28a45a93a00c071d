"""The fast path (atc_mine/nlp/fast.py) gives the plain spaCy pipeline's extractions, document
for document, on every real document of corpora/ and gold/; and its parts behave as documented."""

from __future__ import annotations

import re

import pytest

from atc_mine.nlp import fast
from atc_mine.nlp.fast import Extensions, FastPipeline, fast_pipeline, gene_abbreviations_matter
from atc_mine.nlp.pipeline import extract_documents, plain_extract_documents
from atc_mine.records import Document


@pytest.fixture(scope="module")
def real_documents(corpora, gold_dir):
    from atc_mine.sources import read_documents

    return read_documents([corpora, *sorted((gold_dir / "review").glob("*.txt"))])


def test_fast_path_equals_plain_pipeline_on_the_real_corpus(nlp, real_documents):
    assert len(real_documents) > 650  # abstracts, registry pages and JSON, efetch, the MEDLINE file, the review
    runner = fast_pipeline(nlp)
    assert runner is not None
    before = dict(runner.stats)
    plain = list(plain_extract_documents(nlp, real_documents))
    quick = list(extract_documents(nlp, real_documents))
    assert [e.doc_id for e in quick] == [d.doc_id for d in real_documents]
    different = [p.doc_id for p, q in zip(plain, quick, strict=True) if p != q]
    assert different == []
    assert sum(len(e.outcomes) for e in quick) > 100 and sum(len(e.entities) for e in quick) > 1000
    # the point of the fast path: most documents are never tokenised
    tokenised = runner.stats["tokenised"] - before["tokenised"]
    assert 0 < tokenised < len(real_documents) / 2


def test_recognition_only_pipeline_also_runs_fast_and_equal(real_documents):
    from tests.nlp.recognition import recognition_nlp

    nlp = recognition_nlp()
    assert fast_pipeline(nlp) is not None
    sample = real_documents[:120]
    assert list(extract_documents(nlp, sample)) == list(plain_extract_documents(nlp, sample))


def test_a_pipeline_with_an_unknown_component_runs_the_plain_way():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    assert fast_pipeline(nlp) is None
    (extraction,) = extract_documents(nlp, [Document("d1", "text", "One sentence. Another.")])
    assert extraction.entities == () and extraction.outcomes == ()


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        ("programmed death-ligand 1 (PD-L1) expression", ["PD-L1"], True),
        ("BRAF (programmed cell death one protein) was", ["BRAF"], True),  # a short form before the bracket
        ("expression of ( PD-L1 ) was", ["PD-L1"], True),  # whitespace inside the bracket
        ("PD-L1 expression was high (45%)", ["PD-L1"], False),  # the gene is not what a bracket holds
        ("PD-L1 expression was high", ["PD-L1"], False),  # no bracket at all
        ("overall survival (OS) was", [], False),  # no gene name in the text
    ],
)
def test_gene_abbreviations_matter(text, names, expected):
    assert gene_abbreviations_matter(text, names) is expected


def test_lazy_extension_is_computed_once_and_survives_an_override():
    calls = []
    ext = Extensions()
    ext.set_lazy("abbreviations", lambda: calls.append(1) or ["computed"])
    with ext.overriding("abbreviations", []):
        assert ext.abbreviations == [] and calls == []
    assert not ext.is_computed("abbreviations")
    assert ext.get("abbreviations") == ["computed"] and ext.abbreviations == ["computed"]
    assert calls == [1]
    assert ext.get("unknown") is None
    with pytest.raises(AttributeError):
        _ = ext.unknown


def test_memory_zones_free_what_the_tokeniser_adds(real_documents, monkeypatch):
    from atc_mine.nlp.pipeline import build_nlp
    from atc_mine.settings import Settings

    monkeypatch.setattr(fast, "ZONE_DOCUMENTS", 7)
    monkeypatch.setattr(fast, "WARM_TOKENISED", 0)
    nlp = build_nlp(Settings(pipeline=("abbreviation_detector", "atc_drugs", "atc_genes")))  # a vocabulary of its own
    runner = FastPipeline(nlp)
    sample = [d for d in real_documents if "(" in d.text and "gene" in d.text.lower()][:30]
    strings = len(nlp.vocab.strings)
    extractions = list(runner.pipe(sample))
    assert runner.stats["tokenised"] > 5
    assert len(nlp.vocab.strings) == strings  # every zone's new strings were freed
    for document in sample:  # the control: outside a zone, tokenising adds strings
        runner.extract(document)
    assert len(nlp.vocab.strings) > strings
    assert extractions == list(plain_extract_documents(nlp, sample))


def test_the_first_tokenised_documents_stay_cached_then_zones_begin(real_documents, monkeypatch):
    from atc_mine.nlp.pipeline import build_nlp
    from atc_mine.settings import Settings

    monkeypatch.setattr(fast, "ZONE_DOCUMENTS", 5)
    monkeypatch.setattr(fast, "WARM_TOKENISED", 3)
    nlp = build_nlp(Settings(pipeline=("abbreviation_detector", "atc_drugs", "atc_genes")))
    runner = FastPipeline(nlp)
    sample = [d for d in real_documents if "(" in d.text and "gene" in d.text.lower()][:30]
    assert runner.warming
    extractions = list(runner.pipe(sample))
    assert runner.stats["tokenised_outside_zones"] == 3 and runner.stats["tokenised"] > 3
    assert not runner.warming
    assert extractions == list(plain_extract_documents(nlp, sample))


def test_paren_matches_are_what_scispacys_matcher_keeps(nlp, real_documents):
    from spacy.matcher import Matcher

    matcher = Matcher(nlp.vocab)
    matcher.add("parenthesis", [[{"ORTH": "("}, {"OP": "+"}, {"ORTH": ")"}]])
    texts = [d.text for d in real_documents if "(" in d.text][:150] + ["a ( b ( c ) d ) e ( f ) ( g ) ( )"]
    for text in texts:
        doc = nlp.make_doc(text)
        expected = [(0, s, e) for _, s, e in matcher(doc) if e - s - 2 <= fast.MAX_BRACKETED_TOKENS]
        assert fast.paren_matches(doc) == expected, text[:80]


def test_detect_abbreviations_gives_scispacys_definitions(nlp, real_documents):
    """The same definitions as scispaCy's detector; the later occurrences its global matcher
    adds (same short form text, same long form) are left out."""
    detector = nlp.get_pipe("abbreviation_detector")
    documents = [d for d in real_documents if "(" in d.text][:150]
    defined = repeated = 0
    for document in documents:
        scispacy_doc = detector(nlp.make_doc(document.text))
        expected = definitions_of(scispacy_doc._.abbreviations)
        found = fast.detect_abbreviations(detector, nlp.make_doc(document.text))._.abbreviations
        assert definitions_of(found) == expected, document.doc_id
        assert len(found) == len(expected)  # one span per definition
        defined += len(expected)
        repeated += len(scispacy_doc._.abbreviations) - len(expected)
    assert defined > 50 and repeated > 0


@pytest.mark.parametrize(
    "text",
    [
        # hand-written edge cases: a bracket opening the text, a long bracket, whitespace tokens
        # inside a long form, an unclosed bracket, brackets next to each other
        "(ABC) at the start, then the X-ray zone circuit (XYZ)",
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu (ALPHA BETA GAMMA DELTA) end",
        "programmed\n\ncell death ligand\t1 (PD-L1)\n\n( n = 3 ) and tumour necrosis factor (TNF)",
        "an open (bracket",
        ") ( ) (",
    ],
)
def test_window_abbreviations_on_hand_written_edge_cases(nlp, text):
    detector = nlp.get_pipe("abbreviation_detector")
    assert window_definitions(detector, nlp, text) == char_definitions_of(detector(nlp.make_doc(text))._.abbreviations)


def test_window_abbreviations_give_scispacys_definitions_on_every_real_document(nlp, real_documents):
    """Tokenising only the bracket windows gives the definitions scispaCy finds on the whole
    text, with the same character offsets, on every real document with a bracket."""
    detector = nlp.get_pipe("abbreviation_detector")
    documents = [d for d in real_documents if "(" in d.text]
    defined = 0
    covered = []
    for document in documents:
        expected = char_definitions_of(detector(nlp.make_doc(document.text))._.abbreviations)
        assert window_definitions(detector, nlp, document.text) == expected, document.doc_id
        defined += len(expected)
        covered.append(sum(end - start for start, end in fast.bracket_windows(document.text)) / len(document.text))
    assert defined > 100
    assert sum(covered) / len(covered) < 0.9  # the windows do leave text untokenised


def window_definitions(detector, nlp, text):
    return sorted(
        (a.text, a._.long_form.text, a._.long_form.start_char, a._.long_form.end_char)
        for a in fast.window_abbreviations(detector, nlp.make_doc, text)
    )


def char_definitions_of(abbreviations):
    return sorted(
        {(a.text, a._.long_form.text, a._.long_form.start_char, a._.long_form.end_char) for a in abbreviations}
    )


def definitions_of(abbreviations):
    return sorted({(a.text, a._.long_form.text, a._.long_form.start) for a in abbreviations})


@pytest.mark.parametrize("text", ["", " ", "a", " a  b\n", "a\u3000b\u00a0c\U0001f600 d\u2028e", "\n\nx(y) z"])
def test_chunk_bounds_are_the_whitespace_separated_chunks(text):
    starts, ends = fast.chunk_bounds(text)
    assert list(zip(starts, ends, strict=True)) == [m.span() for m in re.finditer(r"\S+", text)]


def test_the_space_table_ends_at_the_last_space_character():
    assert max(code for code in range(0x110000) if chr(code).isspace()) == fast._LAST_SPACE


def gene_reading(abbreviations, names):
    """What the gene recogniser reads of definitions: the first of each short form, by name."""
    reading = {}
    for a in abbreviations:
        if a.text in names:
            reading.setdefault(a.text, (a._.long_form.text, a._.long_form.start_char, a._.long_form.end_char))
    return reading


def test_gene_window_abbreviations_read_as_all_windows_on_every_real_document(nlp, real_documents):
    """Around only the brackets that can define a gene name the lexicon finds, the gene
    recogniser reads the definitions it reads from every window; where that cannot be known
    the answer is None (and the fast path reads every window)."""
    detector = nlp.get_pipe("abbreviation_detector")
    genes = nlp.get_pipe("atc_genes").lexicon
    answered = unknown = 0
    for document in real_documents:
        text = document.text
        names = [text[s:e] for s, e, _ in genes.find(text)]
        if not gene_abbreviations_matter(text, names):
            continue
        found = fast.gene_window_abbreviations(detector, nlp.make_doc, text, names)
        if found is None:
            unknown += 1
            continue
        answered += 1
        every_window = fast.window_abbreviations(detector, nlp.make_doc, text)
        assert gene_reading(found, set(names)) == gene_reading(every_window, set(names)), document.doc_id
    assert answered > 50 and unknown < answered / 4


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        # hand-written: the gene's own bracket only; "(n = 12)" far away is not tokenised
        (
            "Patients (n = 12) with anaplastic lymphoma kinase (ALK) fusions responded.",
            ["ALK"],
            {"ALK": ("anaplastic lymphoma kinase", 23, 49)},
        ),
        # the short form before the bracket, the long form inside it
        # (scispaCy reads a bracket of more than three tokens as the long form)
        (
            "Tumours with ALK (anaplastic lymphoma kinase gene) fusions.",
            ["ALK"],
            {"ALK": ("anaplastic lymphoma kinase gene", 18, 49)},
        ),
        # no bracket next to a name: nothing to read, nothing tokenised
        ("ALK fusions (n = 3) responded.", ["ALK"], {}),
        # the long form stands again before another bracket: an earlier definition there could
        # have taken it, so the answer is not known from the gene's bracket alone
        ("anaplastic lymphoma kinase (AnLK) and anaplastic lymphoma kinase (ALK) fusions", ["ALK"], None),
    ],
)
def test_gene_window_abbreviations_on_hand_written_cases(nlp, text, names, expected):
    detector = nlp.get_pipe("abbreviation_detector")
    found = fast.gene_window_abbreviations(detector, nlp.make_doc, text, names)
    if expected is None:
        assert found is None
        return
    assert gene_reading(found, set(names)) == expected
    assert gene_reading(fast.window_abbreviations(detector, nlp.make_doc, text), set(names)) == expected


def test_outcomes_read_definitions_only_where_two_drugs_can_make_a_regimen(nlp):
    """Hand-written: the outcome extractor reads only regimen definitions (a long form holding
    two drugs), so a document naming one drug is never tokenised for it; with two drugs the
    regimen's short form still takes both."""
    runner = fast_pipeline(nlp)
    one_drug = Document(
        doc_id="one",
        source="file",
        text="Twenty patients (n = 20) received sorafenib. The overall response rate (ORR) was 10% (2/20).",
    )
    two_drugs = Document(
        doc_id="two",
        source="file",
        text="Patients received carboplatin/paclitaxel (CP). The overall response rate with CP was 10% (2/20).",
    )
    before = runner.stats["tokenised"]
    quick = runner.extract(one_drug)
    assert runner.stats["tokenised"] == before
    assert [f.drugs for f in quick.outcomes] == [("sorafenib",)] * len(quick.outcomes) and quick.outcomes
    quick = runner.extract(two_drugs)
    assert runner.stats["tokenised"] == before + 1
    assert [f.drugs for f in quick.outcomes] == [("carboplatin", "paclitaxel")]
    assert [quick] == list(plain_extract_documents(nlp, [two_drugs]))
    assert [runner.extract(one_drug)] == list(plain_extract_documents(nlp, [one_drug]))
