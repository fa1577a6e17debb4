"""ODK keys <-> FieldScreen keys for the conformance runner.

The corpus and the ODK engines key a field by its XML element names (``children[1].name``);
FieldScreen renames an item whose name another item already has (``children.name``) and
writes the ODK name back in its export (``odk_export.element_names``). Inside a ``begin
loop`` every engine keys a field ``loop.choice.field``, which is FieldScreen's own name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from screening.engine.state import Entry, make_key, split_key
from screening.instruments.model import Instrument, ItemType
from screening.xlsform.odk_export import _walk_form

_SEGMENT = re.compile(r"([^\[\]]+)\[(\d+)\]\.")


class KeyNames:
    def __init__(self, instrument: Instrument, loops: Iterable[str] = ()) -> None:
        loop_names = set(loops)
        self.to_odk: dict[str, str] = {}
        self.to_fs: dict[tuple[tuple[str, ...], str], str] = {}
        for item, path, marks in _walk_form(instrument):
            at = next((i for i, element in enumerate(path) if element in loop_names), None)
            odk = ".".join(path[at:]) if at is not None and len(path) - at == 3 else path[-1]
            self.to_odk[item.name] = odk
            chain = tuple(path[i] for i, mark in enumerate(marks[:-1]) if mark is not None)
            self.to_fs.setdefault((chain, odk), item.name)
            if item.type is ItemType.REPEAT:
                self.to_fs.setdefault((chain, odk), item.name)

    def fs_key(self, key: str) -> str:
        """``children[1].name`` -> ``children[1].children.name`` (unknown names unchanged)."""
        match = re.match(r"((?:[^\[\]]+\[\d+\]\.)*)(.+)$", key)
        assert match is not None
        chain: tuple[str, ...] = ()
        path: list[tuple[str, int]] = []
        for name, index in _SEGMENT.findall(match.group(1)):
            path.append((self.to_fs.get((chain, name), name), int(index)))
            chain = (*chain, name)
        leaf = self.to_fs.get((chain, match.group(2)), match.group(2))
        return make_key(leaf, Entry(tuple(path)) if path else None)

    def odk_key(self, key: str) -> str:
        name, entry = split_key(key)
        prefix = "".join(f"{self.to_odk.get(r, r)}[{i}]." for r, i in entry.path) if entry else ""
        return prefix + self.to_odk.get(name, name)
