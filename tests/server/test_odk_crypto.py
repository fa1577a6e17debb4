"""ODK submission encryption, checked by decrypting the way ODK Central does.

The decryptor below follows Central's lib/util/crypto.js and lib/util/quarantine/*.js step by
step (raw RSA, its own OAEP-MGF1-SHA256 unpadding that keeps the last 32 bytes, the IV seed
incremented per file, AES-256-CFB, PKCS#7 unpadding), plus the element signature that
Briefcase checks. If the sender used another MGF1, another IV rule or file order, the
decryption here fails just as Central's export would.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

try:
    from cryptography.hazmat.decrepit.ciphers.modes import CFB
except ImportError:  # older cryptography
    from cryptography.hazmat.primitives.ciphers.modes import CFB

from screening.errors import InputError
from screening.server import odk_crypto
from screening.server.odk_crypto import encrypt_submission, load_public_key

CENTRAL = Path(__file__).resolve().parents[3] / "shared/third_party/odk-central-backend"
INSTANCE = "uuid:6f1c2a9e4b7d4c2e9a1f0b3c5d7e9f01"
XML = ("<data id=\"adult_indicators\" version=\"1.0+abcdef01\"><name>Ана Тестова</name>"
       "<meta><instanceID>" + INSTANCE + "</instanceID></meta></data>").encode()


class Undecryptable(Exception):
    pass


@pytest.fixture(scope="module")
def key2048() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def key4096() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=4096)


def public_b64(private: rsa.RSAPrivateKey) -> str:
    der = private.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


# -- Central's algorithm ------------------------------------------------------------------
def _mgf1_sha256(seed: bytes, length: int) -> bytes:
    out = b"".join(hashlib.sha256(seed + i.to_bytes(4, "big")).digest()
                   for i in range((length + 31) // 32))
    return out[:length]


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def central_submission_key(private: rsa.RSAPrivateKey, enc_b64: str) -> bytes:
    """getSubmissionKey: privateDecrypt with RSA_NO_PADDING, then unpadPkcs1OaepMgf1Sha256
    (no checks: the last 32 bytes of the unmasked data block are the key). Central does it
    for 256-byte blocks only; the same rule is applied here to any size."""
    numbers = private.private_numbers()
    n = numbers.public_numbers.n
    size = (n.bit_length() + 7) // 8
    padded = pow(int.from_bytes(base64.b64decode(enc_b64), "big"), numbers.d, n)
    block = padded.to_bytes(size, "big")
    masked_seed, masked_db = block[1:33], block[33:]
    seed = _xor(masked_seed, _mgf1_sha256(masked_db, 32))
    db = _xor(masked_db, _mgf1_sha256(seed, len(masked_db)))
    return db[-32:]


def central_ivs(instance_id: str, key: bytes, count: int) -> list[bytes]:
    """getSubmissionIvs: runner = md5(instanceId + key); for each n, runner[n % 16] += 1."""
    runner = bytearray(hashlib.md5(instance_id.encode() + key).digest())
    ivs = []
    for n in range(count):
        runner[n % 16] = (runner[n % 16] + 1) & 0xFF
        ivs.append(bytes(runner))
    return ivs


def central_cleartext(key: bytes, iv: bytes, data: bytes) -> bytes:
    """getSubmissionCleartext: AES-256-CFB without auto padding, then unpadPkcs7."""
    decryptor = Cipher(algorithms.AES(key), CFB(iv)).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    pad = padded[-1] if padded else 0
    if not 1 <= pad <= 16 or padded[-pad:] != bytes([pad]) * pad:
        raise Undecryptable("bad PKCS#7 padding")
    return padded[:-pad]


def parse_manifest(manifest: bytes) -> dict:
    """What Central's Submission.fromXml and _extractEncryptedAttachments read (element
    names without namespaces)."""
    root = ET.fromstring(manifest)

    def local(el: ET.Element) -> str:
        return el.tag.rsplit("}", 1)[-1]

    def one(name: str) -> str:
        found = [el.text or "" for el in root.iter() if local(el) == name]
        assert len(found) == 1, name
        return found[0]

    media = [el.text or "" for m in root if local(m) == "media"
             for el in m if local(el) == "file"]
    return {"ns": root.tag.split("}")[0].lstrip("{"), "root": local(root),
            "id": root.get("id"), "version": root.get("version"),
            "encrypted": root.get("encrypted"), "key": one("base64EncryptedKey"),
            "instance": one("instanceID"), "xml": one("encryptedXmlFile"),
            "signature": one("base64EncryptedElementSignature"), "media": media}


def central_decrypt(private: rsa.RSAPrivateKey, manifest: bytes, files: dict[str, bytes],
                    root_instance: str | None = None) -> dict[str, bytes]:
    """Every file of the submission, decrypted as Central's export does (blob index: media
    in manifest order, then the XML), and the element signature checked. The IV comes from
    the submission's first instanceID (``root_instance``, for an edit), as Central's
    streamForExport takes ``submissions."instanceId"``."""
    info = parse_manifest(manifest)
    key = central_submission_key(private, info["key"])
    names = [*info["media"], info["xml"]]
    ivs = central_ivs(root_instance or info["instance"], key, len(names))
    plain = {name.removesuffix(".enc"): central_cleartext(key, iv, files[name])
             for name, iv in zip(names, ivs, strict=True)}
    lines = [info["id"], *([info["version"]] if info["version"] is not None else []),
             info["key"], info["instance"],
             *(f"{name}::{hashlib.md5(data).hexdigest()}" for name, data in plain.items())]
    digest = hashlib.md5("".join(line + "\n" for line in lines).encode()).digest()
    signature = private.decrypt(base64.b64decode(info["signature"]),
                                OAEP(MGF1(hashes.SHA256()), hashes.SHA256(), None))
    if signature != digest:
        raise Undecryptable("element signature does not match")
    return plain


# -- tests --------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["key2048", "key4096"])
def test_central_decrypts_xml_and_media_in_order(which: str,
                                                 request: pytest.FixtureRequest) -> None:
    private = request.getfixturevalue(which)
    media = [("photo.jpg", b"\xff\xd8 synthetic jpeg " * 40), ("voice.m4a", b"x" * 16),
             ("empty.txt", b"")]
    sub = encrypt_submission(XML, form_id="adult_indicators", version="1.0+abcdef01",
                             instance_id=INSTANCE, public_key_b64=public_b64(private),
                             media=media)
    assert list(sub.files) == ["photo.jpg.enc", "voice.m4a.enc", "empty.txt.enc",
                               "submission.xml.enc"]
    plain = central_decrypt(private, sub.manifest, sub.files)
    assert plain == {**dict(media), "submission.xml": XML}
    # Every ciphertext is padded to whole blocks (16 bytes of padding on a full block).
    assert len(sub.files["voice.m4a.enc"]) == 32 and len(sub.files["empty.txt.enc"]) == 16


def test_an_edit_decrypts_whole_the_way_central_decrypts_edits(
        key2048: rsa.RSAPrivateKey) -> None:
    # Central decrypts every version of a submission with the IV of its first instanceID;
    # an edit carries a new instanceID (and deprecatedID) in its manifest.
    edit = "uuid:0b9e6c2d4f8a4e1c9d7b5a3f1e0c8d6b"
    sub = encrypt_submission(XML, form_id="adult_indicators", version="1.0+abcdef01",
                             instance_id=edit, public_key_b64=public_b64(key2048),
                             deprecated_id=INSTANCE, iv_instance_id=INSTANCE)
    assert parse_manifest(sub.manifest)["instance"] == edit
    assert central_decrypt(key2048, sub.manifest, sub.files,
                           root_instance=INSTANCE)["submission.xml"] == XML
    # With the edit's own ID the first block decrypts to garbage (the signature then fails):
    # what made Central's export of an edit lose its fields now and then.
    info = parse_manifest(sub.manifest)
    key = central_submission_key(key2048, info["key"])
    [iv] = central_ivs(edit, key, 1)
    garbled = central_cleartext(key, iv, sub.files["submission.xml.enc"])
    assert garbled[16:] == XML[16:] and garbled[:16] != XML[:16]


def test_each_file_needs_its_own_iv(key2048: rsa.RSAPrivateKey) -> None:
    media = [("a.txt", b"first attachment, long enough " * 3), ("b.txt", b"second " * 9)]
    sub = encrypt_submission(XML, form_id="f", version=None, instance_id=INSTANCE,
                             public_key_b64=public_b64(key2048), media=media)
    info = parse_manifest(sub.manifest)
    key = central_submission_key(key2048, info["key"])
    ivs = central_ivs(INSTANCE, key, 3)
    assert central_cleartext(key, ivs[1], sub.files["b.txt.enc"]) == media[1][1]
    # With the first file's IV (or the XML's) the second one does not come back.
    for wrong in (ivs[0], ivs[2]):
        try:
            assert central_cleartext(key, wrong, sub.files["b.txt.enc"]) != media[1][1]
        except Undecryptable:
            pass


def test_manifest_is_what_central_reads(key2048: rsa.RSAPrivateKey) -> None:
    sub = encrypt_submission(XML, form_id="adult_indicators", version="2+0badc0de",
                             instance_id=INSTANCE, public_key_b64=public_b64(key2048),
                             media=[("scan 1.png", b"png")])
    info = parse_manifest(sub.manifest)
    assert info["ns"] == "http://opendatakit.org/submissions" and info["root"] == "data"
    assert (info["id"], info["version"], info["encrypted"]) == (
        "adult_indicators", "2+0badc0de", "yes")
    assert info["instance"] == INSTANCE == sub.instance_id
    assert info["xml"] == "submission.xml.enc" and info["media"] == ["scan 1.png.enc"]
    # instanceID is in the OpenRosa namespace, as Collect writes it.
    assert ET.fromstring(sub.manifest).find(
        "{http://openrosa.org/xforms}meta/{http://openrosa.org/xforms}instanceID") is not None
    # No version: no attribute, and the signature is computed without that line.
    unversioned = encrypt_submission(XML, form_id="f", version=None, instance_id=INSTANCE,
                                     public_key_b64=public_b64(key2048))
    assert b"version=" not in unversioned.manifest
    assert central_decrypt(key2048, unversioned.manifest, unversioned.files)


def test_key_is_wrapped_with_oaep_sha256_for_digest_and_mgf1(
        key2048: rsa.RSAPrivateKey) -> None:
    sub = encrypt_submission(XML, form_id="f", version="1", instance_id=INSTANCE,
                             public_key_b64=public_b64(key2048))
    wrapped = base64.b64decode(parse_manifest(sub.manifest)["key"])
    strict = key2048.decrypt(wrapped, OAEP(MGF1(hashes.SHA256()), hashes.SHA256(), None))
    assert len(strict) == 32 and strict == central_submission_key(
        key2048, parse_manifest(sub.manifest)["key"])
    with pytest.raises(ValueError):  # the JCE mix (SHA-256 digest, MGF1-SHA1) is not it
        key2048.decrypt(wrapped, OAEP(MGF1(hashes.SHA1()), hashes.SHA256(), None))


def test_a_key_wrapped_with_mgf1_sha1_does_not_decrypt_the_central_way(
        key2048: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> None:
    # Central accepts such a submission (201) but its export is then garbage: the rule
    # used here must see the difference, or the tests above prove nothing.
    monkeypatch.setattr(odk_crypto, "_oaep",
                        lambda: OAEP(MGF1(hashes.SHA1()), hashes.SHA256(), None))
    sub = encrypt_submission(XML, form_id="f", version="1", instance_id=INSTANCE,
                             public_key_b64=public_b64(key2048))
    try:
        plain = central_decrypt(key2048, sub.manifest, sub.files)
    except (Undecryptable, ValueError):
        return
    assert plain.get("submission.xml") != XML


def test_every_submission_gets_a_fresh_key(key2048: rsa.RSAPrivateKey) -> None:
    make = lambda: encrypt_submission(  # noqa: E731
        XML, form_id="f", version="1", instance_id=INSTANCE,
        public_key_b64=public_b64(key2048))
    first, second = make(), make()
    assert parse_manifest(first.manifest)["key"] != parse_manifest(second.manifest)["key"]
    assert first.files["submission.xml.enc"] != second.files["submission.xml.enc"]


def test_nothing_secret_in_the_result_or_its_repr(key2048: rsa.RSAPrivateKey) -> None:
    sub = encrypt_submission(XML, form_id="f", version="1", instance_id=INSTANCE,
                             public_key_b64=public_b64(key2048),
                             media=[("m.txt", "Ана Тестова passport".encode())])
    key = central_submission_key(key2048, parse_manifest(sub.manifest)["key"])
    text = repr(sub)
    assert "Тестова" not in text and "passport" not in text
    assert key.hex() not in text and base64.b64encode(key).decode() not in text
    assert "Тестова".encode() not in sub.manifest and key not in sub.manifest
    assert not any("Тестова".encode() in data for data in sub.files.values())
    assert not any(isinstance(v, bytes) and v == key for v in vars(sub).values())


def test_pem_public_key_is_accepted(key2048: rsa.RSAPrivateKey) -> None:
    pem = key2048.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert load_public_key(pem).key_size == 2048
    assert load_public_key(public_b64(key2048)).public_numbers() == \
        key2048.public_key().public_numbers()


@pytest.mark.parametrize(("make", "words"), [
    (lambda: "", "empty"),
    (lambda: "not base64 at all!", "not a base64"),
    (lambda: base64.b64encode(b"\x30\x03\x02\x01\x00").decode(), "public key"),
    (lambda: base64.b64encode(ec.generate_private_key(ec.SECP256R1()).public_key()
                              .public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
                              ).decode(), "elliptic-curve"),
    (lambda: public_b64(rsa.generate_private_key(public_exponent=65537, key_size=1024)),
     "1024 bits"),
])
def test_unusable_keys_are_refused_clearly(make, words: str) -> None:
    with pytest.raises(InputError) as caught:
        encrypt_submission(XML, form_id="f", version="1", instance_id=INSTANCE,
                           public_key_b64=make())
    assert words in caught.value.message and "Traceback" not in caught.value.message


@pytest.mark.parametrize("name", ["", "../x", "a/b", "submission.xml", " padded"])
def test_bad_attachment_names_are_refused(key2048: rsa.RSAPrivateKey, name: str) -> None:
    with pytest.raises(InputError):
        encrypt_submission(XML, form_id="f", version="1", instance_id=INSTANCE,
                           public_key_b64=public_b64(key2048), media=[(name, b"x")])


def test_missing_instance_id_is_refused(key2048: rsa.RSAPrivateKey) -> None:
    with pytest.raises(InputError, match="instanceID"):
        encrypt_submission(XML, form_id="f", version="1", instance_id="",
                           public_key_b64=public_b64(key2048))


_NODE_UNPAD = r"""
const { privateDecrypt, createDecipheriv, createHash, constants } = require('node:crypto');
const central = process.argv[1];
const { unpadPkcs1OaepMgf1Sha256 } = require(central + '/lib/util/quarantine/oaep');
const { unpadPkcs7 } = require(central + '/lib/util/quarantine/pkcs7');
const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const padded = privateDecrypt({ key: input.pem, padding: constants.RSA_NO_PADDING },
                              Buffer.from(input.key, 'base64'));
