"""The XForm FieldScreen publishes to ODK Central, and reading back the one Central serves.

Every form is checked with JavaRosa (ODK Validate, the jar that ships with pyxform): a form
Collect or Central would refuse must fail here first.
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from factories import load

from screening.errors import InputError
from screening.instruments import find_instrument
from screening.server.xform import (
    parse_xform,
    publishable_xform,
    rename_in_xpath,
    server_form_version,
)
from screening.xlsform import import_xlsform
from screening.xlsform.odk_export import odk_rows
from tests.xlsform.xlshelp import FIXTURES, fixture_path

SHIPPED = ["adult_indicators", "forced_labour_ilo11", "safety_triage", "youth_quick_screen"]
IMPORTED = [name for name in FIXTURES if "_ERR_" not in name]
XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"


def new_public_key(bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    der = key.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


PUBLIC_KEY = new_public_key()


def javarosa_validates(xform: bytes, folder: Path) -> None:
    """ODK Validate (JavaRosa) accepts the form; it fails the test with JavaRosa's words."""
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: ODK Validate (JavaRosa) cannot run")
    from pyxform.validators import odk_validate

    path = folder / "form.xml"
    path.write_bytes(xform)
    try:
        warnings = odk_validate.check_xform(str(path))
    except odk_validate.ODKValidateError as exc:
        pytest.fail(str(exc))
    finally:
        path.unlink()
    assert not [w for w in warnings if "invalid" in w.lower()], warnings


def instance_of(xform: bytes) -> ET.Element:
    model = ET.fromstring(xform).find(f"{H}head/{XF}model")
    assert model is not None
    return model.find(f"{XF}instance")[0]  # type: ignore[index]


def leaf_columns(xform: bytes) -> list[str]:
    """The root table's columns of Central's CSV export (repeats' fields left out)."""
    html = ET.fromstring(xform)
    repeats = {r.get("nodeset") for r in html.iter(f"{XF}repeat")}
    out: list[str] = []

    def walk(element: ET.Element, path: tuple[str, ...]) -> None:
        for child in element:
            here = (*path, child.tag.split("}")[-1])
            if "/" + "/".join(("data", *here)) in repeats:
                continue
            if len(child):
                walk(child, here)
            else:
                out.append("-".join(here))

    walk(instance_of(xform), ())
    return out


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_instrument_publishes_a_valid_encrypted_form(name: str, tmp_path: Path) -> None:
    ins = find_instrument(name).instrument
    xform = publishable_xform(ins, public_key=PUBLIC_KEY)
    javarosa_validates(xform, tmp_path)
    form = parse_xform(xform)
    assert (form.form_id, form.root_name) == (ins.id, "data")
    assert form.version == server_form_version(ins)
    assert form.public_key == PUBLIC_KEY
    model = ET.fromstring(xform).find(f"{H}head/{XF}model")
    submission = model.find(f"{XF}submission")  # type: ignore[union-attr]
    assert submission is not None
    assert submission.get("base64RsaPublicKey") == PUBLIC_KEY
    assert submission.get("method") == "form-data-post"
    # Central's CSV export of this form has exactly the columns of FieldScreen's own export.
    assert leaf_columns(xform) == odk_rows(ins, []).root.header[1:-10]


@pytest.mark.parametrize("name", IMPORTED)
def test_imported_form_publishes_a_valid_form(name: str, tmp_path: Path) -> None:
    ins = import_xlsform(fixture_path(name)).instrument
    xform = publishable_xform(ins)
    javarosa_validates(xform, tmp_path)
    assert leaf_columns(xform) == odk_rows(ins, []).root.header[1:-10]
    assert parse_xform(xform).public_key is None
    assert b"base64RsaPublicKey" not in xform


DATES = load("""\
- name: s
  title: {en: S}
  items:
    - {name: born, type: date, text: {en: Born}, appearance: persian}
    - {name: total, type: calculate, calculation: "1 + 1"}
    - {name: note1, type: note, text: {en: Note}}
    - {name: city, type: text, text: {en: City}, special: []}
""").instrument


