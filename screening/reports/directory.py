"""The referral directory: services a referral packet can point to, one CSV file per country.

The shipped ``resources/referrals/<country>.csv`` files can be opened in any spreadsheet.
An agency replaces the ``example=yes`` placeholders with its own services and imports its
file: ``import_directory`` validates the whole file (every problem with file, line and
column, never a traceback) and merges it over the shipped entries by ``id``.

The optional ``age_recipient`` column holds a service's age public key (``age1...``, made with
``fieldscreen keys new``): a packet handed over to that service is encrypted for it
(``fieldscreen report CASE --to ID``; see ``screening.handover``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError

from screening.errors import ErrorCode, InputError, Problem
from screening.paths import resource_path
from screening.reports.packet import Contact, Referral

KINDS = frozenset(
    {"hotline", "shelter", "legal", "medical", "counselling", "law_enforcement", "child_protection"}
)
NEEDS = frozenset(
    {
        "immediate_danger",
        "general",
        "shelter",
        "legal",
        "immigration",
        "medical",
        "counselling",
        "labour",
        "sexual_exploitation",
        "minor",
        "tip_report",
    }
)
REQUIRED = ("id", "country", "region", "name", "kind")
CONTACT_COLUMNS = ("phone", "text", "relay", "email", "address", "web")
COLUMNS = (
    *REQUIRED,
    *CONTACT_COLUMNS,
    "languages",
    "interpreters",
    "hours",
    "needs",
    "example",
    "notes",
    "age_recipient",
)
NATIONAL = "national"

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_BOOL = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
    "": False,
}


class DirectoryError(InputError):
    """A directory file failed to load; ``problems`` lists every problem found."""

    code = ErrorCode.BAD_INPUT

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message, problems=len(problems))
        self.problems = problems

    def __str__(self) -> str:
        return self.message + "\n" + "\n".join(f"  {p}" for p in self.problems)


@dataclass(frozen=True)
class Service:
    id: str
    country: str
    region: str
    name: str
    kind: str
    phone: str = ""
    text: str = ""
    relay: str = ""
    email: str = ""
    address: str = ""
    web: str = ""
    languages: tuple[str, ...] = ()
    interpreters: bool = False
    hours: str = ""
    needs: tuple[str, ...] = ()
    example: bool = False
    notes: str = ""
    age_recipient: str = ""  # the service's age public key (age1...) for hand-over, if any

    def contacts(self) -> tuple[Contact, ...]:
        kinds = {
            "phone": "phone",
            "text": "text",
            "relay": "relay",
            "email": "email",
            "address": "address",
            "web": "web",
        }
        return tuple(
            Contact(kinds[col], getattr(self, col))  # type: ignore[arg-type]
            for col in CONTACT_COLUMNS
            if getattr(self, col)
        )

    def speaks(self, lang: str) -> bool:
        base = lang.replace("-", "_").split("_")[0]
        return any(x == lang or x.split("_")[0] == base for x in self.languages)

    def to_referral(self, reason: str, *, interpreters_note: str | None = None) -> Referral:
        langs = self.languages + ((interpreters_note,) if interpreters_note else ())
        return Referral(
            self.id,
            self.name,
            self.kind,
            self.contacts(),
            langs,
            reason,
            self.hours or None,
            self.example,
        )


@dataclass(frozen=True)
class Directory:
    services: tuple[Service, ...]

    def __iter__(self) -> Iterator[Service]:
        return iter(self.services)

    def __len__(self) -> int:
        return len(self.services)

    def get(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    def filter(
        self,
        *,
        need: str | None = None,
        language: str | None = None,
        region: str | None = None,
        kind: str | None = None,
        include_examples: bool = True,
    ) -> list[Service]:
        """Matching services: real before example entries, exact language before
        interpreter-only, in file order otherwise."""
        out = []
        for s in self.services:
            if need and need not in s.needs:
                continue
            if kind and s.kind != kind:
                continue
            if region and s.region not in (region, NATIONAL, ""):
                continue
            if language and not (s.speaks(language) or s.interpreters):
                continue
            if s.example and not include_examples:
                continue
            out.append(s)
        order = {s.id: i for i, s in enumerate(out)}
        return sorted(
            out,
            key=lambda s: (s.example, bool(language) and not s.speaks(language or ""), order[s.id]),
        )

    def merged(self, other: Directory) -> Directory:
        """``other``'s entries replace ours with the same id; new ones are appended."""
        theirs = {s.id: s for s in other.services}
        kept = [theirs.pop(s.id, s) for s in self.services]
        return Directory(tuple(kept) + tuple(s for s in other.services if s.id in theirs))


def _split(value: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in value.split(";") if x.strip())


