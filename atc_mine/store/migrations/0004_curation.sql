-- 0004: curator decisions on candidate outcome figures, kept apart from the figures themselves.
-- A decision names the figure it was made on (source, doc_id, record_id) and carries that figure
-- (a snapshot), its fingerprint (its values, no offsets) and its anchor (measure + sentence).
-- There is no foreign key to outcomes or documents on purpose: those rows are replaced on every
-- re-extraction and every new document version, and a decision must outlive them. Reading matches
-- decisions to the current figures (atc_mine/curation.py): an identical figure keeps its decision,
-- a changed figure where the decided one stood is shown for review again.
CREATE TABLE curation_decisions (
    source TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    anchor TEXT NOT NULL,
    measure TEXT NOT NULL,
    figure TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accept', 'correct', 'reject')),
    corrections TEXT NOT NULL DEFAULT '{}',
    curator TEXT NOT NULL,
    note TEXT,
    origin TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(run_id),
    PRIMARY KEY (source, doc_id, record_id)
);
CREATE INDEX curation_decisions_fingerprint ON curation_decisions(source, doc_id, fingerprint);
-- Every change of a decision, appended (an import that changes nothing appends nothing).
CREATE TABLE curation_history (
    history_id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    status TEXT NOT NULL,
    previous_status TEXT,
    corrections TEXT NOT NULL DEFAULT '{}',
    curator TEXT NOT NULL,
    note TEXT,
    origin TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(run_id)
);
CREATE INDEX curation_history_record ON curation_history(source, doc_id, record_id);