const key = unpadPkcs1OaepMgf1Sha256(padded);
const runner = createHash('md5').update(input.instance).update(key).digest();
const out = {};
input.names.forEach((name, idx) => {
  runner[idx % 16] += 1;
  const d = createDecipheriv('aes-256-cfb', key, Buffer.from(runner)).setAutoPadding(false);
  const clear = unpadPkcs7(Buffer.concat([d.update(Buffer.from(input.files[name], 'base64')),
                                          d.final()]));
  out[name] = clear == null ? null : clear.toString('base64');
});
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
@pytest.mark.skipif(not (CENTRAL / "lib/util/quarantine/oaep.js").exists(),
                    reason="needs ../shared/third_party/odk-central-backend")
def test_centrals_own_unpadding_code_decrypts_it(key2048: rsa.RSAPrivateKey) -> None:
    """Central's own OAEP and PKCS#7 unpadding (its quarantine/*.js, run by Node)."""
    media = [("photo.jpg", b"synthetic photo bytes " * 7)]
    sub = encrypt_submission(XML, form_id="f", version="1", instance_id=INSTANCE,
                             public_key_b64=public_b64(key2048), media=media)
    info = parse_manifest(sub.manifest)
    pem = key2048.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    payload = {"pem": pem, "key": info["key"], "instance": info["instance"],
               "names": [*info["media"], info["xml"]],
               "files": {n: base64.b64encode(d).decode() for n, d in sub.files.items()}}
    done = subprocess.run(["node", "-e", _NODE_UNPAD, str(CENTRAL)],
                          input=json.dumps(payload), capture_output=True, text=True,
                          timeout=60, check=True)
    out = {name: base64.b64decode(data) for name, data in json.loads(done.stdout).items()}
    assert out == {"photo.jpg.enc": media[0][1], "submission.xml.enc": XML}
