-- Schema version 3: what a receiving agency needs to act on a referral (issue #15).

-- The referral details of a case: how to contact the person safely, where they are now,
-- the exploitation (type, where, when), the alleged exploiters, other potential victims, the
-- police reference and what the person says they want. One JSON object per case, written and
-- checked by screening.casework.referral_details (the store does not interpret it). Personal
-- data: inside the encrypted file, removed with the case.
CREATE TABLE referral_details (
    case_id    TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    details    TEXT NOT NULL,                  -- JSON object
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
