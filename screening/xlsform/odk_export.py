"""Interview data in the shapes ODK Central and KoboToolbox export (pure functions).

No store access: the caller (the encrypted store's export command) decrypts the interviews
and passes them in as ``Submission``s; these functions only reshape them.

CSV, as ODK Central's "CSV (zip)" export (central-backend ``lib/data/briefcase.js``):

* One root table (file ``<form_id>.csv``), one row per submission. Columns: ``SubmissionDate``
  (UTC, ``2024-05-01T10:00:00.000Z``), then every field in form order, named by its group
  path joined with ``-`` (Central's separator: ``household-head-age``), then
  ``meta-instanceID``, ``KEY``, ``SubmitterID``, ``SubmitterName``, ``AttachmentsPresent``,
  ``AttachmentsExpected``, ``Status``, ``ReviewState``, ``DeviceID``, ``Edits``,
  ``FormVersion``. Sections are the top-level groups of the exported XLSForm
  (``exporter.section_groups``), so column names match the published form.
* One table per repeat, nested ones too (file ``<form_id>-<repeat>.csv``; ``~1``, ``~2``
  appended, in form order, when two repeats have the same name, as Central does): the
  repeat's fields with paths relative to the repeat, then ``PARENT_KEY`` and ``KEY``. KEY is
  ``uuid:.../group/repeat[1]``, 1-based, group names included, with every enclosing entry
  for a nested repeat (``uuid:.../hh[1]/person[2]``); PARENT_KEY is the KEY of the entry
  around it, or the submission's ``uuid:...`` for a repeat outside every repeat.
* Element names are the XLSForm's: an item named ``<container>.<name>`` inside that group
  or repeat (the questions of a ``begin loop``, ``loop.choice.field``, and names FieldScreen
  made unique at import) is written ``<name>``, so the path is the form's ``loop/choice/field``.
* ``select_multiple``: space-separated choice names in choice order. With
  ``split_select_multiple=True`` Central's extra ``<column>/<choice>`` 0/1 columns follow.
* Unanswered, not relevant (an answer kept after its item became irrelevant) and notes:
  empty, as ODK. Calculations are computed from the answers (``now()``/``today()`` as of
  ``submitted_at``). Acknowledge: ``OK``. Times and date-times as stored (ISO 8601).
* Dates as ODK stores them, ``YYYY-MM-DD`` (Gregorian): a date known only to the month or
  the year is its first day, as ODK's ``month-year`` and ``year`` appearances store it. Every
  date item has two companion columns after the value: ``<column>_precision`` (``day``,
  ``month`` or ``year``) and ``<column>_approximate`` (``true``/``false``); an item whose
  appearance names a calendar (``persian``...) has a third, ``<column>_<calendar>``, with the
  date as the person gave it in that calendar (empty when it was given in the Gregorian one).
* Special answers, which ODK has no notion of: the value is empty (as ODK would have it)
  and a companion column ``<column>_special`` right after the value (and after its split
  columns) holds ``refused`` or ``dont_know``. It exists for every item that allows special
  answers, answered or not, so the set of columns depends on the form only.

JSON, as KoboToolbox's ``/api/v2/assets/<uid>/data/`` ``results``: one object per
submission; field keys are full ``/``-separated paths (``household/head/age``); a repeat is a
list of objects under its path whose keys are full paths too (a nested repeat is a list
inside its entry); empty fields are left out;
values are strings as in the XML; specials as ``<path>_special``; meta keys ``_id``,
``_uuid``, ``meta/instanceID``, ``_submission_time``, ``_xform_id_string``, ``__version__``,
``_submitted_by``, ``_attachments``, ``_geolocation``, ``_tags``, ``_notes``,
``_validation_status``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from screening.engine.dates import DateAnswer, item_calendar
from screening.engine.plan import Plan
from screening.engine.state import Evaluation, Instance, child_entry, make_key
from screening.engine.storage import SPECIALS, AnswerRecord
from screening.errors import ErrorCode, ExpressionError, InputError
from screening.expr.values import stored_text
from screening.instruments.hashing import content_hash as compute_hash
from screening.instruments.model import Instrument, Item, ItemType
from screening.spreadsheet import spreadsheet_safe
from screening.xlsform.exporter import section_groups

SEPARATOR = "-"
ROOT_META = (
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
)
SPECIAL_SUFFIX = "_special"
PRECISION_SUFFIX = "_precision"
APPROXIMATE_SUFFIX = "_approximate"


@dataclass(frozen=True)
class Submission:
    """One finished interview, as the exporter needs it.

    ``answers``: key (``item``, ``repeat[i].item``, ``hh[i].person[j].item``) -> an
    ``AnswerRecord``, a mapping with ``value``/``special``/``relevant``, or a bare value. A
    repeat without ``repeat_count`` gets its number of entries from ``answers[repeat]``
    (``answers["hh[1].person"]`` inside an entry; what ``set_repeat_count`` stored) or,
    failing that, from the highest entry index answered.
    """

    instance_id: str
    submitted_at: str | dt.datetime
    answers: Mapping[str, Any]
    submitter_id: str | None = None
    submitter_name: str | None = None


@dataclass(frozen=True)
class Field:
    item: Item
    table: str | None  # innermost enclosing repeat, None for the root table
    path: tuple[str, ...]  # group path relative to the table, ending with the element name
    full_path: tuple[str, ...]  # from the form root


@dataclass(frozen=True)
class RepeatPath:
    """A repeat's place in the form: element names from the root, and for each of them the
    repeat it names (None for a group), so an entry's KEY can be written."""

    names: tuple[str, ...]
    repeats: tuple[str | None, ...]

    def key(self, instance_key: str, entry: Instance) -> str:
        """``uuid:.../grp/hh[1]/person[2]`` for an entry of this repeat."""
        indices = dict(entry.path) if entry else {}
        parts = [f"{name}[{indices[rep]}]" if rep is not None else name
                 for name, rep in zip(self.names, self.repeats, strict=True)]
        return "/".join([instance_key, *parts])


