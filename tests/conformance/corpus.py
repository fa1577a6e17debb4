"""The conformance corpus: cases (``corpus/*.yaml``) and constructs (``constructs/*.yaml``).

The format is described in the issue #17 brief (``format.md``); a format error is a
``CorpusError`` naming the file and the case, never a traceback.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CORPUS_DIR = HERE / "corpus"
CONSTRUCTS_DIR = HERE / "constructs"
FIXTURES_DIR = ROOT / "tests" / "xlsform" / "fixtures"
SHARED_FIXTURES = ROOT / ".." / "shared" / "fixtures" / "xlsforms"

ID = re.compile(r"^[a-z0-9-]+$")
CASE_KEYS = {"id", "construct", "expr", "form", "form_file", "answers", "repeats", "note"}
CONSTRUCT_KEYS = {"title", "spec", "policy", "reason", "known_differences"}

# The base fields of an expression case (harness.BASE_FORM in the format).
BASE_FIELDS: list[tuple[str, str]] = [
    ("integer", "i"),
    ("decimal", "n"),
    ("text", "t"),
    ("date", "d"),
    ("select_one abc", "one"),
    ("select_multiple abc", "many"),
    ("text", "e"),
    ("integer", "z"),
]
BASE_NAMES = [name for _, name in BASE_FIELDS]
BASE_CHOICES = [("a", "Apple"), ("b", "Banana"), ("c", "Cherry")]
RESULT = "result"


class CorpusError(Exception):
    """A corpus or constructs file that does not follow the format (file and case named)."""


@dataclass(frozen=True)
class Case:
    id: str
    construct: str
    file: str  # corpus file name, for messages
    expr: str | None = None
    form: str | None = None
    form_file: str | None = None
    answers: tuple[tuple[str, str], ...] = ()
    repeats: dict[str, int] = field(default_factory=dict)
    note: str = ""

    @property
    def kind(self) -> str:
        return "expr" if self.expr is not None else "form"

    def markdown(self) -> str | None:
        """The XLSForm as pyxform's markdown (None for a real-form case: see ``form_path``)."""
        if self.expr is not None:
            return base_form(self.expr)
        return self.form

    def form_path(self) -> Path | None:
        if self.form_file is None:
            return None
        for folder in (FIXTURES_DIR, SHARED_FIXTURES):
            path = folder / self.form_file
            if path.is_file():
                return path
        return None


@dataclass(frozen=True)
class Construct:
    key: str
    file: str
    title: str
    spec: str
    policy: str
    reason: str
    known_differences: tuple[str, ...]


@dataclass(frozen=True)
class Corpus:
    cases: list[Case]
    constructs: dict[str, Construct]
    problems: tuple[str, ...] = ()  # what a lenient load left out, and why

    def case(self, case_id: str) -> Case:
        for case in self.cases:
            if case.id == case_id:
                return case
        raise KeyError(case_id)

    def digest(self) -> str:
        """Changes whenever a corpus or constructs file changes (for cached results)."""
        h = hashlib.sha256()
        for folder in (CORPUS_DIR, CONSTRUCTS_DIR):
            for path in sorted(folder.glob("*.yaml")):
                h.update(path.name.encode() + b"\0" + path.read_bytes())
        return h.hexdigest()[:16]


def _escape(cell: str) -> str:
    return " ".join(cell.split()).replace("|", r"\|")


def base_form(expr: str) -> str:
    """The expression case's form: the base fields plus a calculate ``result`` = expr."""
    lines = ["| survey |", "| | type | name | label | calculation |"]
    lines += [f"| | {kind} | {name} | {name} | |" for kind, name in BASE_FIELDS]
    lines.append(f"| | calculate | {RESULT} | | {_escape(expr)} |")
    lines += ["| choices |", "| | list_name | name | label |"]
    lines += [f"| | abc | {name} | {label} |" for name, label in BASE_CHOICES]
    return "\n".join(lines) + "\n"


# -- loading ---------------------------------------------------------------------------------
def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path.name}: not valid YAML ({exc})") from None


def _case(raw: Any, file: str, number: int) -> Case:
    where = f"{file}: case {number}"
    if not isinstance(raw, dict):
        raise CorpusError(f"{where}: a case must be a mapping")
    case_id = raw.get("id")
    if not isinstance(case_id, str) or not ID.match(case_id):
        raise CorpusError(f"{where}: 'id' must be text of [a-z0-9-]+ (got {case_id!r})")
    where = f"{file}: case '{case_id}'"
    unknown = set(raw) - CASE_KEYS
    if unknown:
        raise CorpusError(f"{where}: unknown key(s) {sorted(unknown)}")
    construct = raw.get("construct")
    if not isinstance(construct, str) or not construct:
        raise CorpusError(f"{where}: 'construct' is missing")
    sources = [k for k in ("expr", "form", "form_file") if raw.get(k) is not None]
    if len(sources) != 1:
        raise CorpusError(f"{where}: give exactly one of 'expr', 'form', 'form_file' "
                          f"(got {sources or 'none'})")
    for key in sources:
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise CorpusError(f"{where}: '{key}' must be non-empty text")
    answers = _answers(raw.get("answers"), where, expression="expr" in sources)
    repeats = raw.get("repeats") or {}
    if not isinstance(repeats, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 200
        for k, v in repeats.items()
    ):
        raise CorpusError(f"{where}: 'repeats' must map repeat keys to 0..200 entries")
    note = raw.get("note") or ""
    if not isinstance(note, str):
        raise CorpusError(f"{where}: 'note' must be text")
    return Case(
        id=case_id, construct=construct, file=file, expr=raw.get("expr"), form=raw.get("form"),
        form_file=raw.get("form_file"), answers=answers, repeats=dict(repeats), note=note,
    )


