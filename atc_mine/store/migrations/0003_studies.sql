-- 0003: studies, the rows of the evidence table, and what each rests on.
-- Figures are grouped into clinical studies (by trial ID, else regimen + cohort + publication
-- linkage) and merged into one row per study and cohort: the latest data cut shown, earlier cuts
-- kept as history, disagreeing figures of one cut kept as conflicts.
-- The whole drawing is derived data: atc_mine.evidence.redraw replaces it in one transaction
-- after every load, from the current documents and their figures.
CREATE TABLE studies (
    study_id TEXT PRIMARY KEY,
    trial TEXT,
    key_kind TEXT NOT NULL CHECK (key_kind IN ('trial', 'publication')),
    title TEXT,
    regimen TEXT,
    drugs TEXT NOT NULL DEFAULT '[]',
    therapy_class TEXT NOT NULL,
    targets TEXT NOT NULL DEFAULT '[]',
    phase TEXT,
    status TEXT,
    atc_relevant INTEGER NOT NULL,
    relevance TEXT,
    candidate_trials TEXT NOT NULL DEFAULT '[]',
    first_cut TEXT,
    latest_cut TEXT
);
CREATE INDEX studies_trial ON studies(trial);
CREATE TABLE study_documents (
    study_id TEXT NOT NULL REFERENCES studies(study_id) ON DELETE CASCADE,
    doc_pk INTEGER NOT NULL REFERENCES documents(doc_pk) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('publication', 'registry')),
    linked_by TEXT NOT NULL,
    data_cut TEXT,
    label TEXT NOT NULL,
    PRIMARY KEY (study_id, doc_pk)
);
CREATE INDEX study_documents_doc ON study_documents(doc_pk);
CREATE TABLE study_rows (
    row_id TEXT PRIMARY KEY,
    study_id TEXT NOT NULL REFERENCES studies(study_id) ON DELETE CASCADE,
    in_atc_table INTEGER NOT NULL,
    therapy_class TEXT NOT NULL,
    regimen TEXT,
    drugs TEXT,
    targets TEXT,
    trial TEXT,
    phase TEXT,
    cohort TEXT,
    n INTEGER,
    n_evaluable INTEGER,
    orr_percent REAL,
    orr_count INTEGER,
    orr_ci_low REAL,
    orr_ci_high REAL,
    orr_basis TEXT,
    cr INTEGER,
    pr INTEGER,
    sd INTEGER,
    pd INTEGER,
    dcr_percent REAL,
    pfs_median_months REAL,
    os_median_months REAL,
    data_cut TEXT,
    status TEXT,
    sources TEXT,
    conflicts TEXT,
    candidate_trials TEXT,
    other_figures TEXT,
    notes TEXT
);
CREATE INDEX study_rows_study ON study_rows(study_id);
CREATE TABLE study_figures (
    row_id TEXT NOT NULL REFERENCES study_rows(row_id) ON DELETE CASCADE,
    study_id TEXT NOT NULL REFERENCES studies(study_id) ON DELETE CASCADE,
    doc_pk INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    field TEXT NOT NULL,
    arm TEXT,
    timepoint TEXT,
    number REAL,
    not_reached INTEGER NOT NULL DEFAULT 0,
    data_cut TEXT,
    status TEXT NOT NULL CHECK (status IN ('shown', 'agrees', 'history', 'conflict')),
    PRIMARY KEY (row_id, doc_pk, record_id, field),
    FOREIGN KEY (doc_pk, record_id) REFERENCES outcomes(doc_pk, record_id) ON DELETE CASCADE
);
CREATE INDEX study_figures_figure ON study_figures(doc_pk, record_id);
CREATE TABLE study_conflicts (
    row_id TEXT NOT NULL REFERENCES study_rows(row_id) ON DELETE CASCADE,
    study_id TEXT NOT NULL REFERENCES studies(study_id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    arm TEXT,
    timepoint TEXT,
    data_cut TEXT,
    chosen REAL,
    candidates TEXT NOT NULL
);
CREATE TABLE study_drawings (
    drawing_id INTEGER PRIMARY KEY,
    drawn_at TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(run_id),
    fingerprint TEXT NOT NULL,
    counts TEXT NOT NULL DEFAULT '{}'
)
