"""Import an XLSForm (.xlsx, .xls, .csv, .md) as a FieldScreen instrument.

pyxform, the reference implementation, reads and checks the workbook (its own errors are
translated into located ``Problem``s); ``mapping`` turns its JSON representation into our
model; the result goes through the same semantic checks as a YAML instrument
(``validate_instrument``). Nothing but ``InputError``/``InstrumentError`` ever leaves
``import_xlsform``, whatever the bytes: hostile input (not a spreadsheet, a truncated or
oversized zip, a zip bomb, a huge sheet) is refused with a reason.

An imported form has no screening indicators: its outcome rule is ``judgement`` (the officer
decides), its validation status ``draft``, its population ``any``. A workbook exported by
FieldScreen carries a ``fieldscreen`` sheet (see ``extras``) from which everything an
XLSForm cannot hold is restored, so export then import gives the same content hash.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from screening.errors import ErrorCode, InstrumentError, Problem
from screening.instruments.hashing import content_hash
from screening.instruments.model import FORMAT_V1, NAME_PATTERN, Instrument
from screening.instruments.validate import validate_instrument
from screening.instruments.yamlsource import SourceMap
from screening.log import safe_traceback
from screening.xlsform import extras as fs_extras
from screening.xlsform.languages import UNDETERMINED
from screening.xlsform.mapping import MappedForm, Mapper
from screening.xlsform.reading import (
    MAX_FILE_BYTES,
    convert,
    extras_sheet,
    file_kind,
    read_definition,
    refuse,
)
from screening.xlsform.report import Collector, pyxform_problem
from screening.xlsform.restore import ROOT_SECTION, apply_extras
from screening.xlsform.rows import RowIndex, dealiased
from screening.xlsform.texts import Languages, detect_languages, fill_translations

_KNOWN_SHEETS = {"survey", "choices", "settings", "external_choices", "osm", "entities"}
_SILENT_SETTINGS = {
    "type",
    "name",
    "title",
    "id_string",
    "sms_keyword",
    "default_language",
    "children",
    "choices",
    "version",
    "clean_text_values",
    "namespaces",  # declares prefixes such as fieldscreen: (bind attributes are checked)
    "allow_choice_duplicates",
    "style",
}
_SETTING_LOSSES = {
    "public_key": "FieldScreen encrypts its own store; submissions are not encrypted with "
    "the form's public key",
    "submission_url": "FieldScreen does not send submissions to a server",
    "instance_name": "interviews are named by FieldScreen",
    "auto_send": "FieldScreen does not send submissions",
    "auto_delete": "FieldScreen keeps interviews in its encrypted store",
    "entity_version": "FieldScreen does not keep ODK entities",
}

log = logging.getLogger(__name__)

NO_SCORE = "No score: this form has no screening rule; the officer decides whether to refer."
URGENT = "Refer urgently: a safety concern was raised during the interview."


@dataclass
class ImportResult:
    instrument: Instrument
    content_hash: str
    file: str
    warnings: list[Problem] = field(default_factory=list)
    restored: bool = False  # FieldScreen metadata restored from a ``fieldscreen`` sheet
    pyxform_warnings: list[str] = field(default_factory=list)
    features: dict[str, int] = field(default_factory=dict)  # warnings by feature


# -- reading ---------------------------------------------------------------------------------
# -- assembling the instrument ---------------------------------------------------------------
def _same_text(langs: Languages, text: str) -> dict[str, str]:
    return dict.fromkeys(langs.codes, text)


def _slug_id(raw: str) -> str:
    out = re.sub(r"[^A-Za-z0-9_.\-]+", "_", raw.strip()).strip("_") or "imported_form"
    if not re.match(NAME_PATTERN, out):
        out = "form_" + out
    return out


def _metadata(
    form: dict[str, Any],
    langs: Languages,
    file: str,
    form_id: str,
    version: str,
    collector: Collector,
) -> dict[str, Any]:
    title = str(form.get("title") or form_id).strip() or form_id
    where = f"'{Path(file).name}' (form_id '{form_id}', version '{version}')"
    return {
        "format": FORMAT_V1,
        "id": form_id,
        "version": version,
        "title": _same_text(langs, title),
        "population": "any",
        "purpose": _same_text(
            langs,
            f"Questionnaire imported from the XLSForm {where}. FieldScreen did not "
            "write or review its wording; it is not a screening instrument with indicators.",
        ),
        "provenance": {
            "source_framework": "XLSForm (ODK/KoboToolbox form)",
            "citation": f"Imported from the XLSForm file {where}",
            "authored_by": "the authors of the XLSForm (not stated in the form)",
            "wording": "the form's own wording, imported unchanged",
        },
        "validation": {
            "status": "draft",
            "note": _same_text(
                langs,
                "Imported from an XLSForm: not a validated screening "
                "instrument. Review before use.",
            ),
        },
        "source_language": langs.source,
        "languages": {
            code: (
                {"name": langs.names[code], "status": "source"}
                if code == langs.source
                else {
                    "name": langs.names[code],
                    "status": "reviewed",
                    "reviewed_by": "the XLSForm's authors (as published in the form)",
                    "note": "Translation as published in the imported XLSForm; not checked by "
                    "FieldScreen.",
                }
            )
            for code in langs.codes
        },
        "outcome": {
            "rule": "judgement",
            "labels": {
                "refer_urgent": _same_text(langs, URGENT),
                "officer_judgement": _same_text(langs, NO_SCORE),
            },
        },
    }


def _report_languages(langs: Languages, collector: Collector) -> None:
    for code in langs.codes:
        how = langs.how.get(code)
        name = langs.names.get(code, code)
        if code == UNDETERMINED:
            collector.warn(
                "untranslated columns = language 'und'",
                "the form's untranslated columns (label, hint ... without "
                "'::Language (code)') are a language of their own; FieldScreen "
                "calls it 'und' (Default) because the form does not say which "
                "language it is",
                sheet=None,
                code=ErrorCode.INSTRUMENT_TRANSLATION,
            )
        elif how == "slug":
            collector.warn(
                "language without code",
                f"language '{name}' has no code and is not a language name "
                f"FieldScreen knows; it is stored as '{code}'. Write the column as "
                f"'label::{name} (xx)' with its ISO 639 code",
                sheet=None,
                code=ErrorCode.INSTRUMENT_TRANSLATION,
            )


def _settings_warnings(form: dict[str, Any], definition: Any, collector: Collector) -> None:
    for key in form:
        if key in _SILENT_SETTINGS:
            continue
        loses = _SETTING_LOSSES.get(key, "it is not used by FieldScreen")
        collector.warn("setting ignored", f"setting '{key}' is ignored: {loses}", sheet="settings")
    for name in definition.sheet_names or ():
        if name.lower() not in _KNOWN_SHEETS and name != fs_extras.SHEET:
            collector.warn(
                "extra sheet ignored",
                f"the sheet '{name}' is not an XLSForm sheet; it is ignored",
                sheet=None,
            )
    if getattr(definition, "osm", None):
        collector.warn(
            "osm sheet ignored",
            "the osm sheet is ignored: FieldScreen has no OpenStreetMap questions",
            sheet="osm",
        )


def _smap_for(instrument: dict[str, Any], rows: dict[str, int], file: str) -> SourceMap:
    smap = SourceMap(file)

    def walk(items: list[dict[str, Any]], base: tuple[Any, ...]) -> None:
        for index, item in enumerate(items):
            path = (*base, index)
            row = rows.get(item.get("name", ""))
            if row:
                smap.lines[path] = row
            walk(item.get("items") or [], (*path, "items"))

    for s_index, section in enumerate(instrument.get("sections") or []):
        walk(section.get("items") or [], ("sections", s_index, "items"))
    return smap


def _locate(problem: Problem, file: str) -> Problem:
    prefix = f"survey sheet, row {problem.line}: " if problem.line else ""
    return Problem(
        problem.code, prefix + problem.message, file=file, line=problem.line, item=problem.item
    )


def _schema_problems(exc: ValidationError, file: str) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"])
        out.append(Problem(ErrorCode.INSTRUMENT_SCHEMA, f"{where}: {err['msg']}", file=file))
    return out


# -- public API ------------------------------------------------------------------------------
def import_xlsform(
    source: str | Path | bytes,
    *,
    file_name: str | None = None,
) -> ImportResult:
    """Import an XLSForm; raises ``InstrumentError`` listing every problem found.

    ``source`` is a path, or the file's bytes (then ``file_name`` gives the suffix and the
    name used in messages).
    """
    if isinstance(source, bytes):
        data = source
        file = file_name or "form.xlsx"
    else:
        path = Path(source)
        file = file_name or path.name
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise refuse(file, f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
            data = path.read_bytes()
        except OSError as exc:
            raise InstrumentError(
                f"{file}: cannot read file ({exc.strerror or exc})",
                code=ErrorCode.INSTRUMENT_NOT_FOUND,
            ) from None
    stem = Path(file).stem or "form"
    kind = file_kind(file, data)
    collector = Collector(Path(file).name)
    definition = read_definition(data, kind, collector.file, stem)
    form, pyx_warnings = convert(definition, collector.file, stem)
    try:
        return _build(form, definition, data, kind, collector, pyx_warnings, stem)
    except InstrumentError:
        raise
    except RecursionError:
        raise refuse(collector.file, "the form is nested too deeply") from None
    except Exception as exc:
        # A bug of ours on an unusual form: say so plainly, log where (never a traceback
        # for the officer); the property tests fail on this message.
        # No file name in the log: officers' file names often name people.
        log.error("XLSForm import failed\n%s", safe_traceback(type(exc), exc.__traceback__))
        raise refuse(
            collector.file,
            f"internal error while mapping the form ({type(exc).__name__}); please report it",
            ErrorCode.INSTRUMENT_SCHEMA,
        ) from None


def _build(
    form: dict[str, Any],
    definition: Any,
    data: bytes,
    kind: str | None,
    collector: Collector,
    pyx_warnings: list[str],
    stem: str,
) -> ImportResult:
    file = collector.file
    for message in pyx_warnings:
        collector.warnings.append(
            pyxform_problem(message, file, ErrorCode.INSTRUMENT_SCHEMA, "pyxform warns: ")
        )
        collector.features["pyxform warning"] += 1
    default_language = str(form.get("default_language") or "default")
    survey_rows = dealiased(definition, "survey", default_language)
    choice_rows = dealiased(definition, "choices", default_language)
    external: dict[str, list[dict[str, Any]]] = {}
    for row in dealiased(definition, "external_choices", default_language):
        list_name = str(row.pop("list name", None) or row.pop("list_name", "") or "").strip()
        if list_name:
            external.setdefault(list_name, []).append(row)
    rows = RowIndex.build(survey_rows, choice_rows)
    extras = extras_sheet(data, kind, collector)
    overrides = extras.get("language_keys") if extras else None
    langs = detect_languages(
        form, external.values(), overrides if isinstance(overrides, dict) else None
    )
    mapper = Mapper(form, rows, langs, collector, external)
    items = mapper.map_form()
    if extras is not None:
        mapper.include_all_lists()
    renamed = mapper.fix_choice_names(items)
    for column in sorted(mapper.unknown_columns):
        collector.warn(
            "column ignored", f"column '{column}' is not used by FieldScreen; it is ignored"
        )
    _settings_warnings(form, definition, collector)
    _report_languages(langs, collector)
    draft = fill_translations(mapper.slots, langs, collector)
    if not items:
        collector.error("no question", "the form has no question FieldScreen can ask")
    if collector.errors:
        raise InstrumentError(
            f"{file}: cannot import: {len(collector.errors)} problem(s)", collector.errors
        )

    form_id = str(form.get("id_string") or stem)
    if not re.match(NAME_PATTERN, form_id):
        fixed = _slug_id(form_id)
        collector.warn(
            "form_id renamed",
            f"form_id '{form_id}' is stored as '{fixed}' (FieldScreen ids use "
            "letters, digits, '_', '.', '-')",
            sheet="settings",
        )
        form_id = fixed
    version = str(form.get("version") or "").strip() or "0"
    ins = _metadata(form, langs, file, form_id, version, collector)
    ins["choice_lists"] = mapper.choice_lists
    ins["sections"] = [{"name": ROOT_SECTION, "title": dict(ins["title"]), "items": items}]
    mapped = MappedForm(
        items, mapper.choice_lists, mapper.slots, mapper.paths, mapper.item_rows, renamed
    )
    if extras is not None:
        apply_extras(ins, extras, mapped.rows, langs, collector)
    for code in draft:
        if code in ins["languages"]:
            info = ins["languages"][code]
            info["status"] = "draft"
            info["note"] = (
                "Some texts were blank in the XLSForm and were filled from "
                "another language at import; translate them, then review."
            )
            info.pop("reviewed_by", None)

    try:
        instrument = Instrument.model_validate(ins)
    except ValidationError as exc:
        raise InstrumentError(f"{file}: cannot import", _schema_problems(exc, file)) from None
    smap = _smap_for(ins, mapped.rows, file)
    errors, warnings = validate_instrument(instrument, smap)
    if errors:
        raise InstrumentError(
            f"{file}: cannot import: {len(errors)} problem(s)", [_locate(p, file) for p in errors]
        )
    collector.warnings.extend(_locate(p, file) for p in warnings)
    for warning in warnings:
        collector.features["check: " + warning.message.split(":")[0]] += 1

    computed = content_hash(instrument)
    if extras is not None:
        exported = extras.get("content_hash")
        status = instrument.validation.status
        if exported == computed:
            collector.warn(
                "restored from fieldscreen sheet",
                f"FieldScreen metadata (validation '{status}', "
                f"{len(instrument.indicators)} indicator(s), {len(instrument.flags)} flag(s)) "
                f"restored from the '{fs_extras.SHEET}' sheet: the instrument is unchanged "
                f"since export ({computed})",
                sheet=None,
                code=ErrorCode.INSTRUMENT_HASH,
            )
        else:
            if status != "draft":
                validation = instrument.validation.model_copy(update={"status": "draft"})
                instrument = instrument.model_copy(update={"validation": validation})
                computed = content_hash(instrument)
            collector.warn(
                "edited since export",
                f"FieldScreen metadata restored from the '{fs_extras.SHEET}' sheet, but the "
                f"form was changed since FieldScreen exported it (exported {exported}, now "
                f"{computed}); its validation status is 'draft' until the change is "
                "reviewed",
                sheet=None,
                code=ErrorCode.INSTRUMENT_HASH,
            )
    instrument = instrument.model_copy(update={"content_hash": computed})
    return ImportResult(
        instrument=instrument,
        content_hash=computed,
        file=file,
        warnings=collector.warnings,
        restored=extras is not None,
        pyxform_warnings=list(pyx_warnings),
        features={k: v for k, v in collector.features.items() if v},
    )


# -- YAML output -----------------------------------------------------------------------------
class _NoAliasDumper(yaml.SafeDumper):
    # The instrument loader refuses YAML aliases; never write any.
    def ignore_aliases(self, data: Any) -> bool:
        return True


def instrument_yaml(instrument: Instrument, *, source: str | None = None) -> str:
    """The instrument as an instrument file (loads with ``load_instrument_text``)."""
    data = instrument.model_dump(mode="json", exclude_none=True)
    data["content_hash"] = content_hash(instrument)
    header = "# FieldScreen instrument"
    if source:
        header += f" imported from the XLSForm '{Path(source).name}'"
    header += ".\n# Review the wording and the import warnings before using it with people.\n"
    body = yaml.dump(data, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=100)
    return header + body
