"""ODK submission encryption, as ODK Collect does it and ODK Central decrypts it.

The ODK encryption spec (getodk.github.io/xforms-spec/encryption), checked against Collect's
``EncryptionUtils`` and Central's ``lib/util/crypto.js``:

- one random 32-byte AES key per submission, wrapped with RSA-OAEP using SHA-256 for BOTH
  the OAEP digest and MGF1 (Collect's Bouncy Castle "OAEPWithSHA256AndMGF1Padding"; Central
  unpads exactly that, so a key wrapped with MGF1-SHA1 is accepted but never decrypts);
- each file is AES-256-CFB (128-bit feedback) with PKCS#7 padding;
- IV: md5(instanceID UTF-8 + key), and before the i-th file (media first, in manifest order,
  then the submission XML) byte i % 16 of that running seed is incremented by one;
- the plaintext manifest names the files and carries an element signature: md5 over the
  lines form id, version (if any), wrapped key, instanceID, ``name::md5hex(plaintext)`` for
  each file, each line ending in a newline, wrapped with the same RSA-OAEP.

The AES key and the plaintext never leave ``encrypt_submission``: the result holds only the
manifest (public by design) and ciphertext.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

try:  # cryptography >= 47 keeps CFB (old, but what ODK specifies) among the "decrepit" modes
    from cryptography.hazmat.decrepit.ciphers.modes import CFB
except ImportError:  # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives.ciphers.modes import CFB

from screening.errors import ErrorCode, InputError

MIN_RSA_BITS = 2048
SUBMISSION_XML = "submission.xml"
ENCRYPTED_XML = SUBMISSION_XML + ".enc"
# The spec's manifest namespace (Collect writes http://www.opendatakit.org/xforms/encrypted;
# Central and Briefcase match element names without namespaces, so both are accepted).
MANIFEST_NS = "http://opendatakit.org/submissions"
ORX_NS = "http://openrosa.org/xforms"


@dataclass(frozen=True)
class EncryptedSubmission:
    """What is sent: the plaintext manifest and the encrypted files, nothing secret."""

    instance_id: str
    manifest: bytes  # the submission.xml manifest (the xml_submission_file part)
    # attachment name -> ciphertext; media "*.enc" in manifest order, then submission.xml.enc
    files: dict[str, bytes] = field(repr=False)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}: {len(data)} bytes" for name, data in self.files.items())
        return f"EncryptedSubmission(instance_id={self.instance_id!r}, files=[{sizes}])"


def _oaep() -> OAEP:
    return OAEP(mgf=MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def load_public_key(b64: str) -> RSAPublicKey:
    """The agency's RSA public key from the form's ``base64RsaPublicKey`` (base64 DER
    SubjectPublicKeyInfo); a PEM text is accepted too. InputError unless RSA >= 2048 bits."""
    text = (b64 or "").strip()
    if not text:
        raise InputError("the public key is empty: give the agency's RSA public key "
                         "(base64, as in the form's base64RsaPublicKey)",
                         code=ErrorCode.BAD_INPUT)
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode("ascii"))
        else:
            der = base64.b64decode("".join(text.split()), validate=True)
            key = serialization.load_der_public_key(der)
    except (ValueError, binascii.Error, UnicodeEncodeError, TypeError) as exc:
        raise InputError("the public key is not a base64 (or PEM) public key: give the "
                         "agency's RSA public key, as in the form's base64RsaPublicKey",
                         code=ErrorCode.BAD_INPUT) from exc
    except Exception as exc:  # cryptography's UnsupportedAlgorithm and the like
        raise InputError("the public key cannot be read as an RSA public key",
                         code=ErrorCode.BAD_INPUT) from exc
    if not isinstance(key, rsa.RSAPublicKey):
        kind = "an elliptic-curve" if isinstance(key, ec.EllipticCurvePublicKey) else "a non-RSA"
        raise InputError(f"the public key is {kind} key: ODK encryption needs an RSA key "
                         f"of {MIN_RSA_BITS} bits or more", code=ErrorCode.BAD_INPUT)
    if key.key_size < MIN_RSA_BITS:
        raise InputError(f"the RSA public key has {key.key_size} bits: ODK encryption needs "
                         f"{MIN_RSA_BITS} bits or more", code=ErrorCode.BAD_INPUT)
    return key


def _check_media(media: Sequence[tuple[str, bytes]]) -> None:
    seen: set[str] = set()
    for name, data in media:
        bad = (not name or name != name.strip() or "/" in name or "\\" in name
               or name in (".", "..") or any(ord(c) < 32 for c in name))
        if bad:
            raise InputError(f"attachment name {name!r} cannot be sent: it must be a plain "
                             "file name", code=ErrorCode.BAD_INPUT)
        if name in (SUBMISSION_XML, ENCRYPTED_XML) or name in seen:
            raise InputError(f"attachment name {name!r} is used twice in one submission",
                             code=ErrorCode.BAD_INPUT)
        if not isinstance(data, bytes | bytearray):
            raise InputError(f"attachment {name!r} is not bytes", code=ErrorCode.BAD_INPUT)
        seen.add(name)


def _encrypt_file(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), CFB(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def encrypt_submission(xml: bytes, *, form_id: str, version: str | None, instance_id: str,
                       public_key_b64: str, media: Sequence[tuple[str, bytes]] = (),
                       deprecated_id: str | None = None,
                       iv_instance_id: str | None = None) -> EncryptedSubmission:
    """Encrypt one submission (its XML and media) for the agency's key, as Collect does.
    ``deprecated_id``: for an edit, the instanceID it replaces, in the manifest's meta (the
    server cannot read the encrypted XML, so it takes ``meta/deprecatedID`` from there; it
    is not among the signed lines). ``iv_instance_id``: the instanceID the IV is derived
    from, when not ``instance_id``: for an edit, the submission's first one. Collect never
    sends an encrypted edit, and Central decrypts every version of a submission with the
    IV of its first instanceID (``submissions."instanceId"`` in
    lib/model/query/submission-attachments.js, streamForExport); with the edit's own
    instanceID the first block of the decrypted XML would be garbage."""
    if not form_id:
        raise InputError("the form id is empty", code=ErrorCode.BAD_INPUT)
    if not instance_id:
        # Central refuses an encrypted submission without one: the IV depends on it.
        raise InputError("the instanceID is empty", code=ErrorCode.BAD_INPUT)
    _check_media(media)
    public_key = load_public_key(public_key_b64)
    version = version or None  # an empty version is no version (no attribute, no line)

    key = os.urandom(32)
    wrapped_key = base64.b64encode(public_key.encrypt(key, _oaep())).decode("ascii")
    seed = bytearray(hashlib.md5((iv_instance_id or instance_id).encode("utf-8") + key)
                     .digest())

    signed = [form_id, *([version] if version is not None else []), wrapped_key, instance_id]
    files: dict[str, bytes] = {}
    for index, (name, plaintext) in enumerate([*media, (SUBMISSION_XML, xml)]):
        seed[index % 16] = (seed[index % 16] + 1) & 0xFF  # Collect: ++ivSeedArray[i % 16]
        files[name + ".enc"] = _encrypt_file(key, bytes(seed), bytes(plaintext))
        signed.append(f"{name}::{hashlib.md5(plaintext).hexdigest()}")
    del key
    digest = hashlib.md5("".join(line + "\n" for line in signed).encode("utf-8")).digest()
    signature = base64.b64encode(public_key.encrypt(digest, _oaep())).decode("ascii")

    manifest = _manifest(form_id, version, instance_id, wrapped_key,
                         [name + ".enc" for name, _ in media], signature, deprecated_id)
    return EncryptedSubmission(instance_id=instance_id, manifest=manifest, files=files)


def _manifest(form_id: str, version: str | None, instance_id: str, wrapped_key: str,
              media: list[str], signature: str, deprecated_id: str | None = None) -> bytes:
    # Collect's element order: key, meta, media files, encrypted XML, signature.
    version_attr = f" version={quoteattr(version)}" if version is not None else ""
    deprecated = (f"<orx:deprecatedID>{escape(deprecated_id)}</orx:deprecatedID>"
                  if deprecated_id else "")
    parts = [
        f'<data xmlns="{MANIFEST_NS}" xmlns:orx="{ORX_NS}" id={quoteattr(form_id)}'
        f'{version_attr} encrypted="yes">',
        f"<base64EncryptedKey>{wrapped_key}</base64EncryptedKey>",
        f"<orx:meta><orx:instanceID>{escape(instance_id)}</orx:instanceID>{deprecated}"
        "</orx:meta>\n",
        *(f"<media><file>{escape(name)}</file></media>\n" for name in media),
        f"<encryptedXmlFile>{ENCRYPTED_XML}</encryptedXmlFile>",
        f"<base64EncryptedElementSignature>{signature}</base64EncryptedElementSignature>",
        "</data>",
    ]
    return "".join(parts).encode("utf-8")


__all__ = ["EncryptedSubmission", "encrypt_submission", "load_public_key"]
