"""Comparing engines' results: normalisation, agreement, and a side-by-side view.

Normalised (what "two engines agree on a case" compares):

* a case an engine cannot load: ``{"load_error": True}`` (the messages differ by engine);
* an evaluation error: ``{"eval_error": True}`` for a form case, ``{"result": "error"}`` for
  an expression case;
* an expression case: ``{"result": value, "answers": [...]}``;
* a form case: ``{"fields": {key: value}, "answers", "required_missing",
  "constraint_failed"}`` where ``fields`` holds the relevant fields only (a field that is not
  relevant in one engine and absent in another is the same thing: not there).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .corpus import RESULT, Case

ENGINES = ("fieldscreen", "javarosa", "webforms")
LABELS = {"fieldscreen": "FieldScreen", "javarosa": "JavaRosa", "webforms": "Web Forms"}
MISSING = "(absent)"


def normalise(case: Case, raw: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    if raw.get("load_error"):
        return {"load_error": True}
    fields = {k: _value(v) for k, v in (raw.get("fields") or {}).items() if v.get("relevant")}
    answers = [list(a) for a in raw.get("answers") or []]
    if case.kind == "expr":
        if raw.get("eval_error"):
            return {"result": "error"}
        return {"result": fields.get(RESULT, ""), "answers": answers}
    if raw.get("eval_error"):
        return {"eval_error": True}
    return {
        "fields": dict(sorted(fields.items())),
        "answers": answers,
        "required_missing": sorted(raw.get("required_missing") or []),
        "constraint_failed": sorted(raw.get("constraint_failed") or []),
    }


PRELOADED = "(preloaded)"


def _value(field: Mapping[str, Any]) -> str:
    """A field's value; a metadata field the engine fills from the device (start, end,
    deviceid...) differs by the millisecond between engines: only whether it is set counts."""
    value = str(field.get("value", ""))
    return PRELOADED if field.get("preload") and value else value


def _json(value: Any) -> str:
    # An engine may split a character outside the BMP into lone surrogates: show them
    # escaped instead of failing to print.
    text = json.dumps(value, ensure_ascii=False)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def flat(norm: Mapping[str, Any] | None) -> dict[str, str]:
    """A normalised result as path -> short text, for showing differences."""
    if norm is None:
        return {}
    out: dict[str, str] = {}
    for key, value in norm.items():
        if key == "fields":
            for name, text in value.items():
                out[f"fields.{name}"] = _json(text)
        elif key == "answers":
            for i, (name, outcome) in enumerate(value, start=1):
                out[f"answer {i} ({name})"] = outcome
        elif isinstance(value, list):
            out[key] = " ".join(value) or "-"
        elif isinstance(value, bool):
            out[key] = "yes"
        else:
            out[key] = _json(value)
    return out


def differences(norms: Mapping[str, dict[str, Any] | None], *,
                full: bool = False) -> list[tuple[str, dict[str, str]]]:
    """The paths where the engines that ran differ (every path with ``full``), with each
    engine's text."""
    flats = {e: flat(n) for e, n in norms.items() if n is not None}
    paths: list[str] = []
    for f in flats.values():
        paths += [p for p in f if p not in paths]
    paths.sort(key=_path_order)
    rows = []
    for path in paths:
        texts = {e: f.get(path, MISSING) for e, f in flats.items()}
        if full or len(set(texts.values())) > 1:
            rows.append((path, texts))
    return rows


def _path_order(path: str) -> tuple[int, int, str]:
    """Errors, the result, fields (by key), answers (in order), then the end checks."""
    if path.startswith("answer "):
        return (3, int(path.split()[1]), "")
    group = {"load_error": 0, "eval_error": 0, "result": 1}.get(path)
    if group is not None:
        return (group, 0, path)
    return (2, 0, path) if path.startswith("fields.") else (4, 0, path)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def side_by_side(case: Case, raws: Mapping[str, Mapping[str, Any] | None],
                 width: int = 26, *, full: bool = False) -> str:
    """The three engines' results for one case: where they differ (every path with
    ``full``)."""
    norms = {e: normalise(case, raws.get(e)) for e in ENGINES}
    ran = [e for e in ENGINES if norms[e] is not None]
    head = f"{case.id} ({case.construct}, {case.file})"
    rows = differences(norms, full=full)
    if not rows:
        return f"{head}: {', '.join(LABELS[e] for e in ran)} agree"
    if full and not differences(norms):
        head += ": all agree"
    lines = [head, "  " + "".ljust(width) + "".join(LABELS[e].ljust(width) for e in ran)]
    for path, texts in rows:
        lines.append("  " + _short(path, width - 1).ljust(width) + "".join(
            _short(texts.get(e, MISSING), width - 1).ljust(width) for e in ran))
    for engine in ran:
        raw = raws.get(engine) or {}
        for what in ("load_error", "eval_error"):
            if raw.get(what):
                text = " ".join(str(raw[what]).split())
                lines.append(f"  {LABELS[engine]} {what}: {_short(text, 160)}")
    return "\n".join(line.rstrip() for line in lines)


def agree(case: Case, a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> bool | None:
    """Whether two engines' raw results agree (None when one of them did not run)."""
    na, nb = normalise(case, a), normalise(case, b)
    if na is None or nb is None:
        return None
    return na == nb


def first_difference(case: Case, mine: Mapping[str, Any] | None,
                     reference: Mapping[str, Any] | None) -> str:
    """A short text for the document: what ``mine`` gives where it differs from ``reference``
    (for an expression case, just the value)."""
    norms = {"mine": normalise(case, mine), "ref": normalise(case, reference)}
    rows = differences(norms)
    if not rows:
        return ""
    path, texts = rows[0]
    text = texts.get("mine", MISSING)
    if case.kind == "expr" and path == "result":
        return text
    return f"{path} = {text}"
