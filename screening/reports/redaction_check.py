"""The check that keeps the redaction table complete: every field of the packet data is
named in ``redaction.FIELDS`` (the test suite asserts ``unclassified_fields() == []``)."""

from __future__ import annotations

import types
import typing
from dataclasses import fields, is_dataclass
from typing import Any

from screening.reports import packet as pk
from screening.reports.packet import ReferralPacket
from screening.reports.redaction import POLICIES


def unclassified_fields() -> list[str]:
    """Fields of the packet data the table does not name (must be empty; see the module
    docstring). Walks the dataclass types, so an empty tuple hides nothing."""
    policy = POLICIES["redacted"]
    containers = policy.containers
    missing: list[str] = []

    def visit(cls: type, prefix: str) -> None:
        hints = typing.get_type_hints(cls, vars(pk))
        for f in fields(cls):
            path = prefix + f.name
            if path in policy.rules:
                continue
            if path not in containers:
                missing.append(path)
                continue
            inner = _record_type(hints[f.name])
            if inner is None:
                missing.append(path)
            else:
                visit(inner, path + ".")

    visit(ReferralPacket, "")
    return missing


def _record_type(hint: Any) -> type | None:
    """The dataclass inside ``X``, ``X | None`` or ``tuple[X, ...]``."""
    if isinstance(hint, type) and is_dataclass(hint):
        return hint
    origin = typing.get_origin(hint)
    if origin in (tuple, typing.Union, types.UnionType):
        for arg in typing.get_args(hint):
            found = _record_type(arg)
            if found is not None:
                return found
    return None
