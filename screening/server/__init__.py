"""Sending finished interviews to an ODK Central server, encrypted (issue #18).

Modules: ``settings`` (the server settings, in the encrypted store), ``service`` (the one
service the CLI and the app call: ``Workspace.server``), ``publishing`` (instrument -> the
XForm Central serves), ``client`` (the HTTP client, the only code that opens a connection),
``odk_crypto`` (ODK's submission encryption), ``xform`` and ``instance`` (the XForm and the
submission XML). Names are loaded on first use, so importing one module does not load the
HTTP client or pyxform.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ServerSettings": "screening.server.settings",
    "ServerService": "screening.server.service",
    "SendResult": "screening.server.service",
    "QueueEntry": "screening.server.service",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'screening.server' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = sorted(_EXPORTS)
