"""The envelope: one interview's submission as built for the server, stored before sending.

Issue #18. The multipart parts Central receives (the ``xml_submission_file`` part, which for
an encrypted form is ODK's manifest, and the files, e.g. ``submission.xml.enc``), kept in the
send queue as one JSON document so that a resend posts exactly the same bytes.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

_ENVELOPE_FORMAT = "fieldscreen-envelope/1"


@dataclass(frozen=True)
class Envelope:
    """What is posted for one interview: the ``xml_submission_file`` part and the files."""

    manifest: bytes = field(repr=False)
    files: Mapping[str, bytes] = field(repr=False)
    encrypted: bool

    @property
    def size(self) -> int:
        return len(self.manifest) + sum(len(v) for v in self.files.values())

    def encode(self) -> bytes:
        def b64(data: bytes) -> str:
            return base64.b64encode(data).decode("ascii")

        return json.dumps({"format": _ENVELOPE_FORMAT, "encrypted": self.encrypted,
                           "manifest": b64(self.manifest),
                           "files": [[k, b64(v)] for k, v in self.files.items()]},
                          separators=(",", ":")).encode("ascii")

    @classmethod
    def decode(cls, data: bytes) -> Envelope | None:
        try:
            doc = json.loads(data)
            if doc.get("format") != _ENVELOPE_FORMAT:
                return None
            return cls(base64.b64decode(doc["manifest"]),
                       {str(k): base64.b64decode(v) for k, v in doc["files"]},
                       bool(doc["encrypted"]))
        except (ValueError, KeyError, TypeError):
            return None


__all__ = ["Envelope"]
