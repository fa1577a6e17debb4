"""The submission XML of an interview (what FieldScreen sends to ODK Central).

The key property: flattening the XML as Central's CSV export does (leaf fields in form order,
group path joined with '-', one table per repeat with PARENT_KEY and KEY) gives exactly the
cells of FieldScreen's own ODK export (``odk_rows``) for the same interview, for every
shipped instrument, imported forms with renamed elements, nested repeats and loops. The
flattener below reads only the XForm and the XML, not FieldScreen's code.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from factories import load, stored_interview

from screening.engine.session import InterviewSession
from screening.engine.storage import MemoryAnswerStore
from screening.errors import InputError
from screening.instruments import find_instrument
from screening.instruments.model import Instrument
from screening.paths import resource_path
from screening.server.instance import instance_id, interview_submission, submission_xml
from screening.server.xform import PublishedForm, parse_xform, publishable_xform
from screening.store import Store
from screening.xlsform import import_xlsform
from screening.xlsform.odk_export import Submission, odk_rows
from tests.server.test_xform import LOOP
from tests.xlsform.xlshelp import FIXTURES, answer_everything, fixture_path

SHIPPED = ["adult_indicators", "forced_labour_ilo11", "safety_triage", "youth_quick_screen"]
IMPORTED = [name for name in FIXTURES if "_ERR_" not in name]
INTERVIEW = "0f9e8d7c6b5a49388271605f4e3d2c1b"
XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"

RICH = load("""\
- name: about
  title: {en: About}
  items:
    - {name: age, type: integer, text: {en: Age}}
    - {name: born, type: date, text: {en: Born}, appearance: persian}
    - {name: arrived, type: date, text: {en: Arrived}}
    - {name: left_home, type: date, text: {en: Left home}}
    - name: langs
      type: multiple_choice
      text: {en: Languages}
      choices:
        - {name: ar, label: {en: Arabic}}
        - {name: fr, label: {en: French}}
        - {name: tl, label: {en: Tagalog}}
    - {name: harmed, type: yes_no, text: {en: "Harmed?"}}
    - {name: works, type: yes_no, text: {en: "Works?"}}
    - {name: employer, type: text, text: {en: Employer}, relevant: "${works} = 'yes'"}
    - name: place
      type: group
      items:
        - {name: city, type: text, text: {en: City}}
        - {name: remark, type: note, text: {en: A note}}
    - {name: adult, type: calculate, calculation: "if(${age} >= 18, 'yes', 'no')"}
- name: households
  title: {en: Households}
  items:
    - {name: nh, type: integer, text: {en: "How many households?"}}
    - name: hh
      type: repeat
      text: {en: Household}
      repeat_count: "${nh}"
      items:
        - {name: np, type: integer, text: {en: "How many people?"}}
        - {name: hname, type: text, text: {en: Family name}}
        - name: person
          type: repeat
          text: {en: Person}
          repeat_count: "${np}"
          items:
            - {name: pname, type: text, text: {en: Name}}
            - {name: page, type: integer, text: {en: Age}}
            - {name: family, type: calculate, calculation: "${hname}"}
        - {name: people, type: calculate, calculation: "count(${page})"}
- name: _end
  title: {en: End}
  items:
    - {name: seen_at, type: datetime, text: {en: Seen at}}
    - {name: ok, type: acknowledge, text: {en: "OK?"}}
    - {name: later, type: text, text: {en: Later}}
