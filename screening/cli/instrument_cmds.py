"""`fieldscreen instruments list|check|rehash`."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from screening.errors import InputError, InstrumentError
from screening.instruments import LoadResult, list_instruments, load_instrument
from screening.instruments.hashing import content_hash
from screening.instruments.loader import parse_instrument
from screening.instruments.validate import validate_instrument


def register(sub: Any) -> None:
    parser = sub.add_parser("instruments", help="list, check and maintain instruments")
    isub = parser.add_subparsers(dest="instruments_command", metavar="ACTION", required=True)

    p = isub.add_parser(
        "list", help="shipped and installed instruments: id, version, title, languages",
        description="Lists the shipped instruments and, when a store exists in the data "
        "folder, the ones installed in it (this asks for the passphrase).")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--shipped-only", action="store_true",
                   help="list the shipped instruments without unlocking the store")
    p.set_defaults(func=cmd_list)

    p = isub.add_parser(
        "remove", help="take an installed instrument out of the catalog (ID@VERSION)",
        description="Removes an installed instrument from this workspace's catalog. The text "
        "of an instrument that interviews used stays in the store, so those cases stay "
        "reportable. Shipped instruments cannot be removed.")
    p.add_argument("instrument", metavar="ID@VERSION")
    p.set_defaults(func=cmd_remove)

    p = isub.add_parser("check", help="validate an instrument file; exit 2 with all errors")
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_check)

    p = isub.add_parser(
        "rehash", help="after a reviewed edit: write the new content_hash into the file"
    )
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_rehash)

    from screening.cli import xlsform_cmds

    xlsform_cmds.register_instrument_actions(isub)  # import FORM, export-xlsform
    from screening.cli import review_cmds

    review_cmds.register_instrument_actions(isub)  # review-sheet, apply-review (issue #16)


def summary(result: LoadResult, origin: str = "shipped") -> dict[str, Any]:
    from screening.instruments.review import language_reviews

    ins = result.instrument
    return {
        "origin": origin,
        "id": ins.id,
        "version": ins.version,
        "title": ins.text(ins.title, "en"),
        "population": ins.population,
        "validation_status": ins.validation.status,
        "source_language": ins.source_language,
        "languages": {code: info.status for code, info in ins.languages.items()},
        "items": sum(1 for item in ins.walk() if item.is_answerable),
        "typical_minutes": ins.typical_minutes,
        "content_hash": result.content_hash,
        "file": result.path.name if result.path else None,
        # Who signed each reviewed language off (issue #16); added after "languages", whose
        # shape stays {code: status}.
        "reviews": {code: {"reviewed_by": by, "reviewed_on": on}
                    for code, (by, on) in language_reviews(ins).items()},
    }


def cmd_list(args: argparse.Namespace) -> int:
    from screening.cli.common import data_dir_from, open_workspace
    from screening.store import Store

    if args.shipped_only or not Store.exists(data_dir_from(args)):
        rows = [summary(r) for r in list_instruments()]
    else:
        with open_workspace(args) as ws:
            rows = [summary(e.result, e.origin) for e in ws.catalog.entries()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        langs = " ".join(f"{code}({status})" for code, status in row["languages"].items())
        print(f"{row['id']}  {row['version']}  {row['origin']:<9}  {row['validation_status']}  "
              f"{row['title']}")
        print(f"    languages: {langs}")
        for code, review in row["reviews"].items():
            by = review["reviewed_by"] or "a reviewer the file does not name"
            on = f" on {review['reviewed_on']}" if review["reviewed_on"] else ""
            print(f"    {code} reviewed by {by}{on}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from screening.cli.common import open_workspace

    with open_workspace(args) as ws:
        removal = ws.catalog.remove(args.instrument)
    if removal.kept_as_snapshot:
        print(f"{removal.key}: removed from the catalog; its text stays in the store because "
              "interviews were run with it (their reports keep working)")
    else:
        print(f"{removal.key}: removed")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    try:
        result = load_instrument(args.file)
    except InstrumentError as exc:
        return _report_invalid(args.file, exc.problems or [exc.message])
    for warning in result.warnings:
        print(f"  warning: {warning}", file=sys.stderr)
    ins = result.instrument
    print(f"{args.file}: ok ({ins.id} {ins.version}, "
          f"{sum(1 for i in ins.walk() if i.is_answerable)} items, "
          f"{len(ins.languages)} languages, {result.content_hash})")
    return 0


_HASH_LINE = re.compile(r"^content_hash:.*$", re.MULTILINE)


def cmd_rehash(args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{args.file}: cannot read ({exc})") from None
    try:
        instrument, smap = parse_instrument(text, str(args.file))
    except InstrumentError as exc:
        return _report_invalid(args.file, exc.problems or [exc.message])
    errors, _warnings = validate_instrument(instrument, smap)
    if errors:
        return _report_invalid(args.file, errors)
    new_hash = content_hash(instrument)
    if _HASH_LINE.search(text):
        updated = _HASH_LINE.sub(f"content_hash: {new_hash}", text, count=1)
    else:
        updated = text.rstrip() + f"\ncontent_hash: {new_hash}\n"
    args.file.write_text(updated, encoding="utf-8")
    print(f"{args.file}: content_hash: {new_hash}")
    return 0


def _report_invalid(file: Path, problems: list[Any]) -> int:
    print(f"{file}: INVALID", file=sys.stderr)
    for problem in problems:
        print(f"  error: {problem}", file=sys.stderr)
    return 2
