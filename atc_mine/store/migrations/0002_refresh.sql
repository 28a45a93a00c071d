-- 0002: incremental refresh from PubMed and ClinicalTrials.gov.
-- refresh_watermarks: per source and query, where the next refresh starts (PubMed: the last
--   entry-date window's end, YYYY/MM/DD; ClinicalTrials.gov: the latest LastUpdatePostDate
--   stored, YYYY-MM-DD) and how far a refresh in progress got. Written in the transaction of
--   each batch, so a crash leaves the watermark of the last whole batch.
-- fetch_log: one row per committed batch (and per failure): what was asked, how many
--   documents, how many requests. Secrets (api_key, email) are never written.
-- trial_links: trials and publications, both ways: a PubMed record's DataBank NCT IDs, a
--   registry record's references, a text document's sidecar (its PMID and linked trials).
CREATE TABLE refresh_watermarks (
    source TEXT NOT NULL CHECK (source IN ('pubmed', 'ctgov')),
    query_key TEXT NOT NULL,
    watermark TEXT,
    progress TEXT NOT NULL DEFAULT '{}',
    last_success_at TEXT,
    last_run_id INTEGER REFERENCES runs(run_id),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (source, query_key)
);
CREATE TABLE fetch_log (
    fetch_id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES runs(run_id),
    source TEXT NOT NULL,
    query_key TEXT,
    step TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    documents INTEGER NOT NULL DEFAULT 0,
    requests INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    error TEXT,
    logged_at TEXT NOT NULL
);
CREATE INDEX fetch_log_run ON fetch_log(run_id);
CREATE TABLE trial_links (
    nct_id TEXT NOT NULL,
    pmid TEXT NOT NULL,
    via TEXT NOT NULL CHECK (via IN ('pubmed_databank', 'ctgov_reference', 'sidecar')),
    reference_type TEXT,
    first_seen_at TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(run_id),
    PRIMARY KEY (nct_id, pmid, via)
);
CREATE INDEX trial_links_pmid ON trial_links(pmid);
-- Links of the documents stored before this migration.
INSERT OR IGNORE INTO trial_links (nct_id, pmid, via, reference_type, first_seen_at, run_id)
    SELECT j.value, d.doc_id, 'pubmed_databank', NULL, d.loaded_at, d.run_id
    FROM documents d, json_each(d.metadata, '$.databank_nct_ids') j
    WHERE d.source = 'pubmed' AND d.is_current = 1 AND d.deleted = 0 AND j.value GLOB 'NCT[0-9]*';
INSERT OR IGNORE INTO trial_links (nct_id, pmid, via, reference_type, first_seen_at, run_id)
    SELECT d.doc_id, json_extract(r.value, '$.pmid'), 'ctgov_reference', json_extract(r.value, '$.type'), d.loaded_at, d.run_id
    FROM documents d, json_each(d.metadata, '$.references') r
    WHERE d.source = 'ctgov' AND d.is_current = 1 AND d.deleted = 0 AND json_extract(r.value, '$.pmid') IS NOT NULL;
INSERT OR IGNORE INTO trial_links (nct_id, pmid, via, reference_type, first_seen_at, run_id)
    SELECT j.value, json_extract(d.metadata, '$.pmid'), 'sidecar', NULL, d.loaded_at, d.run_id
    FROM documents d, json_each(d.metadata, '$.linked_trials') j
    WHERE d.source = 'text' AND d.is_current = 1 AND d.deleted = 0 AND json_extract(d.metadata, '$.pmid') IS NOT NULL
      AND j.value GLOB 'NCT[0-9]*';
