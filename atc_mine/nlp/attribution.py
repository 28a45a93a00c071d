"""Attribution: the regimen, trial, cohort and subgroup each outcome figure belongs to.

Implements GUIDELINES section 5:

- **drugs** (5.1): the drugs named in the value's own qualifier ("for the CP/fosbretabulin
  arm"); else the drugs of the sentence when they name a regimen other than the study's
  ("27 patients with colorectal cancer who received vemurafenib and cetuximab"); else the
  study's regimen. A study's regimen is the drugs of the title and the drugs given with a
  dose; in a review, the drugs of the sentence that introduces the study, narrowed to those
  given with a dose later in its paragraph. Drugs named as earlier or comparator treatment
  ("had previously progressed on fosbretabulin", "patients without treatment with ...") are
  not the figure's. A regimen abbreviation defined in the text ("carboplatin ... paclitaxel
  ... (CP)", or scispaCy's AbbreviationDetector, Schwartz & Hearst 2003) stands for its drugs.
- **trial** (5.2): an NCT ID in the sentence; else the NCT ID of the study being described
  (in a review, the sentence that introduced it, within its paragraph); else the document's
  one NCT ID or its one ``linked_trials`` entry; else null.
- **cohort** and **subgroup** (5.3): the value's qualifier ("for ATCs", "in the PD-L1-positive
  population"), the counted group's noun phrase ("17 with ATC"), the nearest population named
  before the value in its sentence, else the study's cohort (:mod:`atc_mine.nlp.cohorts`).

A text is read as a **review** when it cites many references (:data:`REVIEW_MIN_REFERENCES`);
a review describes many studies, so each paragraph is cut into *study segments* at sentences
that introduce a study ("A phase II study ...", "In one case report", "The NCT02114658
trial ..."), and a figure takes its segment's regimen, trial and cohort.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from atc_mine.nlp.cohorts import (
    POOLED,
    THYROID,
    Found,
    cohort_from_cues,
    cohort_of,
    combine,
    find_cues,
    most_specific_molecular,
    resolve,
    subgroup_of,
    vocabulary,
)
from atc_mine.nlp.numbers import normalise, number_tables
from atc_mine.nlp.outcomes import Candidate

#: Bracketed reference numbers ("(18)", "(48, 51-56)") that mark a text citing many studies:
#: abstracts of single studies cite none; the seed review cites 95.
REVIEW_MIN_REFERENCES = 5
#: How far before a drug name a cue of earlier or comparator treatment reaches.
PRIOR_WINDOW = 45
#: How far before a population name its molecular selection may be ("BRAF V600E-mutated anaplastic ...").
MOLECULAR_REACH = 30
#: A comparator group named as a subgroup is cut to this length (a curator reads the sentence).
SUBGROUP_MAX_CHARS = 60
#: How far from a drug name a dose may be for the drug to count as given ("400 mg of ...").
DOSE_WINDOW = 30
#: A subgroup named within this many characters of the start of a value's clause is the
#: clause's subject ("Specifically, cohort 1 (n = 19) achieved a median OS of ..."); further
#: in, it is more often an object ("... similar to that of cohort 2").
SUBJECT_REACH = 40
#: The subgroup cues (cohort_cues.json) that can be a clause's subject: named cohorts, arms,
#: stages and PD-L1 strata. A dose at the start of a sentence is a counted group's, read there.
SUBJECT_SUBGROUP_CUES = frozenset({"cohort-number", "arm-letter", "stage", "pdl1-pos", "pdl1-neg", "pdl1-cutoff"})
_SUBGROUP_WORD = re.compile(r"(?i)\b(?:cohort|arm|group|stage|PD-?L1)\b")
#: Templates whose groups describe the make-up of a population ("Tumour histology was papillary
#: in 20 ..., anaplastic in 7"), not the populations a study was designed around.
COMPOSITION_RULES = frozenset({"enrolled-histology-breakdown"})
#: Subtypes under a parent this deep (DTC: PTC, FTC, RR-DTC) describe one population's make-up;
#: the root's children (ATC, PDTC, MTC) are populations of their own.
COMPOSITION_PARENT_DEPTH = 2
#: A study whose title names several populations is a multi-cohort study ("all" for its totals)
#: when outcome figures are stated for at least this many of them.
MULTI_COHORT_MIN = 2
#: A placebo arm receives the regimen's other drugs (the backbone both arms share: "paclitaxel
#: with pazopanib or placebo"); an arm named by its added drug receives the whole regimen.
_PLACEBO = re.compile(r"\bplacebo\b", re.I)
#: A qualifier that names an arm or group ("the chemotherapy arm", "the BCP group").
_NAMED_ARM = re.compile(r"\b(?:arms?|groups?)\s*$", re.I)
#: A group the text labels in brackets ("(L group)", "(group A)") and how a figure refers to it ("L").
_GROUP_LABEL = re.compile(r"\(\s*(?:([A-Z]{1,3})\s+(?:group|arm)|(?:group|arm)\s+([A-Z]{1,3}))\s*\)")
_GROUP_REFERENCE = re.compile(r"(?:the\s+)?(?:(?i:group|arm)\s+)?([A-Z]{1,3})(?:\s+(?i:groups?|arms?))?")


@cache
def _any_number() -> re.Pattern[str]:
    """A digit or a number word (the lexicon's)."""
    return re.compile(rf"\d|\b(?:{number_tables().word_pattern})\b")


_GROUP_VERB = re.compile(
    r"\b(?:treated\s+with|received|receiving|given|(?:randomly\s+)?(?:assigned|randomi[sz]ed|allocated)\s+to)\b", re.I
)
#: A numbered cohort the text defines by its population and treatment: "Cohort 1 included patients
#: with mutated BRAF V600E tumors who received vemurafenib/cobimetinib plus atezolizumab".
_COHORT_DEFINITION = re.compile(
    r"\b[Cc]ohort\s+(\d{1,2}|[A-Z])\b\s*(?:\([^()]{0,20}\)\s*)?(?:included|comprised|consisted\s+of|enrolled|was\s+composed\s+of)\b"
)
#: A background sentence that names the study being reported ("The authors report results from
#: ... the KEYNOTE-158 study (NCT02628067)"): its NCT ID is the study's own.
DTC, RR_DTC = "DTC", "RR-DTC"
#: Words that introduce a subset of the group just named ("38 patients were treated, including 10
#: with ATC", "of whom 16 ..."): the subset does not narrow the study's population.
_SUBSET_INTRO = re.compile(
    r"\b(?:including|includ(?:ed|es)\s+|of\s+whom|among\s+whom|among\s+them|of\s+these|of\s+them)\b", re.I
)
#: How far before a counted group a subset's introducing word may be.
SUBSET_REACH = 25
#: A group whose make-up includes patients without the selection ("eight BRAF wild type and two
#: BRAFV600E mutant tumors") has no molecular selection of its own.
_MIXED_SELECTION = re.compile(r"\b(?:wild[- ]?type|negative|without|non-?mutant|non-?mutated)\b", re.I)
_CLAUSE_BREAK = re.compile(r"[,;]|\.(?:\s|$)")
_SELF_REFERENCE = re.compile(
    r"\b(?:we|the\s+authors|this\s+(?:paper|report|article|analysis)|here(?:in)?)\s+(?:\w+\s+){0,2}?"
    r"(?:report|present|describe|evaluate|evaluated|investigate|investigated)\b",
    re.I,
)
#: How far before a group's label the verb naming its treatment may be.
GROUP_LABEL_REACH = 80

_REFERENCE = re.compile(r"(?<=[\w\s.,)])\(\s*\d{1,3}(?:\s*[,\-–]\s*\d{1,3})*\s*\)")
_NCT = re.compile(r"\bNCT\d{8}\b")
_PRIOR = re.compile(
    r"(?i:\b(?:prior|previous(?:ly)?|progress(?:ed|ion)\s+on|after\s+(?:failure|progression)\s+(?:of|on)|"
    r"refractory\s+to|resistant\s+to|pre-?treated\s+with|failed|(?<!or\s)without|than\s+(?:those|the\s+patients)|"
    r"compared\s+(?:with|to)|in\s+contrast\s+to|instead\s+of|before|"
    r"(?:lines?|setting)\s+(?:(?:therapy|treatment)\s+)?after)\b)"
)
#: Right after a drug name: a population defined by an earlier treatment ("sorafenib-resistant
#: RR-DTC", "lenvatinib-pretreated", "TKI-naive").
_PRIOR_AFTER = re.compile(
    r"\s*-\s*(?:resistant|refractory|pretreated|pre-treated|experienced|exposed|naive|naïve|failed)\b", re.I
)
_DOSE = re.compile(
    r"(?<![\w.])\d+(?:\.\d+)?(?:\s*(?:,|or|and|-)\s*\d+(?:\.\d+)?)*\s*-?\s*(?:mg|µg|mcg|g)\b|\bAUC\s*\d", re.I
)
_INTRO = re.compile(
    r"(?i:\b(?:a|an|another|one)\s+(?!total\b)"
    r"(?:(?!(?:were|was|is|are|been|in|of|to|for|with|patients|the|this|that|these)\b)[\w,/()-]+\s+){0,8}?"
    r"(?:study|trial|case\s+report|case\s+series|series|article)\b)"
)
_COMPARATOR_GROUP = re.compile(
    # "without" a treatment, not "without RAI therapy" (a population defined by a procedure it did not have)
    r"\b(?:without(?!\s+(?:prior\s+|previous\s+)?(?:RAI|radioiodine|radioactive|radiation|radiotherapy|surgery|"
    r"metastas[ie]s|progression|a\s+|an\s+|the\s+)\b)|controls?(?!\s+arm)|untreated|placebo|historical|"
    r"not\s+(?:treated|receiving|given)|no\s+(?:treatment|therapy)|(?:best\s+)?supportive\s+care|BSC|"
    r"refused|declined|observation)\b",
    re.I,
)
#: The cues of _PRIOR that name a treatment the patients had before the study's.
_TREATMENT_HISTORY = re.compile(
    r"(?i:\b(?:prior|previous(?:ly)?|progress(?:ed|ion)\s+on|after\s+(?:failure|progression)\s+(?:of|on)|"
    r"refractory\s+to|resistant\s+to|pre-?treated\s+with|failed)\b)"
)
#: What may stand between two treatments of one list: separators, group sizes and class
#: names ("sunitinib (n = 58), other anti-VEGF therapy (n = 62; sorafenib, 23; ...").
_PRIOR_LIST_GAP = re.compile(
    r"(?:[\s,;:()\[\]=.%/+-]|\d|\b(?:n|or|and|other|others|both|either|therap(?:y|ies)|treatments?|agents?|"
    r"inhibitors?|TKIs?|anti-[\w-]+)\b)*",
    re.I,
)
_DRUG_LIST_GAP = re.compile(r"\s*(?:/|\+|,|and|plus|or|,\s*and|,\s*or)\s*", re.I)
_REGIMEN_ABBREVIATION = re.compile(r"\(([A-Z]{2,5})\)")
_ARM_WORD = re.compile(r"\barms?\b", re.I)
#: A sentence opening that refers back to the population of the sentence before.
_ANAPHORA = re.compile(
    r"\s*(?:In|Among|For|Of)\s+(?:(?:this|these|those|that)\s+(?:group|cohort|patients|population|subgroup|subset)|them)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class DrugMention:
    start: int
    end: int
    norms: tuple[str, ...]
    prior: bool
    #: prior because the patients had it before (not because it is a comparator's): a list it
    #: opens is of earlier treatments too
    history: bool = False


@dataclass(slots=True)
class Segment:
    """A stretch of sentences about one study: its regimen, trial, cohort terms, molecular selection."""

    first: int
    last: int
    drugs: tuple[str, ...] = ()
    trial: str | None = None
    cohort: str | None = None
    molecular: str | None = None
    intro: int | None = None
    #: the population the introducing sentence names (a study total takes it, not a subset's)
    intro_cohort: str | None = None
    #: set when a sentence naming a trial of the current segment narrows it to that trial
    inherits: Segment | None = None


def regimen_abbreviations(
    text: str,
    drugs: list[tuple[int, int, str]],
    sentences: Sequence[tuple[int, int, str | None]],
    pairs: Sequence[tuple[str, int, int]],
) -> dict[str, tuple[str, ...]]:
    """Short forms that stand for two or more drugs: 'CP' -> (carboplatin, paclitaxel)."""
    found: dict[str, tuple[str, ...]] = {}
    for short, start, end in pairs:
        norms = tuple(sorted({n for s, e, n in drugs if s >= start and e <= end}))
        if len(norms) >= 2 and short.isupper():
            found.setdefault(short, norms)
    for s_start, s_end, _section in sentences:
        for m in _REGIMEN_ABBREVIATION.finditer(text, s_start, s_end):
            letters = m.group(1)
            if letters in found:
                continue
            before = [n for s, e, n in drugs if s_start <= s and e <= m.start()]
            chosen: list[str] = []
            for letter in letters:
                match = next((n for n in reversed(before) if n[:1].upper() == letter and n not in chosen), None)
                if match is None:
                    break
                chosen.append(match)
            if len(chosen) == len(letters) >= 2:
                found[letters] = tuple(sorted(chosen))
    return found


class DocumentModel:
    """What one document says about its studies, and how each figure is attributed."""

    def __init__(
        self,
        text: str,
        sentences: Sequence[tuple[int, int, str | None]],
        candidates: Sequence[Candidate],
        entities: Sequence[tuple[str, int, int, str]],
        context: dict,
        abbreviation_pairs: Sequence[tuple[str, int, int]] = (),
    ) -> None:
        self.text = text
        self.norm = normalise(text)
        self.sentences = list(sentences)
        self.candidates = list(candidates)
        drugs = [(s, e, n) for label, s, e, n in entities if label == "DRUG"]
        self.ncts = [(s, e, n) for label, s, e, n in entities if label == "NCT_ID"] or [
            (m.start(), m.end(), m.group()) for m in _NCT.finditer(text)
        ]
        self.abbreviations = regimen_abbreviations(text, drugs, self.sentences, abbreviation_pairs)
        self.mentions = self._mentions(drugs)
        self.is_review = len(_REFERENCE.findall(text)) >= REVIEW_MIN_REFERENCES
        self.cues = find_cues(self.norm)  # every cohort cue of the text, found once
        self._cue_starts = [f.start for f in self.cues]
        self.uses_arms = bool(_ARM_WORD.search(text))
        self.linked = list(context.get("linked_trials") or ())
        #: several populations with figures of their own (set by the cohort logic)
        self.multi_cohort = False
        self.group_drugs = self._labelled_groups()
        self.cohort_groups = self._defined_cohorts()
        self.doc_drugs = self._document_regimen()
        #: a study of labelled or numbered groups on different treatments: its totals and pooled
        #: figures take all of their drugs (GUIDELINES 5.1, the union over arms)
        self.union_drugs = tuple(
            sorted(set(self.doc_drugs).union(*self.group_drugs.values(), *(g for g, _m in self.cohort_groups.values())))
        )
        self.doc_trial = self._document_trial()
        self.pooled_label = self._pooled_label()
        self.doc_molecular, self.doc_cohort = self._document_cohort()
        self.segments = self._segments() if self.is_review else []
        #: drugs of a counted group with a molecular selection of its own -> that selection
        self.drug_group_molecular: dict[tuple[str, ...], str] = {}

    # -- drugs ----------------------------------------------------------------------------
    def _mentions(self, drugs: list[tuple[int, int, str]]) -> list[DrugMention]:
        spans = [(s, e, (n,)) for s, e, n in drugs]
        for short, norms in self.abbreviations.items():
            for m in re.finditer(rf"(?<![A-Za-z]){re.escape(short)}(?![A-Za-z])", self.text):
                if not any(s < m.end() and m.start() < e for s, e, _n in spans):
                    spans.append((m.start(), m.end(), norms))
        mentions: list[DrugMention] = []
        for start, end, norms in sorted(spans):
            prior, history = self._prior(start, end, self._sentence_start(start), mentions[-1] if mentions else None)
            mentions.append(DrugMention(start, end, norms, prior, history))
        return mentions

    def _prior(self, start: int, end: int, cues_from: int, last: DrugMention | None) -> tuple[bool, bool]:
        """Is the drug named at ``start:end`` an earlier treatment, and by a history cue?

        A cue of earlier treatment (:data:`_TREATMENT_HISTORY`) counts back to the sentence start;
        the other cues of :data:`_PRIOR` back to ``cues_from``. ``last``: the drug named before, whose
        list of earlier treatments may go on past the window ("previously received sunitinib
        (n = 58), other anti-VEGF therapy (n = 62; sorafenib, 23; bevacizumab, 16 ...)")."""
        sentence_start = self._sentence_start(start)
        history = bool(_TREATMENT_HISTORY.search(self.norm[max(sentence_start, start - PRIOR_WINDOW) : start]))
        window = self.norm[max(cues_from, start - PRIOR_WINDOW) : start]
        prior = history or bool(_PRIOR.search(window) or _PRIOR_AFTER.match(self.norm, end))
        if not prior and last is not None and last.history and last.end >= sentence_start:
            prior = history = _PRIOR_LIST_GAP.fullmatch(self.norm, last.end, start) is not None
        return prior, history

    def _sentence_span(self, position: int) -> tuple[int, int]:
        for s, e, _section in self.sentences:
            if s <= position < e:
                return s, e
        return position, position

    def _sentence_start(self, position: int) -> int:
        for s, e, _section in self.sentences:
            if s <= position < e:
                return s
        return max(0, position - PRIOR_WINDOW)

    def drugs_in(self, start: int, end: int, *, include_prior: bool = False) -> tuple[str, ...]:
        return tuple(
            sorted(
                {
                    n
                    for m in self.mentions
                    if m.start >= start and m.end <= end and (include_prior or not m.prior)
                    for n in m.norms
                }
            )
        )

    def group_drugs_in(self, start: int, end: int) -> tuple[str, ...]:
        """The drugs a group's name between ``start`` and ``end`` says it had. A cue of earlier
        treatment counts wherever it stands ("who had not previously received vandetanib"); the
        other cues of :data:`_PRIOR` only inside the name: one before it compares the figures,
        not the group's treatment ("..., compared with 7.2 months for fulvestrant plus sapanisertib")."""
        norms: set[str] = set()
        last: DrugMention | None = None
        for m in self.mentions:
            if not (start <= m.start and m.end <= end):
                continue
            prior, history = self._prior(m.start, m.end, start, last)
            last = DrugMention(m.start, m.end, m.norms, prior, history)
            if not prior:
                norms.update(m.norms)
        return tuple(sorted(norms))

    def _dosed(self, start: int, end: int) -> set[str]:
        """Drugs given with a dose between ``start`` and ``end``.

        The dose follows the drug ("sorafenib 400 mg", "docetaxel/doxorubicin, 20 mg/m2 each":
        the whole list) or, when no drug precedes it, comes first ("400 mg spartalizumab",
        "250 mg of daily gefitinib").
        """
        mentions = [m for m in self.mentions if start <= m.start and m.end <= end and not m.prior]
        dosed: set[str] = set()
        for d in _DOSE.finditer(self.norm, start, end):
            before = [m for m in mentions if m.end <= d.start() and d.start() - m.end <= DOSE_WINDOW]
            if before:
                run = [before[-1]]
                for previous in reversed(before[:-1]):
                    if not _DRUG_LIST_GAP.fullmatch(self.norm[previous.end : run[0].start]):
                        break
                    run.insert(0, previous)
                dosed.update(n for m in run for n in m.norms)
                continue
            after = [m for m in mentions if m.start >= d.end() and m.start - d.end() <= DOSE_WINDOW]
            if after:
                dosed.update(after[0].norms)
        return dosed

    def _document_regimen(self) -> tuple[str, ...]:
        title = next(((s, e) for s, e, section in self.sentences if section == "title"), None)
        drugs = set(self.drugs_in(*title)) if title else set()
        for s, e, section in self.sentences:
            if section not in ("background", "title"):
                drugs |= self._dosed(s, e)
        if drugs:
            return tuple(sorted(drugs))
        counts = Counter(n for m in self.mentions if not m.prior for n in m.norms)
        if not counts:
            return ()
        top = max(counts.values())
        return tuple(sorted(n for n, c in counts.items() if c == top))

    def _labelled_groups(self) -> dict[str, tuple[str, ...]]:
        """Groups the text labels and the drugs it says they received: "16 patients were treated
        with lenvatinib (L group)"; "The remaining 16 patients received palliative therapy (P
        group), of whom 7 were treated with weekly paclitaxel" (the drugs named in the label's sentence
        after the group's verb)."""
        groups: dict[str, tuple[str, ...]] = {}
        previous_end = 0
        for m in _GROUP_LABEL.finditer(self.norm):
            s_start, s_end = self._sentence_span(m.start())
            verb = _GROUP_VERB.search(self.norm, max(s_start, m.start() - GROUP_LABEL_REACH), m.start())
            if verb is None:
                previous_end = m.end()
                continue
            # the drugs between the verb (or the label before) and this label: "assigned to dabrafenib
            # alone (arm A) or dabrafenib plus trametinib (arm B)"; else the ones the sentence names after
            # it ("received palliative therapy (P group), of whom 7 were treated with weekly paclitaxel")
            own = self.drugs_in(max(verb.end(), previous_end if previous_end > s_start else 0), m.start())
            drugs = own or self.drugs_in(verb.end(), s_end)
            if drugs:
                groups.setdefault(m.group(1) or m.group(2), drugs)
            previous_end = m.end()
        return groups

    def _own_group_label(self, c: Candidate, s_end: int) -> re.Match[str] | None:
        """The group label (":data:`_GROUP_LABEL`) that ends the figure's clause, when the text
        between the figure's number and it holds no other number."""
        label = _GROUP_LABEL.search(self.norm, c.value_end, s_end)
        if label is None or _any_number().search(self.norm, c.value_end, label.start()):
            return None  # the label is another count's
        return label

    def _pooled_figure(self, c: Candidate, s_start: int) -> bool:
        """A study total ("The trial enrolled 43 patients", "32 patients ... were included") or a
        figure over all groups ("Across all three cohorts, the median OS ...")."""
        if c.measure in ("N_ENROLLED", "N_EVALUABLE") and not c.qualifier:
            # "32 patients ... were included in the present study, of whom 16 patients were treated
            # with lenvatinib (L group)": the 32 is the total; the 16's clause names its drug
            clause_end = _CLAUSE_BREAK.search(self.norm, c.value_end)
            end = clause_end.start() if clause_end else self.sentences[c.sentence][1]
            return not self.drugs_in(c.value_start, end, include_prior=True)
        return bool(self.cues_in(s_start, c.value_start, frozenset({"pooled"})))

    def _defined_cohorts(self) -> dict[str, tuple[tuple[str, ...], str | None]]:
        """Numbered cohorts the text defines: "Cohort 1 included patients with mutated BRAF V600E
        tumors who received vemurafenib/cobimetinib plus atezolizumab" -> {"cohort 1": (drugs,
        "BRAF V600E")}. A figure whose subject is the cohort takes its drugs and its molecular
        selection."""
        cohorts: dict[str, tuple[tuple[str, ...], str | None]] = {}
        for m in _COHORT_DEFINITION.finditer(self.norm):
            s_start, s_end = self._sentence_span(m.start())
            verb = _GROUP_VERB.search(self.norm, m.end(), s_end)
            if verb is None:
                continue
            drugs = self.drugs_in(verb.end(), s_end, include_prior=True)  # "without these variants, who received"
            if drugs:
                molecular = most_specific_molecular(find_cues(self.norm[m.end() : verb.start()]))
                cohorts.setdefault(f"cohort {m.group(1)}", (drugs, molecular))
        return cohorts

    # -- trial ----------------------------------------------------------------------------
    def _document_trial(self) -> str | None:
        in_text = {
            n
            for s, _e, n in self.ncts
            if self._section_of(s) != "background" or _SELF_REFERENCE.search(self.norm, *self._sentence_span(s))
        }
        if len(in_text) == 1:
            return next(iter(in_text))
        if not in_text and len(set(self.linked)) == 1:
            return self.linked[0]
        return None

    def _section_of(self, position: int) -> str | None:
        for s, e, section in self.sentences:
            if s <= position < e:
                return section
        return None

    # -- cohort ---------------------------------------------------------------------------
    def _pooled_label(self) -> str | None:
        """'all' when the text names its pooled population or studies several tumour types."""
        kinds = {f.kind for f in self.cues if f.kind in ("pooled", "multi")}
        non_thyroid = any(f.kind == "histology" and not vocabulary().is_thyroid(f.value) for f in self.cues)
        return POOLED if kinds or non_thyroid else None

    def cues_in(self, start: int, end: int, kinds: frozenset[str] | None = None) -> list[Found]:
        """The document's cohort cues that lie within ``[start, end)``."""
        out = []
        for i in range(bisect_left(self._cue_starts, start), len(self.cues)):
            f = self.cues[i]
            if f.start >= end:
                break
            if f.end <= end and (kinds is None or f.kind in kinds):
                out.append(f)
        return out

    def _group_span(self, c: Candidate) -> tuple[int, int] | None:
        if not c.group or c.group_start is None:
            return None
        end = c.group_start + len(c.group)
        cut = _SUBSET_INTRO.search(self.norm, c.group_start, end)  # "38 patients, including 10 with ATC"
        return (c.group_start, cut.start() if cut and cut.start() > c.group_start else end)

    def _is_subset(self, c: Candidate) -> bool:
        """A group introduced as part of a larger one ("were treated, including 10 with ATC")."""
        if c.group_start is None:
            return False
        before = self.norm[max(0, c.group_start - SUBSET_REACH) : c.group_start]
        return _SUBSET_INTRO.search(before) is not None

    def _document_cohort(self) -> tuple[str | None, str | None]:
        title = next(((s, e) for s, e, section in self.sentences if section == "title"), None)
        spans = [title] if title else []
        spans += [
            span
            for c in self.candidates
            if c.measure in ("N_ENROLLED", "N_EVALUABLE")
            and c.rule not in COMPOSITION_RULES
            and not self._is_subset(c)
            and (span := self._group_span(c)) is not None
        ]
        found = [self.cues_in(*span) for span in spans]
        # the study's molecular selection is the title's or its whole population's ("Sixteen
        # patients with BRAF V600E-mutated ATC"), not a subgroup's ("six with BRAFV600E-mutated
        # tumors received dabrafenib plus trametinib")
        sizes = [
            c.quantity.count or 0
            for c in self.candidates
            if c.measure in ("N_ENROLLED", "N_EVALUABLE")
            and c.rule not in COMPOSITION_RULES
            and not self._is_subset(c)
            and self._group_span(c) is not None
        ]
        largest = max(sizes, default=0)
        selection = (found[0] if title else []) + [
            f for cues, size in zip(found[1 if title else 0 :], sizes, strict=True) if size == largest for f in cues
        ]
        molecular = most_specific_molecular(selection)
        resolved = [cohort_from_cues(cues, molecular) for cues in found]
        terms = [t for t, _named in resolved if t]
        title_cues = found[0] if title else []
        if any(f.kind == "multi" for f in title_cues) and not any(f.kind == "histology" for f in title_cues):
            return molecular, POOLED  # "Vemurafenib in Multiple Nonmelanoma Cancers ...": a basket study
        if self.is_review or not terms:
            counts = Counter(f.value for f in self.cues if f.kind == "histology")
            return molecular, (counts.most_common(1)[0][0] if counts else None)
        title_named = set(resolved[0][1]) if title else set()
        group_named = {t for _t, named in resolved[1 if title else 0 :] for t in named}
        vocab = vocabulary()
        if len(title_named) > 1 and group_named and all(title_named & set(vocab.lineage(t)) for t in group_named):
            # "... for Anaplastic and Poorly Differentiated Thyroid Carcinoma" with "8 patients with
            # PDTC": the groups are the title's cohorts, not a narrowing of the study to one of them
            self.multi_cohort = True
            # GUIDELINES 5.3: "all" is all patients of a study of several cohorts, each with figures of
            # its own ("In the ATC patients, median PFS ...; In the MTC population, ..."); figures that
            # are only pooled over mixed histologies are of "thyroid cancer" (one mixed cohort)
            if len(self._histologies_with_figures() & title_named) >= MULTI_COHORT_MIN:
                return molecular, POOLED
            return molecular, resolved[0][0] or terms[0]
        if title and len(set(title_named)) == 1 and resolved[0][0]:
            # "Sorafenib in ... radioactive iodine-refractory differentiated thyroid cancer" with "8
            # patients (7 with papillary and 1 with follicular thyroid cancer)": histologies beside the
            # title's population under the same subtype (PTC, FTC beside RR-DTC) are its make-up
            own = resolved[0][0]
            parent = vocab.parents.get(own)
            if parent is not None and vocab.depth(parent) >= COMPOSITION_PARENT_DEPTH:
                kept = [t for t in terms if vocab.parents.get(t) != parent or t == own]
                if len(kept) < len(terms):
                    cohort = resolve(kept, pooled_label=self.pooled_label)
                    self.multi_cohort = cohort == POOLED
                    return molecular, cohort
        cohort = resolve(terms, pooled_label=self.pooled_label)
        basket = any(f.kind == "multi" for f in title_cues)
        if (
            cohort == POOLED
            and not basket
            and all(THYROID in vocab.lineage(t) for t in terms)
            and len(self._histologies_with_figures() & set(terms)) < MULTI_COHORT_MIN
        ):
            # GUIDELINES 5.3: thyroid histologies whose figures are only stated pooled ("Thirty-five
            # patients were enrolled (7 MTC, 28 WDTC)"; one response rate for all) are one mixed
            # cohort, "thyroid cancer"; "all" is for studies whose cohorts each have figures
            cohort = THYROID
        self.multi_cohort = cohort == POOLED or cohort not in terms
        if cohort in (THYROID, DTC) and not basket:
            # "... in Patients with Advanced Thyroid Cancer" whose text names only papillary or
            # follicular carcinoma ("Eligible patients had ... papillary or follicular thyroid
            # carcinoma"): the population is their common parent (DTC), when the text's
            # histologies lie under one term below thyroid cancer
            named = [f.value for f in self.cues if f.kind == "histology" and f.value != THYROID]
            narrowed = resolve(named) if named else None
            # refractoriness selects the whole population, a histology named under DTC may be make-up
            if cohort == DTC and narrowed != RR_DTC:
                narrowed = None
            # only within DTC (eligibility phrasing: "papillary or follicular", "RAI-refractory"); ATC,
            # MTC and PDTC are populations of their own that a study of one names in its title, and a
            # thyroid cancer study may name one as a subset ("including 10 with ATC")
            if (
                narrowed not in (None, THYROID, POOLED)
                and DTC in vocab.lineage(narrowed)
                and cohort in vocab.lineage(narrowed)
            ):
                return molecular, combine(narrowed, molecular) or narrowed
        return molecular, cohort

    def _histologies_with_figures(self) -> set[str]:
        """The histologies that outcome figures (not group sizes) are stated for, by a population
        named before the value in its sentence ("In the ATC patients, median PFS was ...")."""
        named: set[str] = set()
        for c in self.candidates:
            if c.measure in ("N_ENROLLED", "N_EVALUABLE"):
                continue
            kinds = frozenset({"histology"})
            cues = []
            if c.qualifier and c.qualifier_start is not None:
                cues = self.cues_in(c.qualifier_start, c.qualifier_start + len(c.qualifier), kinds)
            cues = cues or self.cues_in(self.sentences[c.sentence][0], c.value_start, kinds)
            if cues:
                named.add(cues[-1].value)
        return named

    # -- review segments ------------------------------------------------------------------
    def _segments(self) -> list[Segment]:
        segments: list[Segment] = []
        current: Segment | None = None
        seen: set[str] = set()  # NCT IDs the current paragraph has named
        previous_end = 0
        for index, (start, end, _section) in enumerate(self.sentences):
            new_paragraph = "\n\n" in self.text[previous_end:start] or index == 0
            previous_end = end
            if new_paragraph:
                seen = set()
            sentence = self.norm[start:end]
            ncts = {n for s, _e, n in self.ncts if start <= s < end}
            introduces = bool(_INTRO.search(sentence))
            if current is not None and not new_paragraph and not introduces and len(ncts) == 1 and ncts <= seen:
                # "The current NCT02657369 trial ..." after "(NCT02657369, NCT02726503)": the same study
                current = Segment(first=index, last=index, intro=index, inherits=current)
                segments.append(current)
            elif new_paragraph or introduces or (ncts - seen) or current is None:
                current = Segment(first=index, last=index, intro=index if (introduces or ncts) else None)
                segments.append(current)
            seen |= ncts
            current.last = index
        for segment in segments:
            self._describe(segment)
        return segments

    def _describe(self, segment: Segment) -> None:
        if segment.intro is None:
            segment.cohort = segment.intro_cohort = self.doc_cohort
            return
        start, end, _section = self.sentences[segment.intro]
        ncts = sorted({n for s, _e, n in self.ncts if start <= s < end})
        if segment.inherits is not None:
            parent = segment.inherits
            segment.drugs, segment.molecular = parent.drugs, parent.molecular
            segment.cohort, segment.intro_cohort = parent.cohort, parent.intro_cohort
            segment.trial = ncts[0] if len(ncts) == 1 else parent.trial
            return
        intro_mentions = [m for m in self.mentions if start <= m.start and m.end <= end and not m.prior]
        drugs = {n for m in intro_mentions for n in m.norms}
        seg_start, seg_end = self.sentences[segment.first][0], self.sentences[segment.last][1]
        alternatives = any(
            re.fullmatch(r"\s*,?\s*or\s*", self.norm[a.end : b.start])
            for a, b in zip(intro_mentions, intro_mentions[1:], strict=False)
        )
        dosed = self._dosed(seg_start, seg_end) & drugs if alternatives else set()
        # "pembrolizumab combined with ipilimumab, docetaxel, or doxorubicin": the given ones are dosed
        segment.drugs = tuple(sorted(dosed or drugs))
        segment.trial = ncts[0] if len(ncts) == 1 else None
        intro_cues = self.cues_in(start, end)
        segment.molecular = most_specific_molecular(intro_cues)
        intro_cohort = cohort_from_cues(intro_cues, segment.molecular)[0]
        if intro_cohort == POOLED:
            intro_cohort = None
        terms = [intro_cohort] + [
            cohort_from_cues(self.cues_in(*span), segment.molecular)[0]
            for c in self.candidates
            if c.measure in ("N_ENROLLED", "N_EVALUABLE")
            and segment.first <= c.sentence <= segment.last
            and (span := self._group_span(c)) is not None
        ]
        terms = [t for t in terms if t and t != POOLED]
        segment.intro_cohort = intro_cohort or self.doc_cohort
        segment.cohort = resolve(terms) if terms else self.doc_cohort

    def segment_of(self, sentence: int) -> Segment | None:
        for segment in self.segments:
            if segment.first <= sentence <= segment.last:
                return segment
        return None

    # -- figures --------------------------------------------------------------------------
    def figures(self, c: Candidate) -> list[dict]:
        s_start, s_end, _section = self.sentences[c.sentence]
        segment = self.segment_of(c.sentence)
        regimen = segment.drugs if segment and segment.intro is not None else (() if segment else self.doc_drugs)
        molecular = (segment.molecular if segment else None) or self.doc_molecular
        default_cohort = segment.cohort if segment else self.doc_cohort
        if segment is not None and c.measure in ("N_ENROLLED", "N_EVALUABLE"):
            default_cohort = segment.intro_cohort  # a study's total, not the subset it goes on to describe
        default_trial = segment.trial if segment else self.doc_trial

        qualifier = c.qualifier
        qual_span = (
            (c.qualifier_start, c.qualifier_start + len(qualifier))
            if qualifier and c.qualifier_start is not None
            else None
        )
        drugs = self.group_drugs_in(*qual_span) if qual_span else ()
        if not drugs and qualifier:
            label = _GROUP_REFERENCE.fullmatch(qualifier.strip())
            drugs = self.group_drugs.get(label.group(1), ()) if label else ()
        if not qualifier and c.measure in ("N_ENROLLED", "N_EVALUABLE") and self.group_drugs:
            # "seven patients were treated with weekly paclitaxel (PTX group), ..., and 14 were treated
            # with lenvatinib (LT group)": a count takes the label its own clause ends with
            own = self._own_group_label(c, s_end)
            if own is not None:
                qualifier, qual_span = own.group(1) or own.group(2), own.span()
                drugs = self.group_drugs.get(qualifier, ())
        defined = self.cohort_groups.get(self._subject_subgroup(c) or "") if self.cohort_groups else None
        if not drugs and defined:
            drugs = defined[0]
            molecular = defined[1] or molecular
        group_span = self._group_span(c)
        # "two patients with lenvatinib showed stable disease": the counted group names its drug (a
        # dose level keeps the regimen: "One patient receiving 0.3 mg of efatutazone had a PR")
        if (
            not drugs
            and not qualifier
            and group_span
            and c.measure not in ("N_ENROLLED", "N_EVALUABLE")
            and not _DOSE.search(self.norm, *group_span)
        ):
            drugs = self.drugs_in(*group_span)
        if drugs and _DOSE.search(qualifier or "") and set(drugs) <= set(regimen):
            drugs = ()  # a dose level of the study's regimen ("receiving 0.3 mg of efatutazone")
        comparator = bool(qualifier and _COMPARATOR_GROUP.search(qualifier))
        # the arms are contrasted in the figure's sentence, or in a table's header row that names them
        c_start, c_end = s_start, s_end
        if qual_span and not (s_start <= qual_span[0] < s_end):
            c_start, c_end = self._sentence_span(qual_span[0])
        placebo_contrast = _PLACEBO.search(self.norm, c_start, c_end) is not None
        if comparator and placebo_contrast and qualifier and _PLACEBO.search(qualifier):
            # "randomized to sorafenib (n=207) or placebo (n=210)": the regimen less the drugs the
            # sentence names for the other arm (the shared backbone stays)
            drugs = tuple(sorted(set(regimen) - set(self.drugs_in(c_start, c_end, include_prior=True))))
            if set(drugs) == set(regimen):
                drugs = ()  # no arm's drug named here: the backbone is unknown, and the arm never had it all
        elif comparator:
            drugs = ()  # "the patients without treatment with dabrafenib and trametinib", "controls"
        elif drugs and placebo_contrast and set(drugs) < set(regimen):
            drugs = regimen  # "Pazopanib (n=36) | Placebo (n=35)": the pazopanib arm also had paclitaxel
        elif (
            not drugs
            and qualifier
            and self.uses_arms
            and _NAMED_ARM.search(qualifier)
            and (others := self.drugs_in(c_start, c_end))
        ):
            # "OS rates for trametinib versus chemotherapy arms ...": an arm named without its drugs is
            # the regimen less the drugs the sentence names for the other arm
            drugs = tuple(sorted(set(regimen) - set(others)))
        elif not drugs:
            sentence_drugs = self.drugs_in(s_start, s_end)
            intro = segment is not None and segment.intro == c.sentence
            if sentence_drugs and not set(sentence_drugs) <= set(regimen) and not intro:
                drugs = sentence_drugs
            elif len(self.union_drugs) > len(regimen) and not segment and self._pooled_figure(c, s_start):
                drugs = self.union_drugs
            else:
                drugs = regimen

        ncts = [(s, n) for s, _e, n in self.ncts if s_start <= s < s_end]
        trial = default_trial
        if len({n for _s, n in ncts}) == 1:
            trial = ncts[0][1]
        elif ncts:
            before = [n for s, n in ncts if s <= c.value_start]
            trial = before[-1] if before else ncts[0][1]

        if defined and defined[1]:
            default_cohort = combine(default_cohort, defined[1]) or default_cohort
        group_molecular = most_specific_molecular(self.cues_in(*group_span)) if group_span else None
        if (
            group_molecular
            and not self.cues_in(*group_span, frozenset({"histology"}))
            and not _MIXED_SELECTION.search(self.norm, *group_span)
        ):
            default_cohort = combine(default_cohort, group_molecular) or default_cohort
            if c.measure in ("N_ENROLLED", "N_EVALUABLE") and drugs and drugs != regimen:
                self.drug_group_molecular.setdefault(tuple(drugs), group_molecular)
        elif qualifier and tuple(drugs) in self.drug_group_molecular:
            # "5.2 months for dabrafenib plus trametinib": the group that received them, named before
            default_cohort = combine(default_cohort, self.drug_group_molecular[tuple(drugs)]) or default_cohort
        cohorts = self._cohorts(c, qualifier, molecular, default_cohort, s_start)
        subgroup = self._subgroup(c, qualifier, qual_span, drugs, regimen)
        sentence = self.text[s_start:s_end]
        out = []
        for cohort in cohorts:
            q = c.quantity
            out.append(
                {
                    "measure": c.measure,
                    "percent": q.percent,
                    "count": q.count,
                    "denominator": q.denominator,
                    "value": q.value,
                    "unit": q.unit,
                    "timepoint": c.timepoint,
                    "ci": list(q.ci) if q.ci else None,
                    "not_reached": q.not_reached,
                    "drugs": list(drugs),
                    "trial": trial,
                    "cohort": cohort,
                    "subgroup": subgroup,
                    "sentence": sentence,
                    "start": s_start,
                    "end": s_end,
                }
            )
        return out

    def _cohorts(
        self, c: Candidate, qualifier: str | None, molecular: str | None, default: str | None, s_start: int
    ) -> list[str | None]:
        if qualifier:
            if c.qualifier_start is not None and self.norm.startswith(qualifier, c.qualifier_start):
                cohort, named = cohort_from_cues(
                    self.cues_in(c.qualifier_start, c.qualifier_start + len(qualifier)), molecular
                )
            else:  # a qualifier rebuilt from a list ("0.15" + " mg"): read it on its own
                cohort, named = cohort_of(qualifier, molecular)
            if cohort == POOLED and not self._pooled_population():
                cohort = None  # "among all patients" of a one-cohort study is that cohort
            if len(set(named)) > 1 and re.search(r"\band\b|,", qualifier) and cohort not in named:
                return list(dict.fromkeys(named))  # "DCR was 100% for RR-DTC and MTC": one figure each
            if cohort:
                return [cohort]
        group = self._group_span(c)
        if group:
            cohort, named = cohort_from_cues(self.cues_in(*group), molecular)
            if cohort and len(set(named)) > 1 and cohort not in named:
                # "18 (8 with MTC and 10 with ATC)" of a study of both: all its patients; "8 patients (7
                # with papillary and 1 with follicular ...)" of one population: that population
                return [POOLED] if self.multi_cohort else [default]
            if cohort not in (None, THYROID, default) and default and cohort in vocabulary().lineage(default):
                return [default]  # "25 eligible patients with DTC" of a study of RAI-refractory DTC
            if cohort:
                return [cohort]
        cues = self.cues_in(s_start, c.value_start, frozenset({"histology", "pooled"}))
        if not cues and c.sentence > 0 and _ANAPHORA.match(self.norm, s_start):
            # "In this group, the CBR was 100%": the population the sentence before was about
            before = self.sentences[c.sentence - 1]
            named = self.cues_in(before[0], before[1], frozenset({"histology"}))
            if named:
                return [combine(named[0].value, molecular) or named[0].value]
        if cues:
            last = cues[-1]
            if last.kind == "pooled":
                return [POOLED if self._pooled_population() else default]
            own_molecular = most_specific_molecular(self.cues_in(max(s_start, last.start - MOLECULAR_REACH), last.end))
            return [combine(last.value, own_molecular or molecular) or last.value]
        return [default]

    def _pooled_population(self) -> bool:
        """Does 'all patients' name a pooled population (a multi-cohort study, or a review)?"""
        return self.multi_cohort or self.doc_cohort == POOLED or self.is_review

    def _subgroup(
        self,
        c: Candidate,
        qualifier: str | None,
        qual_span: tuple[int, int] | None,
        drugs: tuple[str, ...],
        regimen: tuple[str, ...],
    ) -> str | None:
        if not qualifier and c.group and c.group_start is not None:
            group_span = (c.group_start, c.group_start + len(c.group))
            subgroup = subgroup_of(c.group, drug=self._dose_drug(c.group, group_span, drugs or regimen))
            if subgroup and not subgroup.endswith(" arm"):
                return subgroup  # "One patient receiving 0.3 mg of efatutazone had a partial response"
        if not qualifier:
            return self._subject_subgroup(c)
        dose_drug = self._dose_drug(qualifier, qual_span, drugs or regimen)
        subgroup = subgroup_of(qualifier, drug=dose_drug)
        if subgroup:
            return subgroup
        if _COMPARATOR_GROUP.search(qualifier):
            return re.sub(r"\s+", " ", qualifier.strip())[:SUBGROUP_MAX_CHARS]
        qual_drugs = self.drugs_in(*qual_span, include_prior=True) if qual_span else ()
        named_arm = _NAMED_ARM.search(qualifier) is not None  # "the chemotherapy arms"
        if (qual_drugs or named_arm) and self.uses_arms:
            bare = re.sub(r"^(?:the\s+)", "", qualifier.strip(), flags=re.I)
            bare = re.sub(
                r"\s+(?:arms?|groups?)$", "", bare, flags=re.I
            )  # "sorafenib arms" of "the X and sorafenib arms"
            return f"{bare} arm"
        return None

    def _subject_subgroup(self, c: Candidate) -> str | None:
        """A named subgroup that is the subject of the value's clause: "Cohort 2 (n = 21) had a
        median OS of 8.74 months ... and a median PFS of 4.8 months"."""
        s_start = self.sentences[c.sentence][0]
        clause_start = max(s_start, self.norm.rfind(";", s_start, c.value_start) + 1)
        prefix = self.norm[clause_start : c.value_start]
        named = {
            subgroup_of(prefix[m.start() :], only=SUBJECT_SUBGROUP_CUES, before=1)
            for m in _SUBGROUP_WORD.finditer(prefix)
        } - {None}
        if len(named) != 1:
            return None  # none, or several ("cohort 1 ... whereas cohort 2 ..."): not one subject
        first = _SUBGROUP_WORD.search(prefix)
        return named.pop() if first is not None and first.start() <= SUBJECT_REACH else None

    def _dose_drug(self, qualifier: str, qual_span: tuple[int, int] | None, drugs: tuple[str, ...]) -> str | None:
        if qual_span:
            named = self.drugs_in(*qual_span, include_prior=True)
            if len(named) == 1:
                return named[0]
        number = re.search(r"\d+(?:\.\d+)?", qualifier)
        if number:
            for m in self.mentions:
                window = self.norm[m.end : m.end + DOSE_WINDOW]
                if number.group() in window and len(m.norms) == 1:
                    return m.norms[0]
        return drugs[0] if len(drugs) == 1 else None


def attribute(
    text: str,
    sentences: Sequence[tuple[int, int, str | None]],
    candidates: Sequence[Candidate],
    entities: Sequence[tuple[str, int, int, str]],
    context: dict,
    abbreviation_pairs: Sequence[tuple[str, int, int]] = (),
) -> list[dict]:
    """Outcome-figure dicts of the extraction contract, one per figure, in text order."""
    if not candidates:
        return []
    model = DocumentModel(text, sentences, candidates, entities, context, abbreviation_pairs)
    figures: list[dict] = []
    for candidate in sorted(candidates, key=lambda c: (c.value_start, c.measure)):
        for figure in model.figures(candidate):
            if figure not in figures:
                figures.append(figure)
    return figures
