"""Key slots: the store's random master key, wrapped once per way of unlocking it.

The SQLCipher database is encrypted with a random 256-bit master key, passed to SQLCipher as
a raw hex key (no PBKDF2 inside SQLCipher). The master key never touches disk in the clear:
``keyslots.json`` holds it wrapped (AES-256-GCM) under a key-encryption key derived with
Argon2id from

* the officer's passphrase (slot ``passphrase``), and
* a random recovery key shown once at set-up (slot ``recovery``).

Changing the passphrase re-wraps the master key (fast; the database is not rewritten). The
GCM tag tells a wrong passphrase apart from a damaged database. The associated data binds each
wrap to the store id, the slot kind and its KDF parameters, so editing the parameters in the
file makes unwrapping fail instead of silently weakening it. The file holds no personal data:
ids, KDF parameters, salts, nonces and ciphertext only (no timestamps: the time a slot
was made would tell when the passphrase last changed).

The file as a whole is authenticated too (issue #13): an ``anchor`` section (a counter that
only grows, the audit chain's head, the count of failed unlocks at that time) carries an
HMAC, under a key derived from the master key, over the store id, every slot and the anchor
itself. It is checked after every unlock (``anchor.py``): a removed or added slot, an older
copy of the file or an edited anchor shows. The ``attempts`` section (failed unlocks: in a
row, in total, the last time) is written while locked, so it cannot carry a MAC; the anchor
remembers the total at the last unlock, so a total that went down is noticed.

Argon2id cost: ``DEFAULT_KDF`` takes about 0.4 s on the project's reference machine (2 cores;
measured in ``bench/store_bench.py``). Tests may use ``FIELDSCREEN_KDF_PROFILE=fast``, which is
refused unless ``SCREENING_DEV=1`` or ``PYTEST_CURRENT_TEST`` is set.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import math
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from screening.errors import ErrorCode, InputError, StoreCorrupt, StoreError, WrongPassphrase
from screening.paths import dev_or_test
from screening.store.fsutil import atomic_write

KEYSLOTS_FORMAT = "fieldscreen-keyslots"
KEYSLOTS_VERSION = 1
KEY_BYTES = 32
SLOT_PASSPHRASE = "passphrase"
SLOT_RECOVERY = "recovery"
PROFILE_ENV = "FIELDSCREEN_KDF_PROFILE"
MIN_PASSPHRASE_LENGTH = 12  # issue #3, after NIST SP 800-63B: length, not composition rules
MIN_ZXCVBN_SCORE = 3
KEYFILE_MAC_INFO = b"fieldscreen key file v1"
# A damaged "attempts" section must not reset the delay: it reads as this many failures.
DAMAGED_ATTEMPTS = 3
# FieldScreen writes one slot per kind. More would let someone who can write the folder (no
# passphrase needed) make every unlock try many maximal-cost KDFs: refused beyond this.
MAX_SLOTS = 4
# Counters in the clear files are bounded, so a crafted number cannot overflow or hang.
MAX_COUNT = 10**12

# Bounds applied whenever a slot is read (keyslots.json, a backup's slots, an encrypted
# export), before any key is derived: a crafted file must not make us allocate gigabytes or
# run for minutes. The defaults (t=4, 256 MiB, p=2) sit well inside; the lower bounds are
# Argon2's own minimums (FAST_KDF for tests sits on them).
KDF_LIMITS: dict[str, tuple[int, int]] = {
    "time_cost": (1, 16),
    "memory_kib": (8, 2 * 1024 * 1024),  # 2 GiB; and at least 8 KiB per lane (Argon2)
    "parallelism": (1, 16),
}


class KdfParamsRefused(StoreCorrupt):
    """A slot asks for Argon2id costs outside ``KDF_LIMITS`` (a crafted or foreign file).
    ``context``: ``file`` and ``parameter``."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost parameters (RFC 9106 names). Version 0x13."""

    time_cost: int
    memory_kib: int
    parallelism: int

    def weaker_than(self, other: KdfParams) -> bool:
        return (
            self.time_cost < other.time_cost
            or self.memory_kib < other.memory_kib
            or self.parallelism < other.parallelism
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "alg": "argon2id",
            "version": 19,
            "time_cost": self.time_cost,
            "memory_kib": self.memory_kib,
            "parallelism": self.parallelism,
        }

    @classmethod
    def from_json(cls, data: Any, where: str = "the key file") -> KdfParams:
        """Parse and bound-check (``KDF_LIMITS``); ``where`` names the file in messages.

        Raises KdfParamsRefused for out-of-range values, StoreCorrupt for unknown ones."""
        try:
            if data["alg"] != "argon2id" or data["version"] != 19:
                raise ValueError("unknown KDF")
            values = {name: data[name] for name in KDF_LIMITS}
            if any(type(v) is not int for v in values.values()):  # no bools, floats, strings
                raise ValueError("not an integer")
        except (KeyError, TypeError, ValueError):
            raise StoreCorrupt(f"{where} has unknown KDF parameters") from None
        for name, (low, high) in KDF_LIMITS.items():
            if name == "memory_kib":
                low = max(low, 8 * values["parallelism"])
            if not low <= values[name] <= high:
                raise KdfParamsRefused(
                    f"{where} asks for the KDF parameter {name}={values[name]}, outside the "
                    f"allowed {low}..{high}; refused before deriving any key (the file was "
                    "altered or not made by FieldScreen)",
                    file=where,
                    parameter=name,
                )
        return cls(values["time_cost"], values["memory_kib"], values["parallelism"])


