"""The independent ODK decryptor (tests/server/odk_decrypt.py) against submissions built by
hand in this file from the spec (https://getodk.github.io/xforms-spec/encryption), one of
them with the openssl command line doing the RSA-OAEP and AES-CFB, plus the ways a
submission can be wrong. The end-to-end tests then use the decryptor on FieldScreen's own
submissions, so it must be right and must refuse what is not."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

try:
    from cryptography.hazmat.decrepit.ciphers.modes import CFB
except ImportError:  # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives.ciphers.modes import CFB

from tests.server.odk_decrypt import (
    ContentError,
    DecryptError,
    ManifestError,
    PaddingError,
    SignatureError,
    WrongKeyError,
    decrypt_submission,
)

FORM_ID = "trafficking_screen"
VERSION = "3+1a2b3c4d[encrypted:Xy12]"
IID = "uuid:7d3f1c2a9b8e4f60a1b2c3d4e5f60718"


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def instance(form_id: str = FORM_ID, version: str | None = VERSION, iid: str = IID,
             answer: str = "Synthetic answer ü 李") -> bytes:
    version_attr = f" version={quoteattr(version)}" if version is not None else ""
    return (f'<data id={quoteattr(form_id)}{version_attr} xmlns:orx="http://openrosa.org/xforms">'
            f"<q1>{escape(answer)}</q1><grp><rep><v>1</v></rep><rep><v>2</v></rep></grp>"
            f"<meta><instanceID>{iid}</instanceID></meta></data>").encode()


def _pkcs7(data: bytes) -> bytes:
    n = 16 - len(data) % 16
    return data + bytes([n]) * n


def reference_encrypt(xml: bytes, pub: rsa.RSAPublicKey, *, form_id: str = FORM_ID,
                      version: str | None = VERSION, iid: str = IID,
                      media: Sequence[tuple[str, bytes]] = (),
                      mgf: hashes.HashAlgorithm | None = None, sign: bool = True,
                      aes_key: bytes | None = None) -> tuple[bytes, dict[str, bytes], bytes]:
    """The spec, read once more: returns (manifest, files, raw AES key)."""
    aes_key = aes_key or os.urandom(32)
    oaep = padding.OAEP(mgf=padding.MGF1(mgf or hashes.SHA256()), algorithm=hashes.SHA256(),
                        label=None)
    b64_key = base64.b64encode(pub.encrypt(aes_key, oaep)).decode()
    seed = bytearray(hashlib.md5(iid.encode() + aes_key).digest())
    files: dict[str, bytes] = {}
    lines = [form_id, *([version] if version is not None else []), b64_key, iid]
    for n, (name, data) in enumerate([*media, ("submission.xml", xml)]):
        seed[n % 16] = (seed[n % 16] + 1) % 256
        enc = Cipher(algorithms.AES(aes_key), CFB(bytes(seed))).encryptor()
        files[name + ".enc"] = enc.update(_pkcs7(data)) + enc.finalize()
        lines.append(f"{name}::{hashlib.md5(data).hexdigest()}")
    signature = ""
    if sign:
        digest = hashlib.md5(("\n".join(lines) + "\n").encode()).digest()
        signature = ("<base64EncryptedElementSignature>"
                     f"{base64.b64encode(pub.encrypt(digest, oaep)).decode()}"
                     "</base64EncryptedElementSignature>")
    version_attr = f" version={quoteattr(version)}" if version is not None else ""
    manifest = (
        f'<data xmlns="http://opendatakit.org/submissions" encrypted="yes" '
        f"id={quoteattr(form_id)}{version_attr}>"
        f"<base64EncryptedKey>{b64_key}</base64EncryptedKey>"
        f'<orx:meta xmlns:orx="http://openrosa.org/xforms"><orx:instanceID>{iid}'
        "</orx:instanceID></orx:meta>"
        + "".join(f"<media><file>{name}.enc</file></media>" for name, _ in media)
        + f"<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>{signature}</data>")
    return manifest.encode(), files, aes_key


def test_xml_only_submission_decrypts_with_its_ids(key: rsa.RSAPrivateKey) -> None:
    xml = instance()
    manifest, files, _ = reference_encrypt(xml, key.public_key())
    got = decrypt_submission(manifest, files, key)
    assert got.xml == xml
    assert (got.form_id, got.version, got.instance_id) == (FORM_ID, VERSION, IID)
    assert got.media == {} and got.signature_ok


def test_media_come_back_under_their_names_and_the_key_may_be_pem(
        key: rsa.RSAPrivateKey) -> None:
    media = [("photo.jpg", os.urandom(5000)), ("note.txt", b""), ("voice.m4a", b"x" * 16)]
    manifest, files, _ = reference_encrypt(instance(), key.public_key(), media=media)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    got = decrypt_submission(manifest, files, pem)
    assert got.media == dict(media)
    # each file had its own IV: the same plaintext twice gives different ciphertexts
    twice = [("a.bin", b"same" * 8), ("b.bin", b"same" * 8)]
    _, twin_files, _ = reference_encrypt(instance(), key.public_key(), media=twice)
    assert twin_files["a.bin.enc"] != twin_files["b.bin.enc"]


def test_iv_counter_wraps_every_sixteen_files(key: rsa.RSAPrivateKey) -> None:
    # 20 media + the XML: the 17th file increments seed byte 0 a second time
    media = [(f"m{n:02}.bin", f"media {n}".encode()) for n in range(20)]
    manifest, files, _ = reference_encrypt(instance(), key.public_key(), media=media)
    assert decrypt_submission(manifest, files, key).media == dict(media)


def test_seed_byte_0xff_wraps_to_zero_as_a_java_byte(key: rsa.RSAPrivateKey) -> None:
    aes_key = bytes(range(32))
    iid = next(f"uuid:00000000-0000-4000-8000-{n:012d}" for n in range(100_000)
               if hashlib.md5(f"uuid:00000000-0000-4000-8000-{n:012d}".encode()
                              + aes_key).digest()[0] == 0xFF)
    xml = instance(iid=iid)
    manifest, files, _ = reference_encrypt(xml, key.public_key(), iid=iid, aes_key=aes_key)
    assert decrypt_submission(manifest, files, key).xml == xml


def test_form_without_version_signs_without_that_line(key: rsa.RSAPrivateKey) -> None:
    xml = instance(version=None)
    manifest, files, _ = reference_encrypt(xml, key.public_key(), version=None)
    got = decrypt_submission(manifest, files, key)
    assert got.version is None and got.xml == xml and got.signature_ok


def _openssl(tmp: Path, *args: str, data: bytes) -> bytes:
    src = tmp / "in.bin"
    src.write_bytes(data)
    return subprocess.run(["openssl", *args, "-in", str(src)], check=True,
                          capture_output=True, timeout=30).stdout


@pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command is not here")
def test_submission_made_with_the_openssl_command_line(key: rsa.RSAPrivateKey,
                                                       tmp_path: Path) -> None:
    """A third implementation of the primitives: OpenSSL's own RSA-OAEP and AES-256-CFB."""
    pub_pem = tmp_path / "pub.pem"
    pub_pem.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    oaep = ["pkeyutl", "-encrypt", "-pubin", "-inkey", str(pub_pem), "-pkeyopt",
            "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256",
            "-pkeyopt", "rsa_mgf1_md:sha256"]
    aes_key = os.urandom(32)
    b64_key = base64.b64encode(_openssl(tmp_path, *oaep, data=aes_key)).decode()
    seed = bytearray(hashlib.md5(IID.encode() + aes_key).digest())
    photo, xml = os.urandom(777), instance(answer="openssl")
    files, lines = {}, [FORM_ID, VERSION, b64_key, IID]
    for n, (name, data) in enumerate([("photo.jpg", photo), ("submission.xml", xml)]):
        seed[n % 16] = (seed[n % 16] + 1) % 256
        files[f"{name}.enc"] = _openssl(tmp_path, "enc", "-aes-256-cfb", "-nopad", "-K",
                                        aes_key.hex(), "-iv", bytes(seed).hex(),
                                        data=_pkcs7(data))
        lines.append(f"{name}::{hashlib.md5(data).hexdigest()}")
    sig = base64.b64encode(_openssl(
        tmp_path, *oaep, data=hashlib.md5(("\n".join(lines) + "\n").encode()).digest()))
    manifest = (f'<data xmlns="http://opendatakit.org/submissions" id="{FORM_ID}" '
                f'version="{VERSION}" encrypted="yes"><base64EncryptedKey>{b64_key}'
                "</base64EncryptedKey><encryptedXmlFile>submission.xml.enc</encryptedXmlFile>"
                "<media><file>photo.jpg.enc</file></media>"
                f"<base64EncryptedElementSignature>{sig.decode()}"
                '</base64EncryptedElementSignature><meta xmlns="http://openrosa.org/xforms">'
                f"<instanceID>{IID}</instanceID></meta></data>").encode()
    got = decrypt_submission(manifest, files, key)
    assert got.xml == xml and got.media == {"photo.jpg": photo} and got.signature_ok


