-- Schema version 7: the case list at 100,000 cases (issue #19).

-- The list is sorted, filtered and paged in SQL, on indexes of `cases` alone, so a page of
-- 200 rows costs the same at 100 cases as at 100,000. Each sortable column is a column of
-- `cases`, each index ends with the status (the status filter is read from the index):
-- * name_key: the person's name as search.normalise folds it (accent- and case-blind in
--   every script); written with the name by the case repository ('' without one). It is
--   the person's name, so it goes with the case like the rest (secure_delete zeroes it).
-- * received_key: "Received from" (the sending agency, else officer), written when the case
--   is received; '' for a case made here.
-- * interview_count: kept by the triggers below, on every path that adds or removes an
--   interview (deleting a case included).
-- * search_rowid: the rowid of the case's entries in case_search and case_search_chars,
--   so a search reads the full-text indexes' rowids only and the case list joins them here.
-- fs_sort_key, fs_received_key and fs_chars are the Python functions of search.py, given to
-- the connection while migrations run (migrations/__init__.py): existing rows get the same
-- keys as new ones.
ALTER TABLE cases ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN received_key TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN interview_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN search_rowid INTEGER;

UPDATE cases SET
    name_key = coalesce((SELECT fs_sort_key(p.name) FROM persons p WHERE p.case_id = cases.id),
                        ''),
    received_key = coalesce((SELECT fs_received_key(r.sender_agency, r.sender_officer)
                             FROM received_referrals r WHERE r.case_id = cases.id), ''),
    interview_count = (SELECT count(*) FROM interviews i WHERE i.case_id = cases.id);
UPDATE cases SET search_rowid = s.rowid
FROM (SELECT rowid, case_id FROM case_search) AS s WHERE s.case_id = cases.id;

-- cases_by_update (updated_at) stays: "most recently changed first" without the status
-- (exports read every case in that order).
CREATE INDEX cases_by_update_status ON cases (updated_at, status);
CREATE INDEX cases_by_created ON cases (created_at, status);
CREATE INDEX cases_by_reference ON cases (reference COLLATE NOCASE, status);
CREATE INDEX cases_by_name ON cases (name_key, status);
CREATE INDEX cases_by_status ON cases (status);
CREATE INDEX cases_by_interviews ON cases (interview_count, status);
CREATE INDEX cases_by_received ON cases (received_key, status);
CREATE UNIQUE INDEX cases_by_search ON cases (search_rowid);

CREATE TRIGGER interviews_counted AFTER INSERT ON interviews BEGIN
    UPDATE cases SET interview_count = interview_count + 1 WHERE id = NEW.case_id;
END;
CREATE TRIGGER interviews_uncounted AFTER DELETE ON interviews BEGIN
    UPDATE cases SET interview_count = interview_count - 1 WHERE id = OLD.case_id;
END;
CREATE TRIGGER interviews_moved AFTER UPDATE OF case_id ON interviews BEGIN
    UPDATE cases SET interview_count = interview_count - 1 WHERE id = OLD.case_id;
    UPDATE cases SET interview_count = interview_count + 1 WHERE id = NEW.case_id;
END;

-- Search terms of one or two characters (search.py): the normalised text of case_search,
-- one token per character (every category but spaces and controls), under the same rowid.
CREATE VIRTUAL TABLE case_search_chars USING fts5 (
    text,
    tokenize = "unicode61 remove_diacritics 0 categories 'L* M* N* P* S* Co Cn'"
);
INSERT INTO case_search_chars (case_search_chars, rank) VALUES ('secure-delete', 1);
INSERT INTO case_search_chars (rowid, text) SELECT rowid, fs_chars(text) FROM case_search;

-- Child columns that had no index (issue #19): saving an interview's consent deleted by
-- interview_id, and deleting an interview cascades by it, each a scan of every consent
-- or report in the store (12 ms per interview started at 10,000 cases, growing with them).
CREATE INDEX consents_by_interview ON consents (interview_id);
CREATE INDEX reports_by_interview ON reports (interview_id);