# 4 passes over 256 MiB with 2 lanes: ~0.4 s on the reference 2-core machine.
DEFAULT_KDF = KdfParams(time_cost=4, memory_kib=256 * 1024, parallelism=2)
# For tests and development only (see kdf_profile): ~1 ms, worthless against guessing.
FAST_KDF = KdfParams(time_cost=1, memory_kib=256, parallelism=1)


def kdf_profile() -> KdfParams:
    """The Argon2id parameters for new key slots.

    ``FIELDSCREEN_KDF_PROFILE=fast`` makes unlocking nearly free, so it is honoured only in
    tests or with ``SCREENING_DEV=1``; anywhere else it is refused rather than ignored, so a
    misconfigured machine fails loudly instead of writing weak slots.
    """
    profile = os.environ.get(PROFILE_ENV, "").strip().lower()
    if profile in ("", "default"):
        return DEFAULT_KDF
    if profile == "fast":
        if not dev_or_test():
            raise StoreError(
                f"{PROFILE_ENV}=fast is for tests only; unset it (or set SCREENING_DEV=1 "
                "on a development machine)",
                code=ErrorCode.STORE_UNSAFE_PROFILE,
            )
        return FAST_KDF
    raise StoreError(f"unknown {PROFILE_ENV} value", code=ErrorCode.STORE_UNSAFE_PROFILE)


def normalise_secret(secret: str) -> bytes:
    """NFC, so the same passphrase typed on another keyboard or OS gives the same bytes."""
    return unicodedata.normalize("NFC", secret).encode("utf-8")


