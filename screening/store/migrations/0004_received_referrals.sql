-- Schema version 4: where a received referral came from (issue #15, review).

-- One row per case that came in as a hand-over packet (`fieldscreen receive`, the app's
-- "Receive a referral…"), written in the same transaction as the case: the packet's identity
-- (document id, hashes), the sender as the packet states it (FieldScreen store id, agency,
-- officer and how to reach them, their case reference and audit anchor), when it was sent and
-- received, and the earlier case it repeats or updates. The case list shows it as "received
-- from"; a packet received again is recognised by its document id, an updated referral by the
-- sender's store id and case reference (screening.casework.handover). Inside the encrypted
-- file; removed with the case.
CREATE TABLE received_referrals (
    case_id               TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    document_id           TEXT NOT NULL,
    packet_sha256         TEXT NOT NULL,
    file_sha256           TEXT NOT NULL,
    sender_store_id       TEXT NOT NULL,
    sender_case_reference TEXT NOT NULL,
    sender_agency         TEXT NOT NULL DEFAULT '',
    sender_officer        TEXT NOT NULL DEFAULT '',
    sender_phone          TEXT NOT NULL DEFAULT '',
    sender_email          TEXT NOT NULL DEFAULT '',
    sender_anchor_entry   INTEGER NOT NULL,
    sender_anchor_digest  TEXT NOT NULL,
    recipient_fingerprint TEXT NOT NULL,
    sent_at               TEXT NOT NULL,
    received_at           TEXT NOT NULL,
    earlier_case_id       TEXT,                 -- the case it repeats or updates (may be gone)
    relation              TEXT CHECK (relation IS NULL OR relation IN ('same', 'newer', 'older'))
) WITHOUT ROWID;
CREATE INDEX received_by_document ON received_referrals (document_id);
CREATE INDEX received_by_sender_case ON received_referrals (sender_store_id,
                                                           sender_case_reference);

-- Cases received before this version: what their `referral.received` audit entry recorded,
-- and the sending officer from the interview (the packet's phone and e-mail were not kept).
INSERT OR IGNORE INTO received_referrals (
    case_id, document_id, packet_sha256, file_sha256, sender_store_id, sender_case_reference,
    sender_agency, sender_officer, sender_anchor_entry, sender_anchor_digest,
    recipient_fingerprint, sent_at, received_at)
SELECT a.case_id,
       coalesce(json_extract(a.detail, '$.document_id'), ''),
       coalesce(json_extract(a.detail, '$.packet_sha256'), ''),
       coalesce(json_extract(a.detail, '$.file_sha256'), ''),
       coalesce(json_extract(a.detail, '$.sender_store_id'), ''),
       coalesce(json_extract(a.detail, '$.sender_case_reference'), ''),
       coalesce(json_extract(a.detail, '$.sender_agency'), ''),
       coalesce((SELECT i.officer FROM interviews i WHERE i.id = a.interview_id), ''),
       coalesce(json_extract(a.detail, '$.sender_audit_anchor.entry_id'), 0),
       coalesce(json_extract(a.detail, '$.sender_audit_anchor.digest'), ''),
       coalesce(json_extract(a.detail, '$.recipient_fingerprint'), ''),
       coalesce(json_extract(a.detail, '$.sent_at'), a.at),
       a.at
FROM audit a JOIN cases c ON c.id = a.case_id
WHERE a.action = 'referral.received'
ORDER BY a.id;
