"""Load an instrument file: YAML -> schema -> semantic checks -> hash check.

Every problem found is collected; nothing loads half-way. Fatal problems raise one
``InstrumentError`` listing all of them, each located by file, line and item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from screening.errors import ErrorCode, InstrumentError, Problem
from screening.instruments.hashing import content_hash
from screening.instruments.model import Instrument
from screening.instruments.validate import validate_instrument
from screening.instruments.yamlsource import SourceMap, YamlProblem, load_yaml


@dataclass
class LoadResult:
    instrument: Instrument
    content_hash: str
    path: Path | None = None
    warnings: list[Problem] = field(default_factory=list)


def _schema_problems(exc: ValidationError, smap: SourceMap) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
        where = ".".join(str(p) for p in loc) or "(top level)"
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown key (misspelt?)"
        elif err["type"] == "missing":
            message = "required key is missing"
        problems.append(
            Problem(
                ErrorCode.INSTRUMENT_SCHEMA,
                f"{where}: {message}",
                file=smap.file,
                line=smap.line_of(loc),
            )
        )
    return problems


def parse_instrument(text: str, file: str = "<text>", *,
                     fast: bool = False) -> tuple[Instrument, SourceMap]:
    """YAML and schema only; raises ``InstrumentError`` listing every schema problem.
    ``fast``: a shipped file or a store snapshot (``yamlsource.load_yaml``)."""
    try:
        data, smap = load_yaml(text, file, fast=fast)
    except YamlProblem as exc:
        raise InstrumentError(
            f"{file}: cannot read instrument", [exc.problem], code=exc.problem.code
        ) from None
    if not isinstance(data, dict):
        problem = Problem(
            ErrorCode.INSTRUMENT_SCHEMA, "the file must be a mapping of keys", file=file, line=1
        )
        raise InstrumentError(f"{file}: not an instrument", [problem])
    try:
        instrument = Instrument.model_validate(data)
    except ValidationError as exc:
        problems = _schema_problems(exc, smap)
        raise InstrumentError(
            f"{file}: {len(problems)} problem(s) in the instrument", problems
        ) from None
    except (RecursionError, ValueError, TypeError) as exc:
        problem = Problem(ErrorCode.INSTRUMENT_SCHEMA, f"invalid structure: {exc}", file=file)
        raise InstrumentError(f"{file}: not an instrument", [problem]) from None
    return instrument, smap


def check_hash(instrument: Instrument, smap: SourceMap) -> tuple[str, Problem | None, bool]:
    """(computed hash, problem or None, whether the problem is only a warning)."""
    computed = content_hash(instrument)
    if instrument.content_hash is None:
        problem = Problem(
            ErrorCode.INSTRUMENT_HASH,
            f"content_hash is missing; the content hash of this text is {computed}",
            file=smap.file,
            line=1,
        )
        return computed, problem, instrument.validation.status == "draft"
    if instrument.content_hash != computed:
        problem = Problem(
            ErrorCode.INSTRUMENT_HASH,
            "content_hash does not match the text: the wording or logic was changed "
            f"without updating the hash (declared {instrument.content_hash}, "
            f"computed {computed}); review the change, bump 'version', then run "
            "`fieldscreen instruments rehash FILE`",
            file=smap.file,
            line=smap.line_of(("content_hash",)),
        )
        return computed, problem, False
    return computed, None, False


def load_instrument_text(text: str, file: str = "<text>", *, fast: bool = False) -> LoadResult:
    instrument, smap = parse_instrument(text, file, fast=fast)
    errors, warnings = validate_instrument(instrument, smap)
    computed, problem, only_warning = check_hash(instrument, smap)
    if problem is not None:
        (warnings if only_warning else errors).append(problem)
    if errors:
        raise InstrumentError(f"{file}: {len(errors)} problem(s) in the instrument", errors)
    return LoadResult(instrument=instrument, content_hash=computed, warnings=warnings)


def load_instrument(path: Path, *, fast: bool = False) -> LoadResult:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InstrumentError(
            f"{path}: cannot read file ({exc.strerror})", code=ErrorCode.INSTRUMENT_NOT_FOUND
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = Problem(
            ErrorCode.INSTRUMENT_SYNTAX,
            f"not UTF-8 text (byte {exc.start})",
            file=str(path),
        )
        raise InstrumentError(f"{path}: cannot read instrument", [problem]) from None
    result = load_instrument_text(text, str(path), fast=fast)
    result.path = path
    return result