@dataclass
class Table:
    name: str  # file stem: "<form_id>" or "<form_id>-<repeat>"
    repeat: str | None
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def to_csv(self) -> str:
        """CSV text; every cell made spreadsheet-safe (``screening.spreadsheet``): a cell such as
        ``=HYPERLINK(...)`` is written ``'=HYPERLINK(...)``, as in ``export --format csv``."""
        return "".join(_csv_line(row) for row in [self.header, *self.rows])

    def as_dicts(self) -> list[dict[str, str]]:
        return [dict(zip(self.header, row, strict=True)) for row in self.rows]


def _csv_line(row: list[str]) -> str:
    """One CSV line as Central writes it (``\\n`` line ends, minimal quoting), except that a
    cell holding a carriage return is quoted too (Python's csv module with ``\\n`` line ends
    leaves it bare, which splits the row in a spreadsheet)."""
    cells = []
    for cell in row:
        text = spreadsheet_safe(cell)
        if any(ch in text for ch in ',"\r\n'):
            text = '"' + text.replace('"', '""') + '"'
        cells.append(text)
    return ",".join(cells) + "\n"


@dataclass
class OdkExport:
    root: Table
    repeats: list[Table]

    @property
    def tables(self) -> list[Table]:
        return [self.root, *self.repeats]

    def files(self) -> dict[str, str]:
        """File name -> CSV text, as in Central's zip."""
        return {f"{table.name}.csv": table.to_csv() for table in self.tables}


# -- the form's fields -----------------------------------------------------------------------
def element_names(items: list[Item], container: str | None) -> list[str]:
    """The XML element names of sibling items: the form's own name where the import renamed
    an item (``Item.odk_name``: a name used twice, a loop's copies)."""
    return [item.odk_name or item.name for item in items]


def _walk_form(instrument: Instrument) -> Iterable[tuple[Item, tuple[str, ...],
                                                         tuple[str | None, ...]]]:
    """Every item with its element path from the root and, per step, the repeat it names."""
    groups = section_groups(instrument)

    def walk(items: list[Item], container: str | None, names: tuple[str, ...],
             repeats: tuple[str | None, ...]) -> Iterable[tuple[Item, tuple[str, ...],
                                                               tuple[str | None, ...]]]:
        for item, element in zip(items, element_names(items, container), strict=True):
            path = (*names, element)
            marks = (*repeats, item.name if item.type is ItemType.REPEAT else None)
            yield item, path, marks
            if item.items:
                yield from walk(item.items, item.name, path, marks)

    for section in instrument.sections:
        group = groups[section.name]
        yield from walk(section.items, None, (group,) if group else (), (None,) if group else ())


