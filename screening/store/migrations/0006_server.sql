-- Schema version 6: sending finished interviews to an ODK Central server (issue #18).

-- Each instrument text published to a server: one row per server (normalised base URL),
-- project and content hash, with the XForm exactly as Central serves it back. With Central's
-- managed encryption Central re-versions the form (`<ours>[encrypted:XXXX]`) and holds the
-- key; a submission must carry that version and be encrypted to that key, so both are read
-- from the form Central serves and kept here.
CREATE TABLE server_forms (
    server             TEXT NOT NULL,
    project_id         INTEGER NOT NULL,
    form_id            TEXT NOT NULL,            -- the instrument id
    content_hash       TEXT NOT NULL,            -- the instrument text it was made from
    instrument_version TEXT NOT NULL,
    version            TEXT NOT NULL,            -- the version as Central serves it
    public_key         TEXT,                     -- base64 RSA key; NULL: a form without one
    root_name          TEXT NOT NULL,
    xml                BLOB NOT NULL,            -- the XForm as Central serves it
    managed            INTEGER NOT NULL DEFAULT 0 CHECK (managed IN (0, 1)),
    published_at       TEXT NOT NULL,
    PRIMARY KEY (server, project_id, form_id, content_hash)
);

-- The send queue: one row per interview an officer chose to send (`fieldscreen server
-- queue`, the app's "Send to server…"). Rows are committed before anything goes on the
-- network, so the queue survives restarts and kill -9. `envelope` is the submission built
-- and encrypted once and stored before the first attempt: a resend after a crash is the same
-- bytes, which Central takes as the same submission (one record); it is cleared once the item
-- is sent. An interview changed after it was sent (reopened and finished again) is queued
-- again as an ODK edit: a new `instance_id` whose submission names the one Central holds
-- (`sent_instance_id`) as its meta/deprecatedID, so Central replaces its record with the
-- new version. Removed with the case.
CREATE TABLE send_queue (
    interview_id      TEXT PRIMARY KEY REFERENCES interviews (id) ON DELETE CASCADE,
    case_id           TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    instance_id       TEXT NOT NULL,             -- what is (or was last) sent
    queued_at         TEXT NOT NULL,
    queued_by         TEXT NOT NULL DEFAULT '',
    remove_after      INTEGER NOT NULL DEFAULT 0 CHECK (remove_after IN (0, 1)),
    state             TEXT NOT NULL DEFAULT 'queued'
                      CHECK (state IN ('queued', 'sent', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   TEXT,                      -- a transient failure: not before then
    last_error        TEXT,
    last_error_kind   TEXT,
    envelope          BLOB,                      -- the built submission (encrypted if keyed)
    envelope_for      TEXT,                      -- form, version, key, instance it was for
    sent_at           TEXT,
    sent_server       TEXT,
    sent_project      INTEGER,
    sent_form_version TEXT,
    sent_instance_id  TEXT,                      -- the instanceID Central holds as current
    sent_finished_at  TEXT,                      -- the interview's finished_at it was built from
    deprecated_id     TEXT                       -- the instanceID the sent edit replaced
);
CREATE INDEX send_queue_by_case ON send_queue (case_id);
CREATE INDEX send_queue_by_state ON send_queue (state, next_attempt_at);