""", id="rich_form").instrument

RICH_ANSWERS: list[tuple[str, Any, str | None]] = [
    ("age", 34, None),
    ("born", {"given": "1370-05-02", "calendar": "persian"}, None),
    ("arrived", {"value": "2025-02", "precision": "month", "approximate": True}, None),
    ("left_home", None, "dont_know"),
    ("langs", ["ar", "tl"], None),
    ("harmed", None, "refused"),
    ("works", "yes", None),
    ("employer", "Synthetic Farm Ltd", None),
    ("works", "no", None),  # the employer answer stays, no longer relevant
    ("city", "Example Town", None),
    ("nh", 2, None),
    ("hh[1].np", 2, None), ("hh[1].hname", "Ames", None),
    ("hh[1].person[1].pname", "Ana", None), ("hh[1].person[1].page", 30, None),
    ("hh[1].person[2].pname", None, "refused"), ("hh[1].person[2].page", 5, None),
    ("hh[2].np", 1, None), ("hh[2].hname", "Bode", None),
    ("hh[2].person[1].pname", "Bea", None), ("hh[2].person[1].page", 61, None),
    ("seen_at", "2025-03-01T10:15:00+02:00", None),
    ("ok", True, None),
]


def rich_submission() -> Submission:
    session = InterviewSession(RICH, RICH.content_hash or "", MemoryAnswerStore(allow_unsafe=True),
                               "rich-1", respondent_language="en", officer_language="en")
    for key, value, special in RICH_ANSWERS:
        if special:
            session.answer(key, special=special)
        else:
            session.answer(key, value)
    return Submission(instance_id(INTERVIEW), "2025-03-01T12:00:00+02:00", session.answers,
                      submitter_name="officer 7")


def form_for(instrument: Instrument, version: str | None = None) -> PublishedForm:
    form = parse_xform(publishable_xform(instrument))
    if version is None:
        return form
    return PublishedForm(form.form_id, version, form.public_key, form.root_name, form.xml)


# -- Central's CSV export, from the XForm and the XML only --------------------------------------
@dataclass
class CentralTable:
    name: str
    path: tuple[str, ...]  # the repeat's element path from the root (() for the root table)
    columns: list[tuple[str, ...]]  # leaf paths relative to the table
    children: list[CentralTable] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def central_schema(xform: bytes) -> list[CentralTable]:
    """The root table and one per repeat (form order, outer first), as Central lays out its
    CSV export: leaves of the primary instance, repeats from the body's ``repeat``s."""
    html = ET.fromstring(xform)
    model = html.find(f"{H}head/{XF}model")
    assert model is not None
    root = model.find(f"{XF}instance")[0]  # type: ignore[index]
    name = root.tag.split("}")[-1]
    repeats = {tuple(r.get("nodeset", "").split("/")[2:])
               for r in html.iter(f"{XF}repeat")}
    form_id = root.get("id", "")
    top = CentralTable(form_id, (), [])
    tables = [top]
    counts: dict[str, int] = {}

    def walk(element: ET.Element, path: tuple[str, ...], table: CentralTable) -> None:
        seen: set[str] = set()
        for child in element:
            tag = child.tag.split("}")[-1]
            if tag in seen:  # the first entry after a repeat's template
                continue
            seen.add(tag)
            here = (*path, tag)
            if here in repeats:
                inner = CentralTable(f"{form_id}-{tag}", here, [])
                counts[tag] = counts.get(tag, 0) + 1
                table.children.append(inner)
                tables.append(inner)
                walk(child, here, inner)
            elif len(child):
                walk(child, here, table)
            else:
                table.columns.append(here[len(table.path):])

    walk(root, (), top)
    assert name
    seen_names: dict[str, int] = {}
    for table in tables[1:]:  # "~1", "~2" where two repeats have one name (Central)
        tag = table.path[-1]
        if counts[tag] > 1:
            seen_names[tag] = seen_names.get(tag, 0) + 1
            table.name += f"~{seen_names[tag]}"
    return tables


def text_at(element: ET.Element, path: tuple[str, ...]) -> str:
    found = element.find("/".join(path))
    return (found.text or "") if found is not None else ""


def flatten(xform: bytes, submissions: list[bytes]) -> list[CentralTable]:
    """Central's CSV tables for ``submissions``, without Central's own meta columns."""
    tables = central_schema(xform)

    def entries(table: CentralTable, element: ET.Element, key: str) -> None:
        for inner in table.children:
            relative = inner.path[len(table.path):]
            holder = element.find("/".join(relative[:-1])) if len(relative) > 1 else element
            if holder is None:
                continue
            for index, entry in enumerate(holder.findall(relative[-1]), start=1):
                entry_key = "/".join([key, *relative[:-1], f"{relative[-1]}[{index}]"])
                inner.rows.append([text_at(entry, c) for c in inner.columns]
                                  + [key, entry_key])
                entries(inner, entry, entry_key)

    for xml in submissions:
        root = ET.fromstring(xml)
        tables[0].rows.append([text_at(root, c) for c in tables[0].columns])
        entries(tables[0], root, text_at(root, ("meta", "instanceID")))
    return tables