def test_companion_fields_are_hidden_and_right_after_their_item(tmp_path: Path) -> None:
    xform = publishable_xform(DATES)
    javarosa_validates(xform, tmp_path)
    group = instance_of(xform).find(f"{XF}s")
    assert group is not None
    assert [child.tag.split("}")[-1] for child in group] == [
        "born", "born_precision", "born_approximate", "born_persian", "born_special",
        "total", "note1", "city"]
    body = ET.fromstring(xform).find(f"{H}body")
    refs = {e.get("ref") for e in body.iter()}  # type: ignore[union-attr]
    assert "/data/s/born" in refs and "/data/s/born_special" not in refs
    binds = {b.get("nodeset"): b.get("type") for b in ET.fromstring(xform).iter(f"{XF}bind")}
    assert binds["/data/s/born_precision"] == "string"


def test_a_companion_name_taken_by_an_item_is_refused() -> None:
    taken = load("""\
- name: s
  title: {en: S}
  items:
    - {name: age, type: integer, text: {en: Age}}
    - {name: age_special, type: text, text: {en: Other}, special: []}
""").instrument
    with pytest.raises(InputError) as caught:
        publishable_xform(taken)
    message = str(caught.value)
    assert "item 'age' needs a hidden field 'age_special'" in message
    assert "item 'age_special' already has that name" in message


def test_the_same_name_in_another_group_is_no_collision(tmp_path: Path) -> None:
    apart = load("""\
- name: s
  title: {en: S}
  items:
    - {name: age, type: integer, text: {en: Age}}
- name: t
  title: {en: T}
  items:
    - {name: age_special, type: text, text: {en: Other}, relevant: "${age} > 1", special: []}
""").instrument
    xform = publishable_xform(apart)
    javarosa_validates(xform, tmp_path)
    assert leaf_columns(xform) == ["s-age", "s-age_special", "t-age_special", "meta-instanceID"]
    # the reference still names the question, not the hidden field
    assert b'relevant=" /data/s/age  &gt; 1"' in xform


def test_renamed_elements_keep_their_references(tmp_path: Path) -> None:
    # An imported form's second "name" is stored as "kids.name" (odk_name "name").
    ins = load("""\
- name: _form
  title: {en: Form}
  items:
    - {name: name, type: text, text: {en: Your name}}
    - name: kids
      type: repeat
      text: {en: Children}
      items:
        - {name: kids.name, odk_name: name, type: text, text: {en: "Child's name"}}
        - {name: shout, type: calculate, calculation: "concat(${kids.name}, '!')"}
        - {name: why, type: text, text: {en: "Why?"}, relevant: "${kids.name} != ${name}"}
""").instrument
    xform = publishable_xform(ins)
    javarosa_validates(xform, tmp_path)
    kids = instance_of(xform).find(f"{XF}kids")
    assert kids is not None
    assert [c.tag.split("}")[-1] for c in kids] == ["name", "name_special", "shout", "why",
                                                    "why_special"]
    binds = {b.get("nodeset"): b for b in ET.fromstring(xform).iter(f"{XF}bind")}
    assert binds["/data/kids/shout"].get("calculate") == "concat( ../name , '!')"
    assert binds["/data/kids/why"].get("relevant") == " ../name  !=  /data/name "
    assert "kids.name" not in xform.decode().replace("/data/kids/kids.name:", "")


LOOP = (
    b"| survey |\n"
    b"|  | type | name | label::English (en) | relevant |\n"
    b"|  | select_multiple animals | owned | Which animals? |  |\n"
    b"|  | begin loop over animals | herd | Herd |  |\n"
    b"|  | integer | count | How many %(label)s? | selected(${owned}, '%(name)s') |\n"
    b"|  | text | where | Where? | ../count > 0 |\n"
    b"|  | end loop |  |  |  |\n"
    b"| choices |\n"
    b"|  | list_name | name | label::English (en) |\n"
    b"|  | animals | cow | Cow |\n"
    b"|  | animals | goat | Goat |\n"
)


