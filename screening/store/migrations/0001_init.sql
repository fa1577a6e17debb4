-- FieldScreen store, schema version 1. Released migrations are never edited: add a new file.
-- Every table is inside the SQLCipher-encrypted file. Timestamps are ISO 8601 UTC text.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE cases (
    id         TEXT PRIMARY KEY,
    reference  TEXT NOT NULL UNIQUE,           -- pseudonymous, e.g. FS-2026-7K3Q9
    status     TEXT NOT NULL DEFAULT 'draft'
               CHECK (status IN ('draft', 'screened', 'referred', 'closed')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_by_update ON cases (updated_at);

-- The only table with identifying details of the person screened. One row per case at most.
CREATE TABLE persons (
    case_id       TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    name          TEXT,
    aliases       TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    date_of_birth TEXT,
    gender        TEXT,
    nationality   TEXT,
    languages     TEXT NOT NULL DEFAULT '[]',  -- JSON array of language codes
    contact       TEXT,
    notes         TEXT
);

CREATE TABLE interviews (
    id                   TEXT PRIMARY KEY,
    case_id              TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    instrument_id        TEXT NOT NULL,
    instrument_version   TEXT NOT NULL,
    content_hash         TEXT NOT NULL,
    respondent_language  TEXT NOT NULL,
    officer_language     TEXT NOT NULL,
    interpreter_used     INTEGER NOT NULL DEFAULT 0 CHECK (interpreter_used IN (0, 1)),
    interpreter_language TEXT,
    location             TEXT,
    officer              TEXT,
    status               TEXT NOT NULL DEFAULT 'in_progress'
                         CHECK (status IN ('in_progress', 'finished')),
    position             TEXT,
    result               TEXT,                 -- JSON screening result once finished
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    finished_at          TEXT
);
CREATE INDEX interviews_by_case ON interviews (case_id, created_at);

-- Current answer per item.
CREATE TABLE answers (
    interview_id TEXT NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    item         TEXT NOT NULL,
    value        TEXT NOT NULL,                -- JSON
    special      TEXT CHECK (special IS NULL OR special IN ('refused', 'dont_know')),
    language     TEXT NOT NULL,
    answered_at  TEXT NOT NULL,
    relevant     INTEGER NOT NULL DEFAULT 1 CHECK (relevant IN (0, 1)),
    note         TEXT,
    PRIMARY KEY (interview_id, item)
) WITHOUT ROWID;

-- Every answer ever given, oldest first by id: nothing an officer typed is lost on change.
CREATE TABLE answer_history (
    id           INTEGER PRIMARY KEY,
    interview_id TEXT NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    item         TEXT NOT NULL,
    value        TEXT NOT NULL,
    special      TEXT,
    language     TEXT NOT NULL,
    answered_at  TEXT NOT NULL,
    relevant     INTEGER NOT NULL,
    note         TEXT,
    saved_at     TEXT NOT NULL
);
CREATE INDEX answer_history_by_item ON answer_history (interview_id, item, id);

CREATE TABLE reports (
    id           INTEGER PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    interview_id TEXT REFERENCES interviews (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    file_name    TEXT,                         -- base name only, no folders
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    created_at   TEXT NOT NULL
);
CREATE INDEX reports_by_case ON reports (case_id);

-- Append-only, hash-chained audit trail. Ids, actions and codes only: never names or answers.
-- AUTOINCREMENT so that sqlite_sequence remembers the highest id ever used: a truncated tail
-- is detected.
CREATE TABLE audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    action       TEXT NOT NULL,
    case_id      TEXT,
    interview_id TEXT,
    detail       TEXT NOT NULL DEFAULT '{}',   -- JSON of ids/codes
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);

-- Search over reference, name and aliases, normalised in Python (NFKC, case-folded, accents
-- removed). Trigram: substring search in any script, CJK included.
CREATE VIRTUAL TABLE case_search USING fts5 (
    case_id UNINDEXED,
    text,
    tokenize = 'trigram'
);
-- Delete index entries immediately instead of leaving them until the next merge.
INSERT INTO case_search (case_search, rank) VALUES ('secure-delete', 1);

-- How the interview was conducted (trauma-informed practice record). One row per interview.
CREATE TABLE interview_context (
    interview_id             TEXT PRIMARY KEY REFERENCES interviews (id) ON DELETE CASCADE,
    confidentiality_explained INTEGER NOT NULL DEFAULT 0,
    interpreter_used         INTEGER NOT NULL DEFAULT 0,
    interpreter_language     TEXT,
    same_gender_offered      INTEGER NOT NULL DEFAULT 0,
    private_setting          INTEGER NOT NULL DEFAULT 0,
    companion                TEXT NOT NULL DEFAULT 'none'
                             CHECK (companion IN ('none', 'present', 'separated')),
    breaks                   INTEGER NOT NULL DEFAULT 0,
    stopped_early            INTEGER NOT NULL DEFAULT 0,
    stopped_reason           TEXT,
    updated_at               TEXT NOT NULL
);

-- What the person agreed to, with whom, when and how it was recorded. Append-only in
-- practice: a withdrawal is recorded by setting withdrawn_at, never by deleting the row.
CREATE TABLE consents (
    id           INTEGER PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    interview_id TEXT REFERENCES interviews (id) ON DELETE CASCADE,
    given        INTEGER NOT NULL CHECK (given IN (0, 1)),
    scope        TEXT NOT NULL DEFAULT '[]',   -- JSON array, e.g. ["screening", "share_with_services"]
    recipients   TEXT NOT NULL DEFAULT '[]',   -- JSON array of who may receive the data
    recorded_how TEXT NOT NULL,                -- verbal | written | signed | other
    language     TEXT,                         -- language the consent text was given in
    given_at     TEXT NOT NULL,
    withdrawn_at TEXT
);
CREATE INDEX consents_by_case ON consents (case_id);

CREATE TABLE referrals (
    id           INTEGER PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    service_id   TEXT NOT NULL,
    service_name TEXT NOT NULL,
    kind         TEXT NOT NULL,
    contacts     TEXT NOT NULL DEFAULT '',
    languages    TEXT NOT NULL DEFAULT '[]',   -- JSON array
    reason       TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL
);
CREATE INDEX referrals_by_case ON referrals (case_id);

-- The officer's narrative notes for a case (free text: personal data).
CREATE TABLE case_notes (
    case_id    TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    narrative  TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Settings that may identify someone (officer profile) or matter for safety (auto-lock) live
-- here, encrypted; only the UI language may sit outside the database.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL                        -- JSON
) WITHOUT ROWID;