def template_paths(xform: bytes) -> dict[tuple[str, ...], list[str]]:
    """Element path -> its children's names in form order (repeat entries merged)."""
    model = ET.fromstring(xform).find(f"{H}head/{XF}model")
    assert model is not None
    out: dict[tuple[str, ...], list[str]] = {}

    def walk(element: ET.Element, path: tuple[str, ...]) -> None:
        names = out.setdefault(path, [])
        for child in element:
            tag = child.tag.split("}")[-1]
            if tag not in names:
                names.append(tag)
            walk(child, (*path, tag))

    walk(model.find(f"{XF}instance")[0], ())  # type: ignore[index]
    return out


def assert_fits_the_form(xform: bytes, xml: bytes) -> None:
    """Every element is one the form has at that path, in the form's order."""
    template = template_paths(xform)

    def walk(element: ET.Element, path: tuple[str, ...]) -> None:
        names = [child.tag for child in element]
        order = template[path]
        assert all(name in order for name in names), (path, set(names) - set(order))
        positions = [order.index(name) for name in names]
        assert positions == sorted(positions), (path, names)
        for child in element:
            walk(child, (*path, child.tag))

    walk(ET.fromstring(xml), ())


def assert_same_as_odk_rows(instrument: Instrument, subs: list[Submission],
                            form: PublishedForm | None = None) -> list[CentralTable]:
    form = form or form_for(instrument)
    xmls = [submission_xml(instrument, form, sub) for sub in subs]
    for xml in xmls:
        assert_fits_the_form(form.xml, xml)
    central = flatten(form.xml, xmls)
    ours = odk_rows(instrument, subs)
    root = central[0]
    assert ["-".join(c) for c in root.columns] == ours.root.header[1:-10]
    assert root.rows == [row[1:-10] for row in ours.root.rows]
    assert [t.name for t in central[1:]] == [t.name for t in ours.repeats]
    for table, mine in zip(central[1:], ours.repeats, strict=True):
        assert ["-".join(c) for c in table.columns] + ["PARENT_KEY", "KEY"] == mine.header
        assert table.rows == mine.rows, table.name
    return central


# -- tests -------------------------------------------------------------------------------------
def test_the_instance_id_of_an_interview() -> None:
    assert instance_id(INTERVIEW) == f"uuid:{INTERVIEW}"


def test_rich_interview_flattens_to_the_odk_export_cells() -> None:
    assert_same_as_odk_rows(RICH, [rich_submission()])


def test_rich_interview_values_as_collect_writes_them() -> None:
    form = form_for(RICH, "0.1+abc[encrypted:Xy12]")  # Central re-versioned it
    root = ET.fromstring(submission_xml(RICH, form, rich_submission()))
    assert root.tag == "data"
    assert (root.get("id"), root.get("version")) == ("rich_form", "0.1+abc[encrypted:Xy12]")
    about = root.find("about")
    assert about is not None

    def value(path: str) -> str | None:
        found = about.find(path)
        assert found is not None, path  # present, even when empty
        return found.text

    assert value("age") == "34" and value("age_special") is None
    # Persian 1370-05-02 is 1991-07-24; the date as given goes beside it.
    assert [value(f"born{s}") for s in ("", "_precision", "_approximate", "_persian")] == [
        "1991-07-24", "day", "false", "1370-05-02"]
    assert [value(f"arrived{s}") for s in ("", "_precision", "_approximate")] == [
        "2025-02-01", "month", "true"]
    assert value("left_home") is None and value("left_home_special") == "dont_know"
    assert value("langs") == "ar tl"
    assert value("harmed") is None and value("harmed_special") == "refused"
    assert value("employer") is None  # kept in the store, but no longer relevant
    assert value("place/city") == "Example Town" and value("place/remark") is None
    assert value("adult") == "yes"
    households = root.find("households")
    assert households is not None
    entries = households.findall("hh")
    assert [e.findtext("hname") for e in entries] == ["Ames", "Bode"]
    assert [[p.findtext("pname") for p in e.findall("person")] for e in entries] == [
        ["Ana", ""], ["Bea"]]
    assert entries[0].findall("person")[1].findtext("pname_special") == "refused"
    assert entries[0].findtext("person/family") == "Ames" and entries[0].findtext("people") == "2"
    assert root.findtext("seen_at") == "2025-03-01T08:15:00.000Z"  # stored in UTC
    assert root.findtext("ok") == "OK"
    assert root.find("later") is not None and root.findtext("later") == ""
    assert [child.tag for child in root][-1] == "meta"
    assert root.findtext("meta/instanceID") == f"uuid:{INTERVIEW}"


