"""An independent decryptor of ODK encrypted submissions, for the tests.

Written from the ODK XForms encryption specification only
(https://getodk.github.io/xforms-spec/encryption), never from FieldScreen's encryptor
(screening/server/odk_crypto.py) nor from Central's code: a second reading of the spec, so
that one misreading cannot make both ends agree. What the spec says, step by step:

- the manifest is `<data xmlns="http://opendatakit.org/submissions" id=.. encrypted="yes"
  [version=..]>` with base64EncryptedKey, encryptedXmlFile, one media/file per media file in
  encryption order, an optional base64EncryptedElementSignature, and
  `<meta xmlns="http://openrosa.org/xforms"><instanceID>`;
- the AES-256 key is wrapped with RSA/NONE/OAEPWithSHA256AndMGF1Padding (SHA-256 for the
  OAEP digest and for MGF1, as ODK Collect and Central use it);
- each file is AES/CFB (128-bit feedback) with PKCS#7 padding; the IV seed is
  md5(instanceID + key); before the n-th file (media first, in manifest order, then the XML)
  byte n % 16 of the seed is incremented (a Java byte: 0xff wraps to 0x00);
- the signature is md5 over "form id\\n[version\\n]base64 key\\ninstanceID\\n" plus one
  "original name::md5 hex of the plaintext\\n" line per file in encryption order, wrapped
  with the same RSA algorithm.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

try:  # cryptography >= 47 keeps CFB among the "decrepit" modes (it is what ODK uses)
    from cryptography.hazmat.decrepit.ciphers.modes import CFB
except ImportError:  # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives.ciphers.modes import CFB

SUBMISSIONS_NS = "http://opendatakit.org/submissions"
OPENROSA_NS = "http://openrosa.org/xforms"
_S = f"{{{SUBMISSIONS_NS}}}"
_ORX = f"{{{OPENROSA_NS}}}"


class DecryptError(Exception):
    """The submission cannot be decrypted or does not check out; the message says why."""


class ManifestError(DecryptError):
    """The manifest is not what the spec describes, or a file it names is missing."""


class WrongKeyError(DecryptError):
    """The AES key cannot be unwrapped with this private key (wrong key or wrong OAEP)."""


class PaddingError(DecryptError):
    """A file does not end in valid PKCS#7 padding (wrong IV, order, key or tampering)."""


class SignatureError(DecryptError):
    """The element signature does not match what was decrypted."""


class ContentError(DecryptError):
    """The decrypted XML does not match its manifest (form id, version or instanceID)."""


@dataclass(frozen=True)
class DecryptedSubmission:
    xml: bytes = field(repr=False)
    media: dict[str, bytes] = field(repr=False)  # original name (no ".enc") -> plaintext
    instance_id: str
    form_id: str
    version: str | None
    signature_ok: bool  # True: a signature was present and matched; False: there was none


def _oaep(mgf_hash: hashes.HashAlgorithm) -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(algorithm=mgf_hash), algorithm=hashes.SHA256(),
                        label=None)