def test_a_loop_is_published_with_the_forms_paths(tmp_path: Path) -> None:
    ins = import_xlsform(LOOP, file_name="loop.md").instrument
    xform = publishable_xform(ins)
    javarosa_validates(xform, tmp_path)
    assert leaf_columns(xform) == [
        "owned", "owned_special", "herd-cow-count", "herd-cow-count_special",
        "herd-cow-where", "herd-cow-where_special", "herd-goat-count",
        "herd-goat-count_special", "herd-goat-where", "herd-goat-where_special",
        "meta-instanceID"]
    binds = {b.get("nodeset"): b for b in ET.fromstring(xform).iter(f"{XF}bind")}
    assert binds["/data/herd/goat/where"].get("relevant") == " /data/herd/goat/count  > 0"


def test_rename_leaves_literals_and_functions_alone() -> None:
    renames = {"a.b": "b", "kids.name": "name"}
    assert rename_in_xpath(" /data/kids/kids.name  = 'kids.name'", renames) == \
        " /data/kids/name  = 'kids.name'"
    assert rename_in_xpath("jr:itext('/data/a.b:label')", renames) == \
        "jr:itext('/data/a.b:label')"
    assert rename_in_xpath("../a.b + @a.b", renames) == "../b + @a.b"


def test_server_version_tells_two_texts_apart() -> None:
    ins = find_instrument("safety_triage").instrument
    digest = (ins.content_hash or "").removeprefix("sha256:")
    assert server_form_version(ins) == f"{ins.version}+{digest[:8]}"
    other = DATES.model_copy(update={"content_hash": None})
    assert server_form_version(other).startswith(f"{other.version}+")
    assert server_form_version(other) != server_form_version(ins)


def test_a_pem_key_is_written_as_base64_der() -> None:
    der = base64.b64decode(PUBLIC_KEY)
    key = serialization.load_der_public_key(der)
    pem = key.public_bytes(serialization.Encoding.PEM,
                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert parse_xform(publishable_xform(DATES, public_key=pem)).public_key == PUBLIC_KEY


@pytest.mark.parametrize("key", ["not a key", new_public_key(1024)])
def test_a_key_odk_cannot_use_is_refused(key: str) -> None:
    with pytest.raises(InputError, match="public key"):
        publishable_xform(DATES, public_key=key)


def test_parse_what_central_serves_after_managed_encryption() -> None:
    xform = publishable_xform(DATES).decode()
    version = server_form_version(DATES)
    served = xform.replace(f'version="{version}"', f'version="{version}[encrypted:Ab3x]"')
    served = served.replace("<instance>", f'<submission base64RsaPublicKey="{PUBLIC_KEY}"/>'
                            "<instance>", 1)
    form = parse_xform(served.encode())
    assert form.version == f"{version}[encrypted:Ab3x]"
    assert form.public_key == PUBLIC_KEY
    assert form.xml == served.encode()


@pytest.mark.parametrize(("xml", "says"), [
    (b"hello", "not readable XML"),
    (b"<a><b/></a>", "not an XForm"),
    (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "not readable XML"),
])
def test_what_is_not_an_xform_is_refused(xml: bytes, says: str) -> None:
    with pytest.raises(InputError, match=says):
        parse_xform(xml)


def test_a_form_without_an_id_is_refused() -> None:
    xform = publishable_xform(DATES).decode().replace('id="test_instrument" ', "", 1)
    with pytest.raises(InputError, match="no id attribute"):
        parse_xform(xform.encode())


def test_the_form_is_converted_without_files(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    publishable_xform(find_instrument("adult_indicators").instrument, public_key=PUBLIC_KEY)
    assert list(tmp_path.iterdir()) == []