def test_no_repeat_entries_means_no_repeat_element() -> None:
    sub = Submission(instance_id(INTERVIEW), "2025-03-01T12:00:00Z", {"nh": 0, "age": 20})
    root = ET.fromstring(submission_xml(RICH, form_for(RICH), sub))
    assert root.find("households/hh") is None and root.findtext("households/nh") == "0"
    assert_same_as_odk_rows(RICH, [sub])


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_instrument_submission_matches_its_form_and_export(name: str) -> None:
    loaded = find_instrument(name)
    session = answer_everything(loaded.instrument, loaded.content_hash)
    subs = [Submission(instance_id(INTERVIEW), "2025-03-01T12:00:00Z", session.answers)]
    assert_same_as_odk_rows(loaded.instrument, subs)


@pytest.mark.parametrize("name", IMPORTED)
def test_imported_form_submission_matches_its_form_and_export(name: str) -> None:
    result = import_xlsform(fixture_path(name))
    session = answer_everything(result.instrument, result.content_hash)
    subs = [Submission(instance_id(INTERVIEW), "2025-03-01T12:00:00Z", session.answers)]
    assert_same_as_odk_rows(result.instrument, subs)


def test_renamed_elements_and_nested_repeats_of_an_imported_form() -> None:
    # Four questions are called "name" in the form (FieldScreen stores them renamed).
    ins = import_xlsform(fixture_path("ona_childrens_survey_sw.xlsx")).instrument
    session = answer_everything(ins, ins.content_hash or "")
    sub = Submission(instance_id(INTERVIEW), "2025-03-01T12:00:00Z", session.answers)
    form = form_for(ins)
    root = ET.fromstring(submission_xml(ins, form, sub))
    child = root.find("children")
    assert child is not None and child.find("name") is not None
    assert root.find("children/cartoons/characters/name") is not None
    assert root.find("children/children.name") is None
    tables = assert_same_as_odk_rows(ins, [sub], form)
    assert [t.name for t in tables[1:]] == ["ona_childrens_survey_sw-children",
                                            "ona_childrens_survey_sw-cartoons",
                                            "ona_childrens_survey_sw-characters"]
    assert tables[3].rows and tables[3].rows[0][-1].endswith("/cartoons[1]/characters[1]")


def test_a_loop_is_written_with_the_forms_element_names() -> None:
    ins = import_xlsform(LOOP, file_name="loop.md").instrument
    answers = {"owned": ["goat"], "herd.goat.count": 3, "herd.goat.where": "hill"}
    sub = Submission(instance_id(INTERVIEW), "2025-03-01T12:00:00Z", answers)
    root = ET.fromstring(submission_xml(ins, form_for(ins), sub))
    assert root.findtext("herd/goat/count") == "3" and root.findtext("herd/goat/where") == "hill"
    assert root.findtext("herd/cow/count") == ""  # present and empty, as Collect sends it
    assert_same_as_odk_rows(ins, [sub])


def test_a_form_of_another_text_is_refused() -> None:
    other = load("""\
- name: about
  title: {en: About}
  items:
    - {name: age, type: integer, text: {en: Age}}
""", id="rich_form").instrument
    with pytest.raises(InputError, match="publish the instrument again") as caught:
        submission_xml(RICH, form_for(other), rich_submission())
    assert "about/born" in str(caught.value)
    with pytest.raises(InputError, match="not instrument 'rich_form'"):
        submission_xml(RICH, form_for(find_instrument("safety_triage").instrument),
                       rich_submission())


def test_interview_submission_from_the_store(data_dir: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.cli.helpers import PASSPHRASE

    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    demo = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))
    store, _ = Store.create(data_dir, PASSPHRASE)
    with store:
        done = stored_interview(store, demo["instrument"], demo["answers"], lang="en")
        [interview] = store.cases.get(done["case_id"]).interviews
        sub = interview_submission(store, interview)
    assert sub.instance_id == instance_id(done["interview_id"]) == f"uuid:{interview.id}"
    assert sub.submitted_at == interview.finished_at
    ins = find_instrument(demo["instrument"]).instrument
    assert_same_as_odk_rows(ins, [sub])
    root = ET.fromstring(submission_xml(ins, form_for(ins), sub))
    assert root.findtext("meta/instanceID") == instance_id(interview.id)
    harmed = next(e for e in root.iter() if e.tag == "harmed_special")
    assert harmed.text == "refused"


