-- 0001: documents (versioned by content), entities, outcome figures, extraction marks, runs
CREATE TABLE runs (
    run_id INTEGER PRIMARY KEY,
    command TEXT NOT NULL,
    args TEXT NOT NULL DEFAULT '{}',
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'failed')),
    extractor_version TEXT,
    counts TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE documents (
    doc_pk INTEGER PRIMARY KEY,
    source TEXT NOT NULL CHECK (source IN ('text', 'pubmed', 'ctgov')),
    doc_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    is_current INTEGER NOT NULL DEFAULT 1,
    content_sha1 TEXT NOT NULL,
    text_sha1 TEXT NOT NULL,
    source_version TEXT,
    title TEXT,
    text TEXT NOT NULL,
    sections TEXT NOT NULL DEFAULT '[]',
    metadata TEXT NOT NULL DEFAULT '{}',
    deleted INTEGER NOT NULL DEFAULT 0,
    first_seen_at TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(run_id),
    UNIQUE (source, doc_id, version)
);
CREATE UNIQUE INDEX documents_current ON documents(source, doc_id) WHERE is_current = 1;
CREATE TABLE entities (
    doc_pk INTEGER NOT NULL REFERENCES documents(doc_pk) ON DELETE CASCADE,
    label TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    norm TEXT NOT NULL,
    PRIMARY KEY (doc_pk, label, start, "end")
);
CREATE INDEX entities_norm ON entities(label, norm);
CREATE TABLE outcomes (
    doc_pk INTEGER NOT NULL REFERENCES documents(doc_pk) ON DELETE CASCADE,
    record_id TEXT NOT NULL,
    measure TEXT NOT NULL,
    percent REAL,
    count INTEGER,
    denominator INTEGER,
    value REAL,
    unit TEXT,
    timepoint TEXT,
    ci_low REAL,
    ci_high REAL,
    not_reached INTEGER NOT NULL DEFAULT 0,
    drugs TEXT NOT NULL DEFAULT '[]',
    trial TEXT,
    cohort TEXT,
    subgroup TEXT,
    sentence TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    run_id INTEGER REFERENCES runs(run_id),
    PRIMARY KEY (doc_pk, record_id)
);
CREATE INDEX outcomes_trial ON outcomes(trial);
CREATE TABLE extractions (
    doc_pk INTEGER PRIMARY KEY REFERENCES documents(doc_pk) ON DELETE CASCADE,
    extractor_version TEXT NOT NULL,
    text_sha1 TEXT NOT NULL,
    extracted_at TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(run_id)
);