def _private_key(key: rsa.RSAPrivateKey | bytes | str) -> rsa.RSAPrivateKey:
    if isinstance(key, rsa.RSAPrivateKey):
        return key
    data = key.encode() if isinstance(key, str) else key
    loaded = serialization.load_pem_private_key(data, password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise WrongKeyError("the private key is not an RSA key")
    return loaded


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ManifestError(f"{what} is not valid base64") from exc


def _unwrap(private_key: rsa.RSAPrivateKey, blob: bytes, what: str) -> bytes:
    try:
        return private_key.decrypt(blob, _oaep(hashes.SHA256()))
    except ValueError:
        pass
    # A common slip (Java's default provider): OAEP digest SHA-256 but MGF1 with SHA-1.
    # Say so rather than only "wrong key"; Central cannot decrypt such a submission either.
    try:
        private_key.decrypt(blob, _oaep(hashes.SHA1()))
    except ValueError:
        raise WrongKeyError(f"{what}: RSA-OAEP (SHA-256, MGF1-SHA-256) decryption failed: "
                            "not encrypted to this key") from None
    raise WrongKeyError(f"{what} was wrapped with MGF1-SHA-1; the ODK spec (as Collect and "
                        "Central use it) needs MGF1 with SHA-256")


def _one(root: ET.Element, tag: str, required: bool = True) -> str | None:
    found = root.findall(tag)
    if len(found) > 1:
        raise ManifestError(f"the manifest has {len(found)} <{tag.split('}')[1]}> elements")
    if not found:
        if required:
            raise ManifestError(f"the manifest has no <{tag.split('}')[1]}> "
                                f"(in namespace {tag[1:].split('}')[0]})")
        return None
    return (found[0].text or "").strip()


def _unpad(data: bytes, name: str) -> bytes:
    if not data or len(data) % 16:
        raise PaddingError(f"{name}: {len(data)} bytes is not a whole number of AES blocks")
    n = data[-1]
    if not 1 <= n <= 16 or data[-n:] != bytes([n]) * n:
        raise PaddingError(f"{name}: invalid PKCS#7 padding after decryption (wrong IV, file "
                           "order or key, or the file was altered)")
    return data[:-n]


def _decrypt_file(key: bytes, iv: bytes, data: bytes, name: str) -> bytes:
    decryptor = Cipher(algorithms.AES(key), CFB(iv)).decryptor()  # CFB128
    return _unpad(decryptor.update(data) + decryptor.finalize(), name)


def _original_name(name: str) -> str:
    if not name.endswith(".enc") or len(name) == 4:
        raise ManifestError(f"encrypted file name {name!r} does not end in '.enc'")
    return name[:-4]


def _check_xml(xml: bytes, form_id: str, version: str | None, instance_id: str) -> None:
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise ContentError(f"the decrypted submission is not XML: {exc}") from exc
    if root.get("id") != form_id:
        raise ContentError(f"decrypted root id {root.get('id')!r} != manifest id {form_id!r}")
    if version is not None and root.get("version") != version:
        raise ContentError(f"decrypted root version {root.get('version')!r} != manifest "
                           f"version {version!r}")
    ids = [el.text for meta in root.iter() if meta.tag.rsplit("}", 1)[-1] == "meta"
           for el in meta if el.tag.rsplit("}", 1)[-1] == "instanceID"]
    if ids != [instance_id]:
        raise ContentError(f"decrypted meta/instanceID {ids} != manifest {instance_id!r}")


def decrypt_submission(manifest: bytes, files: Mapping[str, bytes],
                       private_key: rsa.RSAPrivateKey | bytes | str, *,
                       require_signature: bool = True) -> DecryptedSubmission:
    """Decrypt one submission: the manifest (the xml_submission_file part) and its files by
    the names the manifest gives them ("submission.xml.enc", "photo.jpg.enc", ...)."""
    key_obj = _private_key(private_key)
    try:
        root = ET.fromstring(manifest)
    except ET.ParseError as exc:
        raise ManifestError(f"the manifest is not XML: {exc}") from exc
    if root.tag != f"{_S}data":
        raise ManifestError(f"the manifest root is <{root.tag}>, not <data xmlns=\""
                            f"{SUBMISSIONS_NS}\">")
    if root.get("encrypted") != "yes":
        raise ManifestError('the manifest root lacks encrypted="yes"')
    form_id = root.get("id")
    if not form_id:
        raise ManifestError("the manifest root has no id attribute")
    version = root.get("version")
    b64_key = _one(root, f"{_S}base64EncryptedKey") or ""
    xml_name = _one(root, f"{_S}encryptedXmlFile") or ""
    signature = _one(root, f"{_S}base64EncryptedElementSignature", required=False)
    meta = root.findall(f"{_ORX}meta")
    if len(meta) != 1:
        raise ManifestError(f"the manifest needs one <meta xmlns=\"{OPENROSA_NS}\">, "
                            f"found {len(meta)}")
    instance_id = _one(meta[0], f"{_ORX}instanceID") or ""
    if not instance_id:
        raise ManifestError("the manifest's meta/instanceID is empty")
    media_names = []
    for media in root.findall(f"{_S}media"):
        names = media.findall(f"{_S}file")
        if len(names) != 1 or not (names[0].text or "").strip():
            raise ManifestError("each <media> must hold exactly one non-empty <file>")
        media_names.append((names[0].text or "").strip())

    key = _unwrap(key_obj, _b64(b64_key, "base64EncryptedKey"), "base64EncryptedKey")
    if len(key) != 32:
        raise WrongKeyError(f"the unwrapped AES key is {len(key)} bytes, not 32 (AES-256)")

    seed = bytearray(hashlib.md5(instance_id.encode("utf-8") + key).digest())
    plain: list[tuple[str, bytes]] = []  # (original name, plaintext) in encryption order
    for counter, name in enumerate([*media_names, xml_name]):
        if name not in files:
            raise ManifestError(f"the manifest names {name!r} but no such file was given")
        seed[counter % 16] = (seed[counter % 16] + 1) & 0xFF
        plain.append((_original_name(name), _decrypt_file(key, bytes(seed), files[name], name)))

    signature_ok = False
    if signature is not None:
        lines = [form_id, *([version] if version is not None else []), b64_key, instance_id]
        lines += [f"{name}::{hashlib.md5(data).hexdigest()}" for name, data in plain]
        expected = hashlib.md5(("\n".join(lines) + "\n").encode("utf-8")).digest()
        got = _unwrap(key_obj, _b64(signature, "base64EncryptedElementSignature"),
                      "base64EncryptedElementSignature")
        if got != expected:
            raise SignatureError("base64EncryptedElementSignature does not match the form id, "
                                 "version, key, instanceID and decrypted files")
        signature_ok = True
    elif require_signature:
        raise SignatureError("the manifest has no base64EncryptedElementSignature")

    xml = plain[-1][1]
    _check_xml(xml, form_id, version, instance_id)
    return DecryptedSubmission(xml=xml, media=dict(plain[:-1]), instance_id=instance_id,
                               form_id=form_id, version=version, signature_ok=signature_ok)
