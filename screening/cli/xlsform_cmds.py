"""`fieldscreen instruments import FORM [-o FILE]` and `instruments export-xlsform`.

The ``instruments`` sub-command is created by ``instrument_cmds``; it calls
``register_instrument_actions(isub)`` with its sub-parsers to add these two actions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from screening.errors import InputError, InstrumentError


def register_instrument_actions(isub: Any) -> None:
    p = isub.add_parser(
        "import",
        help="turn an XLSForm (.xlsx, .xls, .csv, .md) into a FieldScreen instrument file",
        description="Import an ODK/KoboToolbox XLSForm. Prints the instrument (YAML) or "
        "writes it with -o; every feature FieldScreen cannot run is reported with its sheet "
        "and row. Exit 2 if the form cannot be imported.",
    )
    p.add_argument("form", type=Path, metavar="FORM")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="write the instrument here (default: print it)",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing FILE")
    p.add_argument("--install", action="store_true",
                   help="also install it in this workspace's catalog (inside the encrypted "
                   "store; asks for the passphrase): interviews, reports and exports can then "
                   "use it by id, and backups carry it")
    p.set_defaults(func=cmd_import)

    p = isub.add_parser(
        "export-xlsform",
        help="write an instrument as an XLSForm (.xlsx) for ODK Central or KoboToolbox",
        description="Export an instrument (shipped id or file) as an XLSForm. Importing the "
        "file again gives the same instrument (same content hash).",
    )
    p.add_argument("instrument", metavar="ID_OR_FILE")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.xlsx")
    p.add_argument("--force", action="store_true", help="overwrite an existing FILE.xlsx")
    p.set_defaults(func=cmd_export_xlsform)


def _refuse_overwrite(args: argparse.Namespace, path: Path, force: bool) -> None:
    from screening.cli.common import check_output

    check_output(args, path)  # never into the data folder or onto a device, even with --force
    if path.exists() and not force:
        raise InputError(f"{path} exists; use --force to overwrite it")


def cmd_import(args: argparse.Namespace) -> int:
    from screening.xlsform import import_xlsform, instrument_yaml

    if args.output is not None:
        _refuse_overwrite(args, args.output, args.force)
    if args.form.suffix.lower() in (".yaml", ".yml"):
        return _install_instrument_file(args)
    try:
        result = import_xlsform(args.form)
    except InstrumentError as exc:
        print(f"{args.form}: cannot import", file=sys.stderr)
        # Each message already says where: "survey sheet, row 12: ..."
        for message in [p.message for p in exc.problems] or [exc.message]:
            print(f"  error: {message}", file=sys.stderr)
        return 2
    for warning in result.warnings:
        print(f"  warning: {warning.message}", file=sys.stderr)
    text = instrument_yaml(result.instrument, source=args.form.name)
    ins = result.instrument
    summary = (
        f"{args.form}: imported as '{ins.id}' version {ins.version} "
        f"({sum(1 for i in ins.walk() if i.is_answerable)} questions, languages "
        f"{', '.join(f'{c}({i.status})' for c, i in ins.languages.items())}, "
        f"{len(result.warnings)} warning(s), {result.content_hash})"
    )
    if args.output is not None:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{args.output}: cannot write ({exc.strerror or exc})") from None
        print(f"{summary} -> {args.output}")
    if args.install:
        from screening.cli.common import open_workspace
        from screening.instruments import load_instrument_text

        # Install exactly the text written above (same content hash as the file).
        loaded = load_instrument_text(text, args.form.name)
        with open_workspace(args) as ws:
            entry = ws.catalog.install(loaded, args.form.name)
        where = "shipped with FieldScreen already" if entry.origin == "shipped" else \
            "installed in this workspace (inside the encrypted store)"
        print(f"{summary}: {where}", file=sys.stderr)
    elif args.output is None:
        sys.stdout.write(text)
        print(summary, file=sys.stderr)
    return 0


def _install_instrument_file(args: argparse.Namespace) -> int:
    """A FieldScreen instrument file (YAML): checked, then installed with --install."""
    from screening.cli.common import open_workspace
    from screening.instruments import load_instrument

    if not args.install:
        raise InputError(f"{args.form} is already a FieldScreen instrument; add --install to "
                         "install it, or check it with `fieldscreen instruments check`")
    loaded = load_instrument(args.form)
    with open_workspace(args) as ws:
        ws.catalog.install(loaded, args.form.name)
    ins = loaded.instrument
    print(f"installed '{ins.id}' version {ins.version} in this workspace "
          f"({loaded.content_hash})", file=sys.stderr)
    return 0


def cmd_export_xlsform(args: argparse.Namespace) -> int:
    from screening.cli.common import data_dir_from, open_workspace
    from screening.instruments import find_instrument
    from screening.store import Store
    from screening.xlsform.exporter import write_xlsform

    _refuse_overwrite(args, args.output, args.force)
    try:
        loaded = find_instrument(args.instrument)
    except InstrumentError:
        if not Store.exists(data_dir_from(args)):
            raise
        with open_workspace(args) as ws:  # an instrument installed in this workspace
            loaded = ws.catalog.find(args.instrument)
    write_xlsform(loaded.instrument, args.output)
    ins = loaded.instrument
    print(f"{args.output}: XLSForm of '{ins.id}' {ins.version} ({loaded.content_hash})")
    return 0
