"""Logging set-up. Logs hold events only: never answers, names, secrets, case or interview
ids, case references or report hashes (logs are plaintext on disk, outside the store).

Nothing in the core formats personal data or a case's identifiers into a log call; as a
backstop, the filter blanks anything shaped like one (``redact_identifiers``). Tracebacks
are logged as code locations only (``safe_traceback``): an exception's message can quote the
input that caused it. Control characters from imported files are neutralised before they
reach a log line.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import traceback
from pathlib import Path
from types import TracebackType

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def replace_control_chars(text: str) -> str:
    """Make text from untrusted files safe to show on one log or terminal line."""
    return _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text)


_IDENTIFIERS = re.compile(
    r"(sha256:)?\b[0-9a-fA-F]{64}\b"  # content, report and backup hashes
    r"|\b[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\b"
    r"|\bFS-\d{4}-[0-9A-Z]{5}\b"  # case references (screening/store/cases.py)
)


def redact_identifiers(text: str) -> str:
    """Blank case/interview ids (UUIDs, with or without dashes), case references and hashes.
    Incident numbers (8 hex digits) are kept: they are how a user reports a crash."""
    return _IDENTIFIERS.sub("[id]", text)


def safe_traceback(kind: type[BaseException], tb: TracebackType | None) -> str:
    """The exception's type and stack (files, lines, functions), without its message."""
    frames = "".join(traceback.format_tb(tb)) if tb else ""
    return f"{kind.__module__}.{kind.__qualname__}\n{frames}"


class _SanitiseFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            # Clean the formatted line, arguments included: a newline in an argument
            # (say, a file name) must not forge a second log line.
            record.msg = redact_identifiers(replace_control_chars(record.getMessage()))
            record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            # Never let a formatter print an exception message: keep type and stack only.
            kind, _exc, tb = record.exc_info
            record.msg = f"{record.msg}\n{safe_traceback(kind, tb)}"
            record.exc_info = None
            record.exc_text = None
        return True


def setup_logging(log_dir: Path | None, *, level: int = logging.INFO,
                  to_stderr: bool = False) -> None:
    """Configure the root logger once.

    ``log_dir``: a rotating file (0600 in a 0700 folder, a few days kept); ``to_stderr``:
    warnings on stderr. With neither, log records are dropped rather than printed by
    Python's last-resort handler.
    """
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    sanitise = _SanitiseFilter()
    root.addHandler(logging.NullHandler())
    if to_stderr:
        stream = logging.StreamHandler()
        stream.setLevel(logging.WARNING)
        stream.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        stream.addFilter(sanitise)
        root.addHandler(stream)
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        old = os.umask(0o077)
        try:
            handler = logging.handlers.TimedRotatingFileHandler(
                log_dir / "fieldscreen.log", when="D", backupCount=5, encoding="utf-8"
            )
        finally:
            os.umask(old)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(sanitise)
        root.addHandler(handler)
