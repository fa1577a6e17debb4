"""The encrypted store: SQLCipher database, key slots, audit trail, search, backup, export.

Public entry point is :class:`Store`; its ``interviews`` repository implements the engine's
``AnswerStore`` protocol.
See ``store.py`` for the files in a data folder and ``keys.py`` for the key hierarchy.
"""

from screening.store.backup import BackupInfo
from screening.store.export import ExportInfo, decrypt_export
from screening.store.keys import passphrase_problem
from screening.store.models import (
    AuditAnchor,
    AuditEntry,
    AuditReport,
    Case,
    CaseSummary,
    Interview,
    InterviewMeta,
    PersonInfo,
    ReceivedFrom,
    ReportRecord,
)
from screening.store.records import ConsentRecord, InterviewContext, ReferralRecord
from screening.store.store import Store
from screening.store.throttle import UnlockThrottle

__all__ = [
    "AuditAnchor",
    "AuditEntry",
    "AuditReport",
    "BackupInfo",
    "Case",
    "CaseSummary",
    "ConsentRecord",
    "ExportInfo",
    "Interview",
    "InterviewContext",
    "InterviewMeta",
    "PersonInfo",
    "ReceivedFrom",
    "ReferralRecord",
    "ReportRecord",
    "Store",
    "UnlockThrottle",
    "decrypt_export",
    "passphrase_problem",
]