# --- what must be refused -------------------------------------------------------------------

def test_wrong_private_key_is_refused(key: rsa.RSAPrivateKey,
                                      other_key: rsa.RSAPrivateKey) -> None:
    manifest, files, _ = reference_encrypt(instance(), key.public_key())
    with pytest.raises(WrongKeyError, match="not encrypted to this key"):
        decrypt_submission(manifest, files, other_key)


def test_key_wrapped_with_mgf1_sha1_is_refused_and_named(key: rsa.RSAPrivateKey) -> None:
    # Central accepts such a submission but cannot decrypt it: the decryptor must not either
    manifest, files, _ = reference_encrypt(instance(), key.public_key(), mgf=hashes.SHA1())
    with pytest.raises(WrongKeyError, match="MGF1-SHA-1"):
        decrypt_submission(manifest, files, key)


def test_altered_last_byte_is_a_padding_error(key: rsa.RSAPrivateKey) -> None:
    manifest, files, _ = reference_encrypt(instance(), key.public_key())
    enc = bytearray(files["submission.xml.enc"])
    enc[-1] ^= 0x80  # CFB: flips only the last plaintext byte, the padding length
    with pytest.raises(PaddingError, match=r"submission\.xml\.enc"):
        decrypt_submission(manifest, {"submission.xml.enc": bytes(enc)}, key)


