"""What a streamed export is written through: a hashing writer, AES-GCM sealing and opening
a stream, text buffered into UTF-8, ids held compactly, and JSON indented as ``json.dumps``
indents it, one value at a time (issue #19: exports of 100,000 cases in flat memory).

An export used to be built whole in memory (5 GB at 10,000 cases for JSON); now each case is
read, formatted and written before the next, so memory stays flat as the store grows.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from cryptography.hazmat.primitives.ciphers import Cipher
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.ciphers.algorithms import AES
from cryptography.hazmat.primitives.ciphers.modes import GCM

TAG_SIZE = 16  # AES-GCM's tag, after the ciphertext (as AESGCM.encrypt appends it)
_FLUSH_AT = 1 << 18  # bytes of text or plaintext gathered before each write below


class HashingWriter:
    """Writes through to ``raw``, keeping the SHA-256 and size of everything written.

    ``tell`` but no ``seek``: ``zipfile`` then writes an entry's sizes after its data (a
    data descriptor) and never goes back, so what is hashed is what ends up in the file."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._raw.write(data)
        self._sha.update(data)
        self.size += len(data)
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self._raw.flush()

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


class SealingWriter:
    """AES-256-GCM over a stream: the same bytes as ``AESGCM(key).encrypt(nonce, data, aad)``
    (ciphertext, then the 16-byte tag), written as the plaintext comes. ``close`` writes the
    tag; without it the output is incomplete and must be discarded."""

    def __init__(self, out: HashingWriter, key: bytes, nonce: bytes, aad: bytes) -> None:
        self._out = out
        self._enc = Cipher(AES(key), GCM(nonce)).encryptor()
        self._enc.authenticate_additional_data(aad)
        self._pending = bytearray()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._pending += data
        self.size += len(data)
        if len(self._pending) >= _FLUSH_AT:
            self._out.write(self._enc.update(bytes(self._pending)))
            self._pending.clear()
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        """Nothing to do: buffered plaintext is sealed in ``write`` and ``close``."""

    def close(self) -> None:
        self._out.write(self._enc.update(bytes(self._pending)) + self._enc.finalize())
        self._pending.clear()
        self._out.write(self._enc.tag)


class Sink(Protocol):
    def write(self, data: bytes, /) -> Any: ...


