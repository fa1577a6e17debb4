"""Agency key pairs for the hand-over, in the age format (age-encryption.org/v1, X25519).

An agency's *identity* (its private key) is a file in age-keygen's format::

    # created: 2026-03-07T10:00:00Z
    # public key: age1...
    AGE-SECRET-KEY-1...

written readable by its owner only (0600). With ``--protect`` the whole text is encrypted
with a passphrase (scrypt), exactly as ``age-keygen | age -p > FILE`` would: ``age -d -i FILE``
asks for the passphrase and works with it. The *public key* (``age1...``, an age
"recipient") goes into the sender's referral directory.

The **fingerprint** of a public key is what two people compare over the phone: the first 16
hexadecimal digits (64 bits) of the SHA-256 of the public key's text (``age1...``, ASCII),
in four groups of four, e.g. ``3f9a 1c2b 7d4e 99aa``. It is printed by ``fieldscreen keys``,
on the packet's cover and in the audit trail of both ends.

Passphrases are used, never stored or logged; private keys never leave the identity file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screening.errors import ErrorCode, InputError, WrongPassphrase

if TYPE_CHECKING:
    from pyrage import x25519

RECIPIENT_PREFIX = "age1"
SECRET_PREFIX = "AGE-SECRET-KEY-1"
AGE_MAGIC = b"age-encryption.org/v1\n"
ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
MAX_IDENTITY_FILE = 64 * 1024  # an identity is ~200 bytes; anything near this is not one
FINGERPRINT_HEX = 16


def fingerprint(public_key: str) -> str:
    """The short fingerprint of an ``age1...`` public key: ``"3f9a 1c2b 7d4e 99aa"``."""
    digest = hashlib.sha256(public_key.strip().encode("ascii")).hexdigest()[:FINGERPRINT_HEX]
    return " ".join(digest[i:i + 4] for i in range(0, FINGERPRINT_HEX, 4))


def recipient_problem(text: str) -> str | None:
    """Why ``text`` is not an age X25519 public key, or None."""
    from pyrage import RecipientError, x25519

    candidate = text.strip()
    if not candidate.startswith(RECIPIENT_PREFIX):
        return "an age public key starts with 'age1'"
    if candidate != candidate.lower():
        return "an age public key is written in lower case"
    try:
        x25519.Recipient.from_str(candidate)
    except (RecipientError, ValueError):
        return "not a valid age public key (a character is wrong or missing)"
    return None


def parse_recipient(text: str, *, where: str = "") -> str:
    """``text`` as an age public key, or InputError naming ``where`` and what is wrong."""
    problem = recipient_problem(text)
    if problem:
        prefix = f"{where}: " if where else ""
        raise InputError(f"{prefix}{problem}", code=ErrorCode.HANDOVER_RECIPIENT)
    return text.strip()


@dataclass(frozen=True)
class AgencyKey:
    """A key pair just made: where the identity is, and what to give to senders."""

    path: Path
    public_key: str
    protected: bool

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def to_json(self) -> dict[str, Any]:
        return {"identity": str(self.path), "public_key": self.public_key,
                "fingerprint": self.fingerprint, "protected": self.protected}


def identity_text(secret: str, public_key: str, created: dt.datetime | None = None) -> str:
    """The identity file's text, as age-keygen writes it."""
    when = (created or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    return (f"# created: {when.isoformat().replace('+00:00', 'Z')}\n"
            f"# public key: {public_key}\n{secret}\n")


def _write_new_private(path: Path, data: bytes) -> None:
    """Create ``path`` (never replacing a file: an agency's only private key may be there),
    mode 0600, and make it durable."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o600)
    except FileExistsError:
        raise InputError(f"{path}: a file with this name exists; FieldScreen does not replace "
                         "it (it may be an agency key that packets were sent to). Choose "
                         "another name", code=ErrorCode.OUTPUT_TARGET) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def create_identity(path: Path, *, passphrase: str | None = None) -> AgencyKey:
    """Make a new agency key pair and write its identity to ``path`` (which must not exist).

    With ``passphrase`` the identity is wrapped as ``age -p`` does; the passphrase must pass
    the same strength rules as the store's. The caller checks ``path`` against the data
    folder first (``Workspace.check_output``)."""
    from pyrage import passphrase as age_passphrase
    from pyrage import x25519

    if passphrase is not None:
        from screening.store.keys import check_passphrase

        check_passphrase(passphrase)
    identity = x25519.Identity.generate()
    public_key = str(identity.to_public())
    text = identity_text(str(identity), public_key).encode("ascii")
    data = age_passphrase.encrypt(text, passphrase) if passphrase is not None else text
    _write_new_private(Path(path), data)
    return AgencyKey(Path(path), public_key, passphrase is not None)


@dataclass(frozen=True)
class IdentityFile:
    """An identity file as read from disk: still wrapped when ``protected``."""

    path: Path
    data: bytes

    @property
    def protected(self) -> bool:
        return self.data.startswith((AGE_MAGIC, ARMOR_BEGIN))

    def __repr__(self) -> str:
        return f"IdentityFile({self.path.name!r}, protected={self.protected})"


def read_identity_file(path: Path) -> IdentityFile:
    """Read (not yet unwrap) an identity file; InputError when it cannot be one."""
    where = Path(path)
    try:
        with open(where, "rb") as fh:
            data = fh.read(MAX_IDENTITY_FILE + 1)
    except FileNotFoundError:
        raise InputError(f"{where}: no such identity file", code=ErrorCode.HANDOVER_IDENTITY
                         ) from None
    except OSError as exc:
        raise InputError(f"{where}: cannot read the identity file ({exc.strerror or exc})",
                         code=ErrorCode.HANDOVER_IDENTITY) from None
    if len(data) > MAX_IDENTITY_FILE:
        raise InputError(f"{where}: too large to be an age identity file",
                         code=ErrorCode.HANDOVER_IDENTITY)
    return IdentityFile(where, data)


def unlock_identities(file: IdentityFile, passphrase: str | None = None
                      ) -> list[x25519.Identity]:
    """The X25519 identities in ``file``; a protected file needs its ``passphrase``
    (WrongPassphrase when it does not open it)."""
    from pyrage import DecryptError, IdentityError, x25519
    from pyrage import passphrase as age_passphrase

    data = file.data
    if file.protected:
        if passphrase is None:
            raise InputError(f"{file.path}: the identity is protected by a passphrase",
                             code=ErrorCode.HANDOVER_IDENTITY)
        try:
            data = age_passphrase.decrypt(data, passphrase)
        except DecryptError:
            raise WrongPassphrase("the identity passphrase is not right (or the identity "
                                  "file is damaged)") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    identities = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith(SECRET_PREFIX):
            raise InputError(f"{file.path}:{number}: not an age identity line (expected "
                             f"'{SECRET_PREFIX}...')", code=ErrorCode.HANDOVER_IDENTITY)
        try:
            identities.append(x25519.Identity.from_str(line))
        except (IdentityError, ValueError):
            raise InputError(f"{file.path}:{number}: the age identity is damaged",
                             code=ErrorCode.HANDOVER_IDENTITY) from None
    if not identities:
        raise InputError(f"{file.path}: no age identity (AGE-SECRET-KEY-1...) in this file",
                         code=ErrorCode.HANDOVER_IDENTITY)
    return identities


def public_keys(identities: Sequence[x25519.Identity]) -> list[str]:
    return [str(i.to_public()) for i in identities]


def seal(payload: bytes, public_key: str) -> bytes:
    """``payload`` encrypted for one age recipient (binary age format)."""
    from pyrage import encrypt, x25519

    return bytes(encrypt(payload, [x25519.Recipient.from_str(public_key)]))


class NotForThisKey(InputError):
    code = ErrorCode.HANDOVER_NOT_FOR_KEY


class Altered(InputError):
    code = ErrorCode.HANDOVER_ALTERED


ALTERED = "the packet was altered or is not a FieldScreen referral"


def unseal(data: bytes, identities: Sequence[x25519.Identity]) -> bytes:
    """Decrypt an age file. ``NotForThisKey`` when none of ``identities`` is a recipient;
    ``Altered`` when it is not an age file or fails age's authentication."""
    from pyrage import DecryptError, decrypt

    if not data.startswith(AGE_MAGIC):
        raise Altered(f"{ALTERED} (not an age file)")
    try:
        return bytes(decrypt(data, list(identities)))
    except DecryptError as exc:
        if "no matching keys" in str(exc).lower():
            keys = ", ".join(fingerprint(k) for k in public_keys(identities))
            raise NotForThisKey(
                f"this packet is not addressed to your key (fingerprint {keys}): it was "
                "encrypted for another agency's key, or its header was altered") from None
        raise Altered(ALTERED) from None


__all__ = [
    "ALTERED",
    "AgencyKey",
    "Altered",
    "IdentityFile",
    "NotForThisKey",
    "create_identity",
    "fingerprint",
    "identity_text",
    "parse_recipient",
    "public_keys",
    "read_identity_file",
    "recipient_problem",
    "seal",
    "unlock_identities",
    "unseal",
]
