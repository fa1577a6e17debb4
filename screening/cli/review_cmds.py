"""`fieldscreen instruments review-sheet` and `instruments apply-review` (issue #16).

The ``instruments`` sub-command is created by ``instrument_cmds``; it calls
``register_instrument_actions(isub)`` to add these two actions. The work is done in
``screening.instruments.review`` and ``review_sheet``; this module only reads arguments,
files and prints.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from screening.errors import ErrorCode, InputError, InstrumentError
from screening.instruments.loader import LoadResult


def register_instrument_actions(isub: Any) -> None:
    p = isub.add_parser(
        "review-sheet",
        help="write a translation review sheet (.xlsx) for one language of an instrument",
        description="Writes one row per text of the instrument (questions, choices, guidance, "
        "consent, results ...) with its source wording and its current wording in LANG, for a "
        "reviewer to correct, back-translate, comment and give a verdict (ok, changed, "
        "problem). Apply the returned sheet with `fieldscreen instruments apply-review`. "
        "See docs/translation-review.md.")
    p.add_argument("instrument", metavar="ID_OR_FILE",
                   help="a shipped or installed instrument id (id or id@version) or a .yaml file")
    p.add_argument("--lang", required=True, metavar="LANG",
                   help="the language to review (a translation, not the source language)")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.xlsx")
    p.add_argument("--force", action="store_true", help="overwrite an existing FILE.xlsx")
    p.set_defaults(func=cmd_review_sheet)

    p = isub.add_parser(
        "apply-review",
        help="apply a filled-in review sheet: writes the reviewed instrument file",
        description="Checks that the sheet belongs to this instrument and version, applies its "
        "translations and writes a new version of the instrument (new content hash) with the "
        "review recorded in its provenance. The language becomes 'reviewed' only when every "
        "row has a verdict and none is 'problem'; otherwise the edits are still applied, the "
        "language keeps its status and the rows that block the review are listed (exit 0; "
        "exit 2 with --require-complete). Install the file with "
        "`fieldscreen instruments import FILE --install`.")
    p.add_argument("instrument", metavar="ID_OR_FILE",
                   help="the instrument the sheet was made from (id, id@version or .yaml file)")
    p.add_argument("sheet", type=Path, metavar="SHEET.xlsx")
    p.add_argument("--reviewer", required=True, metavar='"NAME, ROLE"',
                   help='who signs the review off, e.g. "A. Example, certified translator"')
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.yaml")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="date of the review (default: today)")
    p.add_argument("--version", dest="new_version", metavar="VERSION",
                   help="version of the reviewed instrument (default: the last number of the "
                   "current version plus one, 1.1.0 -> 1.1.1)")
    p.add_argument("--require-complete", action="store_true",
                   help="exit 2, writing nothing, unless every row has a verdict and none is "
                   "'problem'")
    p.add_argument("--force", action="store_true", help="overwrite an existing FILE.yaml")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_apply_review)


def _target(args: argparse.Namespace) -> Path:
    from screening.cli.common import check_output

    target = check_output(args, args.output)
    if target.exists() and not args.force:
        raise InputError(f"{target} exists; use --force to overwrite it",
                         code=ErrorCode.BAD_INPUT)
    return target


def _find(args: argparse.Namespace) -> LoadResult:
    """The instrument as `fieldscreen interview --instrument` finds it (the same catalog
    lookup): a file as it is; an id (without @VERSION, the newest version) among the shipped
    and installed instruments, which asks for the passphrase when a store exists, else among
    the shipped ones."""
    from screening.casework.catalog import InstrumentCatalog
    from screening.cli.common import data_dir_from, open_workspace
    from screening.store import Store

    ref = args.instrument
    if Path(ref).suffix.lower() in (".yaml", ".yml") or Path(ref).exists() \
            or not Store.exists(data_dir_from(args)):
        return InstrumentCatalog().find(ref)
    with open_workspace(args) as ws:
        return ws.catalog.find(ref)


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None


def cmd_review_sheet(args: argparse.Namespace) -> int:
    from screening.instruments.review import review_language, review_texts
    from screening.instruments.review_sheet import write_review_sheet

    target = _target(args)
    loaded = _find(args)
    ins = loaded.instrument
    lang = review_language(ins, args.lang)
    _write(target, write_review_sheet(ins, lang, loaded.content_hash))
    info = ins.languages[lang]
    print(f"{target}: review sheet for '{ins.id}' version {ins.version}, {info.name} ({lang}, "
          f"now {info.status}): {len(review_texts(ins))} texts")
    return 0


def _review_date(given: str | None) -> str:
    if not given:
        return date.today().isoformat()
    try:
        return date.fromisoformat(given).isoformat()
    except ValueError:
        raise InputError(f"--date '{given}': not a date (use YYYY-MM-DD)",
                         code=ErrorCode.BAD_INPUT) from None


def cmd_apply_review(args: argparse.Namespace) -> int:
    from screening.instruments import load_instrument_text
    from screening.instruments.review import (
        apply_review,
        check_reviewer,
        leading_comments,
        reviewed_yaml,
    )
    from screening.instruments.review_sheet import read_review_sheet

    reviewer = check_reviewer(args.reviewer)
    on = _review_date(args.date)
    target = _target(args)
    try:
        data = args.sheet.read_bytes()
    except OSError as exc:
        raise InputError(f"{args.sheet}: cannot read ({exc.strerror or exc})",
                         code=ErrorCode.BAD_INPUT) from None
    loaded = _find(args)
    sheet = read_review_sheet(data, str(args.sheet), loaded.instrument, loaded.content_hash)
    result = apply_review(loaded.instrument, sheet, reviewer=reviewer, date=on,
                          version=args.new_version)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if result.blocking and args.require_complete:
        raise InputError(f"{args.sheet}: the review is not complete; nothing written:\n"
                         + "\n".join(f"  {_blocking_line(b.row, b.id, b.verdict)}"
                                     for b in result.blocking), code=ErrorCode.BAD_INPUT)
    comments = ""
    if loaded.path is not None:
        try:
            comments = leading_comments(loaded.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            comments = ""
    text = reviewed_yaml(result, comments=comments)
    check = load_instrument_text(text, str(target))  # what we write must load, same hash
    if check.content_hash != result.content_hash:  # pragma: no cover - a bug, not input
        raise InstrumentError(f"{target}: the reviewed instrument does not keep its hash")
    _write(target, text.encode("utf-8"))
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return 0
    _print_result(args, target, result)
    return 0


def _blocking_line(row: int, text_id: str, verdict: str | None) -> str:
    why = "no verdict" if verdict is None else f"verdict '{verdict}'"
    return f"row {row} ({text_id}): {why}"


def _print_result(args: argparse.Namespace, target: Path, result: Any) -> None:
    for change in result.changed:
        print(f"changed {change.id} (row {change.row}):")
        print(f"  old: {change.old}")
        print(f"  new: {change.new}")
    ins = result.instrument
    review = result.review
    head = (f"{target}: '{ins.id}' version {ins.version} (from {review.from_version}), "
            f"{result.language}: {review.changed} of {review.texts} texts changed")
    if result.status == "reviewed":
        print(f"{head}; {result.language} reviewed by {review.reviewer} on {review.date} "
              f"({result.content_hash})")
    else:
        print(f"{head}; {result.language} stays '{result.status}': {len(result.blocking)} "
              f"text(s) block the review (every row needs a verdict, none 'problem'):")
        for b in result.blocking:
            print(f"  {_blocking_line(b.row, b.id, b.verdict)}")
    print(f"install it with: fieldscreen instruments import {target} --install")