def fields(instrument: Instrument) -> list[Field]:
    """Every leaf item with its table and group path, in form order."""
    out: list[Field] = []
    for item, path, marks in _walk_form(instrument):
        if item.type in (ItemType.REPEAT, ItemType.GROUP):
            continue
        inner = max((i for i, rep in enumerate(marks) if rep is not None), default=-1)
        out.append(Field(item, marks[inner] if inner >= 0 else None, path[inner + 1:], path))
    return out


def repeat_paths(instrument: Instrument) -> dict[str, RepeatPath]:
    """Repeat name -> its place in the form, in form order (outer repeats first)."""
    return {item.name: RepeatPath(path, marks) for item, path, marks in _walk_form(instrument)
            if item.type is ItemType.REPEAT}


def repeat_tables(instrument: Instrument) -> dict[str, str]:
    """Repeat name -> its CSV file stem: ``<form_id>-<element name>``, numbered ``~1``,
    ``~2`` in form order when names repeat (central-backend ``addSubstreamsToArchive``)."""
    paths = repeat_paths(instrument)
    totals: dict[str, int] = {}
    for where in paths.values():
        totals[where.names[-1]] = totals.get(where.names[-1], 0) + 1
    seen: dict[str, int] = {}
    out: dict[str, str] = {}
    for repeat, where in paths.items():
        element = where.names[-1]
        stem = f"{instrument.id}-{element}"
        if totals[element] > 1:
            seen[element] = seen.get(element, 0) + 1
            stem += f"~{seen[element]}"
        out[repeat] = stem
    return out


def column_name(path: tuple[str, ...]) -> str:
    return SEPARATOR.join(path)


def has_special(instrument: Instrument, item: Item) -> bool:
    return bool(instrument.specials_for(item))


def date_suffixes(item: Item) -> list[str]:
    """The companion columns of a date item (precision, approximate, its calendar's date)."""
    if item.type is not ItemType.DATE:
        return []
    calendar = item_calendar(item.appearance)
    return [PRECISION_SUFFIX, APPROXIMATE_SUFFIX] + ([f"_{calendar}"] if calendar else [])


def companion_suffixes(instrument: Instrument, item: Item) -> list[str]:
    """The companion columns after an item's value (and its split columns), in column order:
    the date's (``date_suffixes``), then ``_special``. The XForm FieldScreen publishes has a
    hidden field for each (``screening.server.xform``)."""
    return date_suffixes(item) + ([SPECIAL_SUFFIX] if has_special(instrument, item) else [])


def _columns_for(instrument: Instrument, fld: Field, split: bool) -> list[str]:
    name = column_name(fld.path)
    cols = [name]
    if split and fld.item.type is ItemType.MULTIPLE_CHOICE:
        cols += [f"{name}/{c.name}" for c in instrument.choices_for(fld.item)]
    cols += [name + suffix for suffix in date_suffixes(fld.item)]
    if has_special(instrument, fld.item):
        cols.append(name + SPECIAL_SUFFIX)
    return cols


# -- values ----------------------------------------------------------------------------------
def _record(key: str, raw: Any) -> AnswerRecord:
    if isinstance(raw, AnswerRecord):
        return raw
    if isinstance(raw, Mapping) and "precision" not in raw:  # else a date with its precision
        special = raw.get("special")
        if special is not None and special not in SPECIALS:
            raise InputError(
                f"answer '{key}': unknown special answer '{special}'", code=ErrorCode.BAD_INPUT
            )
        return AnswerRecord(
            item=key,
            value=raw.get("value"),
            special=special,
            language="",
            answered_at="",
            relevant=bool(raw.get("relevant", True)),
        )
    return AnswerRecord(item=key, value=raw, special=None, language="", answered_at="")


def _timestamp(value: str | dt.datetime, instance: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        stamp = value
    else:
        try:
            stamp = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise InputError(
                f"submission {instance}: submitted_at '{value}' is not an ISO 8601 date and time",
                code=ErrorCode.BAD_INPUT,
            ) from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC)


def central_time(stamp: dt.datetime) -> str:
    """``2024-05-01T10:00:00.000Z``, as JavaScript's ``toISOString`` (Central)."""
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def instance_key(instance_id: str) -> str:
    text = str(instance_id).strip()
    if not text:
        raise InputError("a submission has an empty instance_id", code=ErrorCode.BAD_INPUT)
    return text if text.startswith("uuid:") else f"uuid:{text}"