def _value(value: Any, where: str, key: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise CorpusError(f"{where}: the answer for '{key}' must be the ODK string value "
                          f"(got {value!r})")
    return str(value)


def _answers(raw: Any, where: str, *, expression: bool) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if expression:
        if not isinstance(raw, dict):
            raise CorpusError(f"{where}: an expression case's 'answers' maps base fields "
                              "to values")
        unknown = [k for k in raw if k not in BASE_NAMES]
        if unknown:
            raise CorpusError(f"{where}: {unknown[0]!r} is not a base field "
                              f"({', '.join(BASE_NAMES)})")
        return tuple((k, _value(v, where, k)) for k, v in raw.items())
    if not isinstance(raw, list):
        raise CorpusError(f"{where}: a form case's 'answers' is a list of [key, value]")
    out = []
    for pair in raw:
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
            raise CorpusError(f"{where}: answer {pair!r} is not [key, value]")
        out.append((pair[0], _value(pair[1], where, pair[0])))
    return tuple(out)


def _construct(key: str, raw: Any, file: str) -> Construct:
    where = f"{file}: construct '{key}'"
    if not isinstance(raw, dict):
        raise CorpusError(f"{where}: must be a mapping")
    unknown = set(raw) - CONSTRUCT_KEYS
    if unknown:
        raise CorpusError(f"{where}: unknown key(s) {sorted(unknown)}")
    texts = {}
    for name in ("title", "spec", "policy", "reason"):
        value = raw.get(name) or ""
        if not isinstance(value, str):
            raise CorpusError(f"{where}: '{name}' must be text")
        texts[name] = value.strip()
    known = raw.get("known_differences") or []
    if not isinstance(known, list) or not all(isinstance(k, str) for k in known):
        raise CorpusError(f"{where}: 'known_differences' must be a list of case ids")
    if known and not texts["reason"]:
        raise CorpusError(f"{where}: 'reason' is required when known_differences is not empty")
    return Construct(key=key, file=file, known_differences=tuple(known), **texts)


def load_corpus(corpus_dir: Path = CORPUS_DIR, constructs_dir: Path = CONSTRUCTS_DIR, *,
                strict: bool = True) -> Corpus:
    """Every case and construct, checked: unique ids and keys, constructs that exist, known
    differences that name cases of their construct. Strict (the test): the first problem
    raises ``CorpusError``. Lenient (the command line, while others edit their files): a bad
    file or case is left out and listed in ``problems``."""
    problems: list[str] = []

    def problem(exc: CorpusError) -> None:
        if strict:
            raise exc
        problems.append(str(exc))

    constructs: dict[str, Construct] = {}
    for path in sorted(constructs_dir.glob("*.yaml")):
        try:
            data = _read_yaml(path) or {}
            if not isinstance(data, dict):
                raise CorpusError(f"{path.name}: must map construct keys to their entries")
        except CorpusError as exc:
            problem(exc)
            continue
        for key, raw in data.items():
            try:
                if key in constructs:
                    raise CorpusError(f"{path.name}: construct '{key}' is also defined in "
                                      f"{constructs[key].file}")
                constructs[str(key)] = _construct(str(key), raw, path.name)
            except CorpusError as exc:
                problem(exc)
    cases: list[Case] = []
    seen: dict[str, str] = {}
    for path in sorted(corpus_dir.glob("*.yaml")):
        try:
            data = _read_yaml(path) or {}
            if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
                raise CorpusError(f"{path.name}: must have a top-level 'cases:' list")
        except CorpusError as exc:
            problem(exc)
            continue
        for number, raw in enumerate(data["cases"], start=1):
            try:
                case = _case(raw, path.name, number)
                if case.id in seen:
                    raise CorpusError(f"{path.name}: case '{case.id}' is also in "
                                      f"{seen[case.id]}")
                if case.construct not in constructs:
                    raise CorpusError(f"{path.name}: case '{case.id}': construct "
                                      f"'{case.construct}' is not in constructs/*.yaml")
                if case.form_file is not None and case.form_path() is None:
                    raise CorpusError(f"{path.name}: case '{case.id}': form_file "
                                      f"'{case.form_file}' is not in tests/xlsform/fixtures")
            except CorpusError as exc:
                problem(exc)
                continue
            seen[case.id] = path.name
            cases.append(case)
    by_id = {c.id: c for c in cases}
    for construct in constructs.values():
        for case_id in construct.known_differences:
            listed = by_id.get(case_id)
            try:
                if listed is None:
                    raise CorpusError(f"{construct.file}: construct '{construct.key}': known "
                                      f"difference '{case_id}' is not a case")
                if listed.construct != construct.key:
                    raise CorpusError(f"{construct.file}: construct '{construct.key}': known "
                                      f"difference '{case_id}' belongs to '{listed.construct}'")
            except CorpusError as exc:
                problem(exc)
    return Corpus(cases, constructs, tuple(problems))