# -- JavaRosa ----------------------------------------------------------------------------------
LOADER = Path(__file__).resolve().parent / "LoadInstance.java"
CACHE = Path(__file__).resolve().parents[2] / ".cache" / "server"


def loader_classes() -> Path:
    """LoadInstance.java compiled against pyxform's ODK_Validate.jar (JavaRosa), once per
    source and jar, into .cache/server/."""
    if shutil.which("java") is None or shutil.which("javac") is None:
        pytest.skip("Java 17 (java and javac) is not installed: JavaRosa cannot run")
    digest = hashlib.sha256(LOADER.read_bytes())
    digest.update(hashlib.sha256(validate_jar().read_bytes()).digest())
    out = CACHE / f"loadinstance-{digest.hexdigest()[:16]}"
    if (out / "LoadInstance.class").is_file():
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="loadinstance-", dir=CACHE))
    proc = subprocess.run(["javac", "-nowarn", "-encoding", "UTF-8", "-cp", str(validate_jar()),
                           "-d", str(tmp), str(LOADER)],
                          capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        pytest.fail(f"javac failed on {LOADER.name}:\n{proc.stderr[-2000:]}")
    try:
        tmp.rename(out)
    except OSError:  # another run compiled it meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def validate_jar() -> Path:
    import pyxform

    return Path(pyxform.__file__).parent / "validators" / "odk_validate" / "bin" / \
        "ODK_Validate.jar"


def cells(xml: bytes) -> list[tuple[str, str]]:
    """Every element in document order: its path (with entry numbers) and its text."""
    out: list[tuple[str, str]] = []

    def walk(element: ET.Element, path: str) -> None:
        counts: dict[str, int] = {}
        for child in element:
            counts[child.tag] = counts.get(child.tag, 0) + 1
            here = f"{path}/{child.tag}[{counts[child.tag]}]"
            out.append((here, (child.text or "").strip() if not len(child) else ""))
            walk(child, here)

    walk(ET.fromstring(xml), "")
    return out


def test_javarosa_loads_each_submission_into_its_form_unchanged(tmp_path: Path) -> None:
    """Collect's engine opens the XML as a saved instance of the published form and
    recomputes its calculations; every element and value must come back the same (JavaRosa
    drops elements the form lacks and blanks values its types cannot read)."""
    classes = loader_classes()
    cases: list[tuple[Instrument, Submission]] = [(RICH, rich_submission())]
    for name in SHIPPED:
        loaded = find_instrument(name)
        session = answer_everything(loaded.instrument, loaded.content_hash)
        cases.append((loaded.instrument,
                      Submission(instance_id(INTERVIEW), "2025-03-01T12:00:00Z", session.answers)))
    for fixture in ("ona_childrens_survey_sw.xlsx", "pyx_UCL_Biomass_Plot_Form.xlsx"):
        result = import_xlsform(fixture_path(fixture))
        session = answer_everything(result.instrument, result.content_hash)
        cases.append((result.instrument,
                      Submission(instance_id(INTERVIEW), "2025-03-01T12:00:00Z", session.answers)))
    loop = import_xlsform(LOOP, file_name="loop.md").instrument
    cases.append((loop, Submission(instance_id(INTERVIEW), "2025-03-01T12:00:00Z",
                                   {"owned": ["goat"], "herd.goat.count": 3})))
    args: list[str] = []
    ours: list[bytes] = []
    for number, (ins, sub) in enumerate(cases):
        form = form_for(ins)
        ours.append(submission_xml(ins, form, sub))
        for suffix, data in (("form", form.xml), ("in", ours[-1])):
            (tmp_path / f"{number}.{suffix}.xml").write_bytes(data)
        args += [str(tmp_path / f"{number}.{kind}.xml") for kind in ("form", "in", "out")]
    proc = subprocess.run(
        ["java", "-Duser.timezone=UTC", "-Dfile.encoding=UTF-8", "-cp",
         os.pathsep.join([str(classes), str(validate_jar())]), "LoadInstance", *args],
        capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for number, (ins, _) in enumerate(cases):
        back = (tmp_path / f"{number}.out.xml").read_bytes()
        assert cells(back) == cells(ours[number]), ins.id
        root = ET.fromstring(back)
        assert (root.get("id"), root.get("version")) == (ins.id, form_for(ins).version)
