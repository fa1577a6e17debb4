"""The container inside a hand-over packet: a zip file with a manifest.

Decrypting a hand-over packet (``age -d -i IDENTITY F.age > F.zip``) gives a zip holding::

    manifest.json     {"format": "fieldscreen-handover/1", "created_at": "...",
                       "members": {"referral.pdf": {"sha256": "...", "size": 123}, ...}}
    referral.pdf      the full referral packet (PDF, with its data embedded as referral.json)
    case.json         the structured case ("fieldscreen-case/1"): person, interview answers,
                      outcome, consent as recorded, referral choices, provenance
    instrument.json   the exact instrument text the interview used (FieldScreen's canonical
                      JSON; its SHA-256 is the instrument's content hash)

The manifest names every member with its SHA-256 and size; ``unpack`` refuses a container
with a member missing, added, renamed, of another size or hash (``Altered``). age already
authenticates the whole file against changes in transit; the manifest also catches a
container rebuilt with a member swapped. Neither proves who made the packet: anyone who
has the recipient's public key can encrypt to it (see README, "Handing over a referral").
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from typing import Any

from screening.handover.keys import ALTERED, Altered

FORMAT = "fieldscreen-handover/1"
MANIFEST = "manifest.json"
PDF = "referral.pdf"
CASE = "case.json"
INSTRUMENT = "instrument.json"
MEMBERS = (PDF, CASE, INSTRUMENT)
MAX_MEMBER = 64 * 1024 * 1024  # a demo packet is ~0.3 MB; a zip bomb is refused before reading
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # no local clock time in the container's entries


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_for(members: Mapping[str, bytes], created_at: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "created_at": created_at,
        "members": {name: {"sha256": _sha256(data), "size": len(data)}
                    for name, data in members.items()},
    }


def pack(members: Mapping[str, bytes], *, created_at: str) -> bytes:
    """The zip of ``members`` (exactly ``MEMBERS``) with its manifest first."""
    if set(members) != set(MEMBERS):
        raise ValueError(f"a hand-over container holds exactly {', '.join(MEMBERS)}")
    manifest = json.dumps(manifest_for(members, created_at), indent=2, sort_keys=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in ((MANIFEST, manifest.encode("utf-8")),
                           *((n, members[n]) for n in MEMBERS)):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def _altered(why: str) -> Altered:
    # ``why`` names a member or a field, never content: it ends up in messages and logs.
    return Altered(f"{ALTERED} ({why})")


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > MAX_MEMBER or info.flag_bits & 0x1:  # too large, or zip-encrypted
        raise _altered(f"{info.filename}: unexpected size or encryption")
    try:
        with zf.open(info) as fh:
            data = fh.read(MAX_MEMBER + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise _altered(f"{info.filename} is damaged") from None
    if len(data) != info.file_size:
        raise _altered(f"{info.filename} is damaged")
    return data


def unpack(payload: bytes) -> dict[str, bytes]:
    """The members of a container, each checked against the manifest; ``Altered`` if any
    check fails."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(payload))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _altered("not a zip container") from None
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if len(names) != len(set(names)) or set(names) != {MANIFEST, *MEMBERS}:
            raise _altered("the members are not " + ", ".join((MANIFEST, *MEMBERS)))
        by_name = {i.filename: i for i in infos}
        try:
            manifest = json.loads(_read(zf, by_name[MANIFEST]).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _altered("the manifest is not JSON") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise _altered(f"the manifest's format is not {FORMAT}")
        listed = manifest.get("members")
        if not isinstance(listed, dict) or set(listed) != set(MEMBERS):
            raise _altered("the manifest does not list " + ", ".join(MEMBERS))
        out: dict[str, bytes] = {}
        for name in MEMBERS:
            entry = listed[name]
            if not isinstance(entry, dict):
                raise _altered(f"the manifest entry of {name}")
            data = _read(zf, by_name[name])
            if entry.get("size") != len(data) or entry.get("sha256") != _sha256(data):
                raise _altered(f"{name} does not match the manifest")
            out[name] = data
    return out


__all__ = ["CASE", "FORMAT", "INSTRUMENT", "MANIFEST", "MEMBERS", "PDF", "pack", "unpack"]