def _check_row(
    row: dict[str, str], line: int, source: str, col: dict[str, int], problems: list[Problem]
) -> Service | None:
    def bad(column: str, message: str) -> None:
        problems.append(
            Problem(
                ErrorCode.BAD_INPUT,
                f"{column}: {message}",
                file=source,
                line=line,
                column=col.get(column),
            )
        )

    before = len(problems)
    for name in REQUIRED:
        if not row.get(name):
            bad(name, "is required")
    if row.get("id") and not _ID.match(row["id"]):
        bad("id", "use lower-case letters, digits, '.', '_' or '-'")
    if row.get("country") and not re.fullmatch(r"[A-Z]{2}", row["country"]):
        bad("country", "must be a two-letter ISO country code such as US")
    if row.get("kind") and row["kind"] not in KINDS:
        bad("kind", f"must be one of {', '.join(sorted(KINDS))}")
    if not any(row.get(c) for c in CONTACT_COLUMNS):
        bad("phone", "a service needs at least one of " + ", ".join(CONTACT_COLUMNS))
    for name in ("phone", "text", "relay"):
        if row.get(name) and not _PHONE.match(row[name]):
            bad(name, "must be a phone number (digits, spaces, + ( ) - . /)")
    if row.get("email") and not _EMAIL.match(row["email"]):
        bad("email", "is not an email address")
    langs = _split(row.get("languages", ""))
    for lang in langs:
        try:
            Locale.parse(lang.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            bad("languages", f"unknown language code '{lang}' (separate codes with ';')")
    needs = _split(row.get("needs", ""))
    for need in needs:
        if need not in NEEDS:
            bad("needs", f"unknown need '{need}'; use {', '.join(sorted(NEEDS))}")
    flags = {}
    for name in ("example", "interpreters"):
        value = row.get(name, "").strip().lower()
        if value not in _BOOL:
            bad(name, "must be yes or no")
        flags[name] = _BOOL.get(value, False)
    if row.get("age_recipient"):
        from screening.handover.keys import recipient_problem

        problem = recipient_problem(row["age_recipient"])
        if problem:
            bad("age_recipient", problem)
    if flags["example"] and "example" not in row.get("name", "").lower():
        bad(
            "name",
            "an example entry must say so in its name, e.g. 'Example shelter "
            "(replace with a local service)'",
        )
    if len(problems) > before:
        return None
    return Service(
        id=row["id"],
        country=row["country"],
        region=row["region"],
        name=row["name"],
        kind=row["kind"],
        **{c: row.get(c, "") for c in CONTACT_COLUMNS},
        languages=langs,
        interpreters=flags["interpreters"],
        hours=row.get("hours", ""),
        needs=needs,
        example=flags["example"],
        notes=row.get("notes", ""),
        age_recipient=row.get("age_recipient", ""),
    )


def parse_directory(text: str, source: str) -> Directory:
    """Parse and validate directory CSV ``text``; ``source`` names it in problems."""
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise DirectoryError(
            f"{source}: the file is empty",
            [Problem(ErrorCode.BAD_INPUT, "the file is empty", file=source, line=1)],
        ) from None
    col = {name: i + 1 for i, name in enumerate(header)}
    for i, name in enumerate(header):
        if name not in COLUMNS:
            problems.append(
                Problem(
                    ErrorCode.BAD_INPUT,
                    f"unknown column '{name}'",
                    file=source,
                    line=1,
                    column=i + 1,
                )
            )
    for name in REQUIRED:
        if name not in col:
            problems.append(
                Problem(ErrorCode.BAD_INPUT, f"missing column '{name}'", file=source, line=1)
            )
    if problems:
        raise DirectoryError(f"{source}: bad header", problems)
    services: list[Service] = []
    seen: dict[str, int] = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                problems.append(
                    Problem(
                        ErrorCode.BAD_INPUT,
                        f"{len(values)} fields, the header has {len(header)}",
                        file=source,
                        line=line,
                    )
                )
                continue
            row = {h: v.strip() for h, v in zip(header, values, strict=True)}
            service = _check_row(row, line, source, col, problems)
            if service is None:
                continue
            if service.id in seen:
                problems.append(
                    Problem(
                        ErrorCode.BAD_INPUT,
                        f"id: '{service.id}' is already used on line {seen[service.id]}",
                        file=source,
                        line=line,
                        column=col["id"],
                    )
                )
                continue
            seen[service.id] = line
            services.append(service)
    except csv.Error as exc:
        problems.append(
            Problem(ErrorCode.BAD_INPUT, f"not valid CSV: {exc}", file=source, line=reader.line_num)
        )
    if problems:
        raise DirectoryError(f"{source}: {len(problems)} problem(s)", problems)
    return Directory(tuple(services))


def load_directory(path: Path | None = None) -> Directory:
    """Load and validate ``path`` (default: the shipped US directory)."""
    if path is None:
        return shipped_directory()
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DirectoryError(
            f"{path.name}: not UTF-8 text",
            [Problem(ErrorCode.BAD_INPUT, f"not UTF-8 text (byte {exc.start})", file=path.name)],
        ) from None
    except OSError as exc:
        raise DirectoryError(
            f"{path.name}: cannot read",
            [Problem(ErrorCode.BAD_INPUT, f"cannot read ({exc.strerror})", file=path.name)],
        ) from None
    return parse_directory(text, path.name)


def shipped_directory(country: str = "us") -> Directory:
    return load_directory(resource_path("referrals", f"{country.lower()}.csv"))


def import_directory(base: Directory, path: Path) -> Directory:
    """Validate ``path`` completely, then merge it over ``base`` (same id: replaced)."""
    return base.merged(load_directory(path))


def services_for(
    directory: Directory, needs: Iterable[str], language: str, region: str | None = None
) -> list[Service]:
    """One list for several needs, without duplicates, in the order of ``needs``."""
    out: dict[str, Service] = {}
    for need in needs:
        for s in directory.filter(need=need, language=language, region=region):
            out.setdefault(s.id, s)
    return list(out.values())