def test_truncated_file_is_refused(key: rsa.RSAPrivateKey) -> None:
    manifest, files, _ = reference_encrypt(instance(), key.public_key())
    with pytest.raises(PaddingError, match="whole number of AES blocks"):
        decrypt_submission(manifest, {"submission.xml.enc": files["submission.xml.enc"][:-3]},
                           key)


def test_altered_content_fails_the_signature(key: rsa.RSAPrivateKey) -> None:
    media = [("photo.jpg", os.urandom(4096))]
    manifest, files, _ = reference_encrypt(instance(), key.public_key(), media=media)
    enc = bytearray(files["photo.jpg.enc"])
    enc[100] ^= 0x01  # garbles blocks 6-7, the padding at the end survives
    with pytest.raises(SignatureError, match="does not match"):
        decrypt_submission(manifest, {**files, "photo.jpg.enc": bytes(enc)}, key)


def test_signature_over_another_version_is_refused(key: rsa.RSAPrivateKey) -> None:
    manifest, files, _ = reference_encrypt(instance(), key.public_key())
    # claim another version in the manifest and the XML: only the signature can tell
    forged = manifest.replace(VERSION.encode(), b"4+00000000")
    with pytest.raises(SignatureError):
        decrypt_submission(forged, files, key)


def test_media_in_another_order_than_encrypted_is_refused(key: rsa.RSAPrivateKey) -> None:
    media = [("a.bin", b"first file " * 50), ("b.bin", b"second file " * 50)]
    manifest, files, _ = reference_encrypt(instance(), key.public_key(), media=media)
    swapped = manifest.replace(b"a.bin.enc</file></media><media><file>b.bin.enc",
                               b"b.bin.enc</file></media><media><file>a.bin.enc")
    assert swapped != manifest
    with pytest.raises(DecryptError):  # wrong IVs: bad padding (or, by luck, a bad signature)
        decrypt_submission(swapped, files, key)


def test_missing_signature_is_refused_unless_allowed(key: rsa.RSAPrivateKey) -> None:
    manifest, files, _ = reference_encrypt(instance(), key.public_key(), sign=False)
    with pytest.raises(SignatureError, match="no base64EncryptedElementSignature"):
        decrypt_submission(manifest, files, key)
    got = decrypt_submission(manifest, files, key, require_signature=False)
    assert got.xml == instance() and not got.signature_ok


def test_missing_file_and_unencrypted_manifest_are_refused(key: rsa.RSAPrivateKey) -> None:
    media = [("photo.jpg", b"jpeg")]
    manifest, files, _ = reference_encrypt(instance(), key.public_key(), media=media)
    with pytest.raises(ManifestError, match=r"photo\.jpg\.enc"):
        decrypt_submission(manifest, {"submission.xml.enc": files["submission.xml.enc"]}, key)
    with pytest.raises(ManifestError, match='encrypted="yes"'):
        decrypt_submission(manifest.replace(b'encrypted="yes"', b""), files, key)
    no_ns = manifest.replace(b' xmlns="http://opendatakit.org/submissions"', b"")
    with pytest.raises(ManifestError, match="not <data xmlns"):
        decrypt_submission(no_ns, files, key)


def test_xml_that_disagrees_with_its_manifest_is_refused(key: rsa.RSAPrivateKey) -> None:
    other = instance(iid="uuid:0badc0de0badc0de0badc0de0badc0de")
    manifest, files, _ = reference_encrypt(other, key.public_key())  # manifest says IID
    with pytest.raises(ContentError, match="instanceID"):
        decrypt_submission(manifest, files, key)
    wrong_form = instance(form_id="another_form")
    manifest, files, _ = reference_encrypt(wrong_form, key.public_key())
    with pytest.raises(ContentError, match="root id"):
        decrypt_submission(manifest, files, key)