def format_value(item: Item, value: Any) -> str:
    """An answer as ODK writes it in the submission XML (and so in exports)."""
    if value is None or value == "":
        return ""
    if item.type is ItemType.ACKNOWLEDGE:
        return "OK" if value is True or value == "OK" else ""
    if item.type is ItemType.DATE:
        answer = DateAnswer.from_stored(value)
        if answer is not None:
            return answer.first_day().isoformat()
    if item.type is ItemType.DATETIME and isinstance(value, str):
        try:  # as Collect writes it: milliseconds and the local offset, "Z" for UTC
            return stored_text(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


class _Reader:
    """Values of one submission: answers, calculations and repeat counts."""

    def __init__(self, instrument: Instrument, plan: Plan, sub: Submission) -> None:
        self.ins = instrument
        self.sub = sub
        self.key = instance_key(sub.instance_id)
        self.when = _timestamp(sub.submitted_at, self.key)
        self.records = {str(k): _record(str(k), v) for k, v in sub.answers.items()}
        self.ev = Evaluation(plan, self.records, now=self.when, language=instrument.source_language)
        self.plan = plan

    def count(self, repeat: str, parent: Instance = None) -> int:
        """Entries of ``repeat`` in the entry ``parent`` of the repeat around it."""
        node = self.plan.nodes[repeat]
        key = make_key(repeat, parent)
        try:
            if node.repeat_count is not None or key in self.records:
                return self.ev.repeat_count(repeat, parent)
        except ExpressionError:
            return 0
        prefix = f"{key}["
        indices = [
            int(k[len(prefix) :].split("]", 1)[0])
            for k in self.records
            if k.startswith(prefix) and k[len(prefix) :].split("]", 1)[0].isdigit()
        ]
        return max(indices, default=0)

    def entries(self, repeat: str) -> list[Instance]:
        """Every entry of ``repeat``, outer entries first, in document order."""
        found: list[Instance] = [None]
        for name in (*self.plan.nodes[repeat].repeats, repeat):
            found = [child_entry(e, name, i) for e in found
                     for i in range(1, self.count(name, e) + 1)]
        return found

    def value(self, item: Item, instance: Instance) -> tuple[str, str]:
        """(value text, special) of one field."""
        if item.calculation is not None:
            try:
                if not self.ev.is_relevant(item.name, instance):
                    return "", ""
                result = self.ev.scalar(item.name, instance)
            except ExpressionError:
                return "", ""
            if isinstance(result, list):
                return " ".join(stored_text(v) for v in result), ""
            if item.value_type == "date" and isinstance(result, dt.date):
                day = result.date() if isinstance(result, dt.datetime) else result
                return day.isoformat(), ""
            return stored_text(result), ""  # as Collect stores it: "1"/"0", "1.0E-7" ...
        record = self.records.get(make_key(item.name, instance))
        if record is None or not record.relevant:
            return "", ""
        if record.special:
            return "", record.special
        return format_value(item, record.value), ""

    def date_parts(self, item: Item, instance: Instance) -> list[str]:
        """The companion columns of a date item (``date_suffixes``), empty when unanswered."""
        suffixes = date_suffixes(item)
        record = self.records.get(make_key(item.name, instance))
        answer = (DateAnswer.from_stored(record.value)
                  if record is not None and record.relevant and not record.special else None)
        if not suffixes or answer is None:
            return [""] * len(suffixes)
        parts = [answer.precision, "true" if answer.approximate else "false"]
        return parts + ([""] if answer.gregorian else [answer.given])[: len(suffixes) - 2]


Reader = _Reader  # the submission XML (screening.server.instance) reads values the same way


# -- CSV -------------------------------------------------------------------------------------
def odk_rows(
    instrument: Instrument,
    submissions: Iterable[Submission],
    *,
    content_hash: str | None = None,
    split_select_multiple: bool = False,
) -> OdkExport:
    """Submissions as ODK Central's CSV tables (root table plus one per repeat)."""
    plan = Plan.build(instrument, content_hash or compute_hash(instrument))
    all_fields = fields(instrument)
    repeats = repeat_paths(instrument)
    root_fields = [f for f in all_fields if f.table is None]
    header = ["SubmissionDate"]
    for fld in root_fields:
        header += _columns_for(instrument, fld, split_select_multiple)
    header += ["meta-instanceID", *ROOT_META]
    root = Table(instrument.id, None, header)
    tables: dict[str, Table] = {}
    stems = repeat_tables(instrument)
    for repeat in repeats:
        cols: list[str] = []
        for fld in all_fields:
            if fld.table == repeat:
                cols += _columns_for(instrument, fld, split_select_multiple)
        tables[repeat] = Table(stems[repeat], repeat, [*cols, "PARENT_KEY", "KEY"])

    def cells(reader: _Reader, fld: Field, instance: Instance) -> list[str]:
        text, special = reader.value(fld.item, instance)
        out = [text]
        if split_select_multiple and fld.item.type is ItemType.MULTIPLE_CHOICE:
            chosen = set(text.split())
            out += ["1" if c.name in chosen else "0" for c in instrument.choices_for(fld.item)]
        out += reader.date_parts(fld.item, instance)
        if has_special(instrument, fld.item):
            out.append(special)
        return out

    for sub in submissions:
        reader = _Reader(instrument, plan, sub)
        row = [central_time(reader.when)]
        for fld in root_fields:
            row += cells(reader, fld, None)
        row += [
            reader.key,
            reader.key,
            sub.submitter_id or "",
            sub.submitter_name or "",
            "0",
            "0",
            "",
            "",
            "",
            "0",
            instrument.version,
        ]
        root.rows.append(row)
        for repeat, where in repeats.items():
            outer = plan.nodes[repeat].repeat
            for entry in reader.entries(repeat):
                sub_row: list[str] = []
                for fld in all_fields:
                    if fld.table == repeat:
                        sub_row += cells(reader, fld, entry)
                assert entry is not None
                parent_key = (repeats[outer].key(reader.key, entry.parent) if outer
                              else reader.key)
                tables[repeat].rows.append([*sub_row, parent_key, where.key(reader.key, entry)])
    return OdkExport(root, list(tables.values()))


# -- JSON ------------------------------------------------------------------------------------
def odk_json(
    instrument: Instrument, submissions: Iterable[Submission], *, content_hash: str | None = None
) -> list[dict[str, Any]]:
    """Submissions as KoboToolbox's JSON API ``results`` (nested repeats, full paths)."""
    plan = Plan.build(instrument, content_hash or compute_hash(instrument))
    all_fields = fields(instrument)
    repeats = repeat_paths(instrument)
    results: list[dict[str, Any]] = []
    for number, sub in enumerate(submissions, start=1):
        reader = _Reader(instrument, plan, sub)

        def put(
            target: dict[str, Any],
            fld: Field,
            instance: Instance,
            reader: _Reader = reader,
        ) -> None:
            text, special = reader.value(fld.item, instance)
            path = "/".join(fld.full_path)
            if text != "":
                target[path] = text
            for suffix, part in zip(date_suffixes(fld.item),
                                    reader.date_parts(fld.item, instance), strict=True):
                if part:
                    target[path + suffix] = part
            if special:
                target[path + SPECIAL_SUFFIX] = special

        record: dict[str, Any] = {"_id": number, "_uuid": reader.key.removeprefix("uuid:")}
        for fld in all_fields:
            if fld.table is None:
                put(record, fld, None)
        # Outer repeats come first, so an inner entry's list goes into its outer entry.
        objects: dict[Instance, dict[str, Any]] = {None: record}
        for repeat, where in repeats.items():
            for entry in reader.entries(repeat):
                assert entry is not None
                obj: dict[str, Any] = {}
                for fld in all_fields:
                    if fld.table == repeat:
                        put(obj, fld, entry)
                objects[entry] = obj
                objects[entry.parent].setdefault("/".join(where.names), []).append(obj)
        record.update(
            {
                "meta/instanceID": reader.key,
                "_xform_id_string": instrument.id,
                "__version__": instrument.version,
                "_submission_time": reader.when.strftime("%Y-%m-%dT%H:%M:%S"),
                "_submitted_by": sub.submitter_name,
                "_attachments": [],
                "_geolocation": [None, None],
                "_tags": [],
                "_notes": [],
                "_validation_status": {},
            }
        )
        results.append(record)
    return results
