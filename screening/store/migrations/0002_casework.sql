-- Schema version 2: what a workspace keeps inside the encrypted store (issue #12).

-- Instrument texts: the ones the team installed (an imported XLSForm or instrument file) and
-- every text an interview was run with ("snapshots"), keyed by content hash. They reveal
-- which forms a team uses, so they live here, encrypted, and travel with backups. A report,
-- export, review or resume reads the text an interview used from here, so a case stays
-- reportable after a file is deleted or upgraded, or on another laptop after a restore.
CREATE TABLE instrument_texts (
    content_hash  TEXT PRIMARY KEY,            -- sha256:... over the canonical form
    instrument_id TEXT NOT NULL,
    version       TEXT NOT NULL,
    canonical     TEXT NOT NULL,               -- canonical JSON, loadable as an instrument
    installed     INTEGER NOT NULL DEFAULT 0 CHECK (installed IN (0, 1)),
    source        TEXT,                        -- base name of the file it came from
    added_at      TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX instrument_texts_by_id ON instrument_texts (instrument_id, version);

-- The referral directory the agency imported (validated CSV text), merged over the shipped
-- directory by service id. One at a time: a new import replaces it.
CREATE TABLE directory_import (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    source      TEXT,
    csv         TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

-- A service chosen outside the scope of the person's consent needs the officer's reason.
ALTER TABLE referrals ADD COLUMN override_reason TEXT;