def derive_kek(secret: str, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        normalise_secret(secret),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def passphrase_problem(passphrase: str) -> str | None:
    """Why ``passphrase`` is too weak, in English, or None. Length plus zxcvbn (NIST 800-63B)."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return f"use at least {MIN_PASSPHRASE_LENGTH} characters; several words are easiest"
    from zxcvbn import zxcvbn  # imported lazily: it loads large word lists

    result = zxcvbn(passphrase[:72], user_inputs=["fieldscreen", "screening", "passphrase"])
    if int(result["score"]) >= MIN_ZXCVBN_SCORE:
        return None
    feedback = result.get("feedback") or {}
    parts = [feedback.get("warning") or "this passphrase is too easy to guess"]
    parts.extend(feedback.get("suggestions") or [])
    return " ".join(p.strip() for p in parts if p)


def check_passphrase(passphrase: str) -> None:
    problem = passphrase_problem(passphrase)
    if problem:
        raise InputError(
            f"passphrase too weak: {problem}", code=ErrorCode.STORE_WEAK_PASSPHRASE, reason=problem
        )


# Recovery keys: 160 random bits as 32 Crockford base32 characters in 8 groups of 4.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CROCKFORD_FIX = str.maketrans({"O": "0", "I": "1", "L": "1"})


def generate_recovery_key() -> str:
    raw = "".join(secrets.choice(_CROCKFORD) for _ in range(32))
    return "-".join(raw[i : i + 4] for i in range(0, 32, 4))


def normalise_recovery_key(text: str) -> str:
    """Accept the key however it was typed back: case, spaces, hyphens, O/0 and I/L/1."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_CROCKFORD_FIX)
    if len(cleaned) != 32 or any(ch not in _CROCKFORD for ch in cleaned):
        raise WrongPassphrase("that is not a FieldScreen recovery key")
    return "-".join(cleaned[i : i + 4] for i in range(0, 32, 4))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise StoreCorrupt("the key file is damaged")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise StoreCorrupt("the key file is damaged") from None


@dataclass(frozen=True)
class KeySlot:
    kind: str
    params: KdfParams
    salt: bytes
    nonce: bytes
    wrapped: bytes

    def to_json(self) -> dict[str, Any]:
        # No creation time: keyslots.json is in the clear, and the time a slot was made is
        # the time the passphrase (or recovery key) last changed. Older files carry a
        # "created_at"; it is ignored when read and gone after the next rewrap.
        return {
            "kind": self.kind,
            "kdf": {**self.params.to_json(), "salt": _b64(self.salt)},
            "wrap": {"alg": "AES-256-GCM", "nonce": _b64(self.nonce), "data": _b64(self.wrapped)},
        }

    @classmethod
    def from_json(cls, data: Any, where: str = "the key file") -> KeySlot:
        try:
            kind, kdf, wrap = data["kind"], data["kdf"], data["wrap"]
            if wrap["alg"] != "AES-256-GCM" or kind not in (SLOT_PASSPHRASE, SLOT_RECOVERY):
                raise ValueError
            slot = cls(
                kind=kind,
                params=KdfParams.from_json(kdf, f"{where}, {kind} slot,"),
                salt=_unb64(kdf["salt"]),
                nonce=_unb64(wrap["nonce"]),
                wrapped=_unb64(wrap["data"]),
            )
        except (KeyError, TypeError, ValueError):
            raise StoreCorrupt("the key file is damaged") from None
        if len(slot.salt) < 16 or len(slot.nonce) != 12 or len(slot.wrapped) != KEY_BYTES + 16:
            raise StoreCorrupt("the key file is damaged")
        return slot


def _aad(store_id: str, kind: str, params: KdfParams, salt: bytes) -> bytes:
    doc = {
        "format": KEYSLOTS_FORMAT,
        "version": KEYSLOTS_VERSION,
        "store_id": store_id,
        "kind": kind,
        "kdf": {**params.to_json(), "salt": _b64(salt)},
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("ascii")


def make_slot(store_id: str, kind: str, secret: str, key: bytes, params: KdfParams) -> KeySlot:
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    kek = derive_kek(secret, salt, params)
    wrapped = AESGCM(kek).encrypt(nonce, key, _aad(store_id, kind, params, salt))
    return KeySlot(kind, params, salt, nonce, wrapped)


def open_slot(store_id: str, slot: KeySlot, secret: str) -> bytes | None:
    kek = derive_kek(secret, slot.salt, slot.params)
    try:
        return AESGCM(kek).decrypt(
            slot.nonce, slot.wrapped, _aad(store_id, slot.kind, slot.params, slot.salt)
        )
    except InvalidTag:
        return None


@dataclass(frozen=True)
class Attempts:
    """Failed unlocks, kept in the key file (not a separate file one can delete): how many
    in a row (the delay), how many ever (never goes down), and the time of the last one."""

    in_a_row: int = 0
    total: int = 0
    last_failed: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"in_a_row": self.in_a_row, "total": self.total,
                "last_failed": round(self.last_failed, 3)}

    @classmethod
    def from_json(cls, data: Any) -> Attempts:
        """Lenient: the section is unauthenticated and written on every failure. A damaged
        one must not reset the delay, so it reads as a few failures just now (by the
        caller, who knows the clock): ValueError."""
        if data is None:
            return cls()
        in_a_row, total, last = data["in_a_row"], data["total"], data["last_failed"]
        if type(in_a_row) is not int or type(total) is not int:
            raise ValueError("bad attempts")
        if not (0 <= in_a_row <= MAX_COUNT and 0 <= total <= MAX_COUNT):
            raise ValueError("bad attempts")
        last = float(last)
        if not math.isfinite(last):
            raise ValueError("bad attempts")
        return cls(in_a_row, max(total, in_a_row), last)


@dataclass(frozen=True)
class Anchor:
    """The authenticated part of the key file besides the slots: ``counter`` grows by one at
    every anchoring (unlock, lock, key change); the audit head then; the failed-unlock total
    then. ``mac`` covers these, the store id and every slot."""

    counter: int
    audit_id: int
    audit_hash: str
    failed_total: int
    mac: str = ""

    def body(self) -> dict[str, Any]:
        return {"counter": self.counter, "audit_id": self.audit_id,
                "audit_hash": self.audit_hash, "failed_total": self.failed_total}

    @classmethod
    def from_json(cls, data: Any) -> Anchor:
        try:
            anchor = cls(data["counter"], data["audit_id"], data["audit_hash"],
                         data["failed_total"], data["mac"])
            ints = (anchor.counter, anchor.audit_id, anchor.failed_total)
            if any(type(v) is not int or not 0 <= v <= MAX_COUNT for v in ints):
                raise ValueError
            if not isinstance(anchor.audit_hash, str) or not isinstance(anchor.mac, str):
                raise ValueError
        except (KeyError, TypeError, ValueError):
            raise StoreCorrupt("the key file is damaged (its anchor)") from None
        return anchor


def keyfile_mac_key(master_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=KEYFILE_MAC_INFO).derive(bytes(master_key))


@dataclass
class KeySlots:
    """The content of ``keyslots.json``: the store id, its slots, the anchor and the
    failed-unlock attempts."""

    store_id: str
    slots: list[KeySlot]
    anchor: Anchor | None = None
    attempts: Attempts = Attempts()  # frozen: sharing the default is safe

    @classmethod
    def new(cls, store_id: str, key: bytes, passphrase: str, recovery_key: str) -> KeySlots:
        params = kdf_profile()
        return cls(
            store_id,
            [
                make_slot(store_id, SLOT_PASSPHRASE, passphrase, key, params),
                make_slot(
                    store_id, SLOT_RECOVERY, normalise_recovery_key(recovery_key), key, params
                ),
            ],
        )

    # -- the anchor ----------------------------------------------------------------------
    def _mac_message(self, body: dict[str, Any]) -> bytes:
        doc = {
            "format": KEYSLOTS_FORMAT,
            "store_id": self.store_id,
            "slots": [slot.to_json() for slot in self.slots],
            "anchor": body,
        }
        return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("ascii")

    def sign(self, key: bytes, counter: int, audit_head: tuple[int, str],
             failed_total: int) -> Anchor:
        """Set a new anchor, MAC'd under ``key`` (the master key); the caller saves."""
        body = Anchor(counter, audit_head[0], audit_head[1], failed_total)
        mac = hmac.new(keyfile_mac_key(key), self._mac_message(body.body()),
                       hashlib.sha256).hexdigest()
        self.anchor = Anchor(counter, audit_head[0], audit_head[1], failed_total, mac)
        return self.anchor

    def anchor_intact(self, key: bytes) -> bool:
        """Whether the anchor's MAC holds: the slots and the anchor are as FieldScreen last
        wrote them with this store's key. False when there is no anchor."""
        if self.anchor is None:
            return False
        good = hmac.new(keyfile_mac_key(key), self._mac_message(self.anchor.body()),
                        hashlib.sha256).hexdigest()
        return hmac.compare_digest(good, self.anchor.mac)

    # -- serialisation -------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "format": KEYSLOTS_FORMAT,
            "version": KEYSLOTS_VERSION,
            "store_id": self.store_id,
            "cipher": "sqlcipher4-raw-key",
            "slots": [slot.to_json() for slot in self.slots],
            "attempts": self.attempts.to_json(),
        }
        if self.anchor is not None:
            doc["anchor"] = {**self.anchor.body(), "mac": self.anchor.mac}
        return doc

    def to_bytes(self) -> bytes:
        return (json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n").encode("ascii")

    @classmethod
    def from_json(cls, doc: Any, where: str = "the key file") -> KeySlots:
        """Parse key slots; every slot's KDF parameters are bound-checked here, so no caller
        can derive a key from hostile ones. ``where`` names the file in messages. A damaged
        ``attempts`` section reads as ``FREE_FAILURES_ASSUMED`` failures in a row."""
        if not isinstance(doc, dict) or doc.get("format") != KEYSLOTS_FORMAT:
            raise StoreCorrupt("this is not a FieldScreen key file")
        if not isinstance(doc.get("version"), int) or doc["version"] > KEYSLOTS_VERSION:
            raise StoreError(
                "the key file was written by a newer FieldScreen; update the app",
                code=ErrorCode.STORE_TOO_NEW,
            )
        store_id = doc.get("store_id")
        slots = doc.get("slots")
        if not isinstance(store_id, str) or not isinstance(slots, list) or not slots:
            raise StoreCorrupt("the key file is damaged")
        if len(slots) > MAX_SLOTS:
            raise StoreCorrupt(
                f"the key file lists {len(slots)} key slots where FieldScreen writes two: it "
                "was edited outside FieldScreen; put back a copy of keyslots.json you trust"
            )
        anchor = None
        if "anchor" in doc:
            try:
                anchor = Anchor.from_json(doc["anchor"])
            except StoreCorrupt:  # an edited anchor is a warning at open, not a lock-out
                anchor = Anchor(0, 0, "", 0, mac="")
        try:
            attempts = Attempts.from_json(doc.get("attempts"))
        except (KeyError, TypeError, ValueError, OverflowError):
            attempts = Attempts(in_a_row=DAMAGED_ATTEMPTS, total=DAMAGED_ATTEMPTS,
                                last_failed=-1.0)
        return cls(store_id, [KeySlot.from_json(s, where) for s in slots], anchor, attempts)

    @classmethod
    def load(cls, path: Path) -> KeySlots:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise StoreError(
                "no FieldScreen store here", code=ErrorCode.STORE_NOT_INITIALISED
            ) from None
        except OSError as exc:
            raise StoreError("cannot read the key file", errno=exc.errno) from None
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            # JSONDecodeError, a 5,000-digit number (int conversion limit), deep nesting
            raise StoreCorrupt("the key file is damaged") from None
        return cls.from_json(doc, f"the key file {path}")

    def save(self, path: Path) -> None:
        """Write the file. The ``attempts`` section of the file already at ``path`` wins
        over this object's: it is written by the throttle, also while this object lives."""
        if path.exists():
            with contextlib.suppress(StoreError):
                self.attempts = KeySlots.load(path).attempts
        atomic_write(path, self.to_bytes())

    # -- unlocking -----------------------------------------------------------------------
    def _slots(self, kind: str) -> list[KeySlot]:
        return [slot for slot in self.slots if slot.kind == kind]

    def unlock(self, kind: str, secret: str) -> tuple[bytes, KeySlot]:
        """The master key, and the slot that opened it; WrongPassphrase when none does."""
        candidates = sorted(self._slots(kind), key=lambda s: (
            s.params.time_cost * s.params.memory_kib, s.params.parallelism))
        if not candidates:  # not a wrong secret: say what is wrong, count no failure
            other = "passphrase" if kind == SLOT_RECOVERY else "recovery key"
            raise StoreCorrupt(
                f"the key file has no {kind} slot: it was edited outside FieldScreen; unlock "
                f"with the {other}, then set a new {kind.replace('_', ' ')}"
            )
        if kind == SLOT_RECOVERY:
            secret = normalise_recovery_key(secret)
        # Cheapest first: the genuine slot has today's parameters; a crafted costly one
        # added by hand is reached only if the genuine one does not open.
        for slot in candidates:
            key = open_slot(self.store_id, slot, secret)
            if key is not None:
                return key, slot
        if kind == SLOT_RECOVERY:
            raise WrongPassphrase("wrong recovery key")
        raise WrongPassphrase("wrong passphrase")

    def keep_only(self, opened: KeySlot) -> None:
        """Drop every other slot of ``opened``'s kind (FieldScreen writes one per kind; more
        were added by hand). Called after ``opened`` unlocked the store."""
        self.slots = [s for s in self.slots if s.kind != opened.kind or s is opened]

    def is_store_secret(self, candidate: str) -> bool:
        """Whether ``candidate`` opens any slot: it is the store's passphrase or its recovery
        key (however typed). For refusing it as a PDF or export password, which travels with
        the file it protects. One Argon2id derivation per slot; never raises for a mismatch."""
        try:
            recovery: str | None = normalise_recovery_key(candidate)
        except WrongPassphrase:
            recovery = None
        for slot in self.slots:
            secret = recovery if slot.kind == SLOT_RECOVERY else candidate
            if secret is not None and open_slot(self.store_id, slot, secret) is not None:
                return True
        return False

    def replace(self, kind: str, secret: str, key: bytes, params: KdfParams | None = None) -> None:
        """Re-wrap ``key`` for ``kind`` under ``secret``; every older slot of that kind goes."""
        slot = make_slot(self.store_id, kind, secret, key, params or kdf_profile())
        self.slots = [s for s in self.slots if s.kind != kind] + [slot]