def open_sealed(
    source: IO[bytes], out: Sink, length: int, key: bytes, nonce: bytes, aad: bytes,
    chunk: int = 1 << 20,
) -> None:
    """Decrypt ``length`` bytes (ciphertext and tag) from ``source`` into ``out``; raises
    ``InvalidTag`` at the end if anything was altered (or ``EOFError`` if it is short): the
    caller must then discard what was written, so ``out`` must be somewhere nothing readable
    outlives a kill (memory, or a ``SealedSpool``), never a named file."""
    if length < TAG_SIZE:
        raise EOFError
    start = source.tell()
    source.seek(start + length - TAG_SIZE)
    tag = source.read(TAG_SIZE)
    source.seek(start)
    dec = Cipher(AES(key), GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(aad)
    left = length - TAG_SIZE
    while left:
        data = source.read(min(chunk, left))
        if not data:
            raise EOFError
        out.write(dec.update(data))
        left -= len(data)
    out.write(dec.finalize())


class TextSink:
    """Text gathered and written as UTF-8 in large pieces (``csv.writer`` writes a row at a
    time; the stream below encrypts and hashes better in large pieces)."""

    def __init__(self, out: Any) -> None:
        self._out = out
        self._parts: list[str] = []
        self._size = 0

    def write(self, text: str) -> int:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= _FLUSH_AT:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._parts:
            self._out.write("".join(self._parts).encode("utf-8"))
            self._parts.clear()
            self._size = 0


class SealedSpool:
    """Bytes set aside while another file of a zip is written, in an anonymous temporary
    file (no name: nothing is left behind if the process dies), each 1 MiB sealed with
    AES-GCM under a key only this object holds: nothing readable reaches the disk.
    ``folder``: where that file lives (default: the system's temporary folder)."""

    def __init__(self, folder: Path | None = None) -> None:
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - closed by close()
        self._aead = AESGCM(AESGCM.generate_key(bit_length=256))
        self._pending = bytearray()
        self._chunks = 0
        self.size = 0  # plaintext bytes

    def write(self, data: bytes) -> None:
        self._pending += data
        self.size += len(data)
        if len(self._pending) >= 1 << 20:
            self._seal()

    def _seal(self) -> None:
        sealed = self._aead.encrypt(self._chunks.to_bytes(12, "big"), bytes(self._pending), None)
        self._file.write(len(sealed).to_bytes(4, "big") + sealed)
        self._chunks += 1
        self._pending.clear()

    def chunks(self) -> Iterator[bytes]:
        """What was written, in order (once all of it is)."""
        if self._pending:
            self._seal()
        self._file.flush()
        self._file.seek(0)
        for number in range(self._chunks):
            size = int.from_bytes(self._file.read(4), "big")
            yield self._aead.decrypt(number.to_bytes(12, "big"), self._file.read(size), None)

    def close(self) -> None:
        self._file.close()


# -- ids --------------------------------------------------------------------------------------
_HEX_ID = re.compile(r"[0-9a-f]{32}")


class IdList:
    """A list of ids in a few bytes each: 17 for the 32-hex-digit ids the store makes (a
    Python str costs about 80), so a snapshot of 100,000 case ids is under 2 MB."""

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._buf = bytearray()
        self._count = 0
        for ident in ids:
            self.append(ident)

    def append(self, ident: str) -> None:
        if _HEX_ID.fullmatch(ident):
            self._buf += b"\x00" + bytes.fromhex(ident)
        else:
            raw = ident.encode("utf-8")
            self._buf += b"\x01" + len(raw).to_bytes(4, "big") + raw
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[str]:
        buf, pos = self._buf, 0
        while pos < len(buf):
            if buf[pos] == 0:
                yield buf[pos + 1:pos + 17].hex()
                pos += 17
            else:
                size = int.from_bytes(buf[pos + 1:pos + 5], "big")
                yield buf[pos + 5:pos + 5 + size].decode("utf-8")
                pos += 5 + size


# -- JSON, indented as json.dumps(indent=2, ensure_ascii=False) --------------------------------
# With ``indent`` set, Python's json runs its pure-Python encoder (2.6 s of the 3.5 s a JSON
# export of 300 cases took). Containers of plain values are encoded here by the C encoder,
# whose separators carry the newline and indentation, and the rest is laid out the same way
# json lays it out; tests/store/test_store_export_stream.py checks it against json.dumps.
_PLAIN = frozenset((str, int, float, bool, type(None)))
_STR = frozenset((str,))
_encoders: dict[int, json.JSONEncoder] = {}
_encode_key = json.encoder.encode_basestring


def _flat(level: int) -> json.JSONEncoder:
    encoder = _encoders.get(level)
    if encoder is None:
        encoder = json.JSONEncoder(ensure_ascii=False, separators=(
            ",\n" + "  " * (level + 1), ": "))
        _encoders[level] = encoder
    return encoder


def dumps_indented(value: Any, level: int = 0) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` as it reads nested ``level`` deep
    in a bigger document (every line after the first indented by ``2 * level`` spaces)."""
    parts: list[str] = []
    _dump(value, level, parts)
    return "".join(parts)


def _dump(value: Any, level: int, out: list[str]) -> None:
    kind = type(value)
    if kind is dict:
        if not value:
            out.append("{}")
            return
        if not _STR.issuperset(map(type, value)):  # json's key conversions: its own path
            out.append(_fallback(value, level))
            return
        inner, outer = "\n" + "  " * (level + 1), "\n" + "  " * level
        if _PLAIN.issuperset(map(type, value.values())):
            out.append("{" + inner + _flat(level).encode(value)[1:-1] + outer + "}")
            return
        out.append("{")
        first = True
        for key, item in value.items():
            out.append(("" if first else ",") + inner + _encode_key(key) + ": ")
            _dump(item, level + 1, out)
            first = False
        out.append(outer + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner, outer = "\n" + "  " * (level + 1), "\n" + "  " * level
        if _PLAIN.issuperset(map(type, value)):
            out.append("[" + inner + _flat(level).encode(list(value))[1:-1] + outer + "]")
            return
        out.append("[")
        for index, item in enumerate(value):
            out.append(("," if index else "") + inner)
            _dump(item, level + 1, out)
        out.append(outer + "]")
    elif kind in _PLAIN:
        out.append(_flat(level).encode(value))
    else:
        out.append(_fallback(value, level))


def _fallback(value: Any, level: int) -> str:
    # A JSON string never holds a raw newline: every newline here is layout.
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)
