"""`fieldscreen officer show|set`: the officer's profile (issue #15 review).

The profile (name, agency, usual location, helpline number, phone, e-mail) is printed on
referral packets; phone and e-mail on full packets only, for the receiving agency. It is the
same setting the app's Settings › Profile edits, through the same core call
(``Preferences.update_officer_profile``), so both faces store and check it alike. Values come
from options or from a JSON file (``--file``, the same keys); options win over the file; a
field left out keeps its value and ``""`` clears it. Every value is checked before the
passphrase is asked: a bad phone number or e-mail address is exit 2 saying what is wrong.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from screening.errors import ErrorCode, InputError
from screening.log import replace_control_chars

LABELS = {"name": "name", "agency": "agency", "location": "usual location",
          "hotline": "helpline", "phone": "phone", "email": "e-mail"}
MAX_PROFILE_FILE = 64 * 1024


def register(sub: Any) -> None:
    from screening.casework.preferences import PROFILE_FIELDS

    o = sub.add_parser("officer", help="the officer's profile printed on referral packets")
    osub = o.add_subparsers(dest="officer_command", metavar="ACTION", required=True)
    p = osub.add_parser("show", help="print the officer's profile")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_officer_show)
    p = osub.add_parser(
        "set", help="change the officer's profile (fields left out keep their value)",
        description="Sets the profile the app's Settings › Profile shows. Phone and e-mail "
        "are printed on full referral packets so the receiving agency can reach you. A field "
        "left out keeps its value; an empty value (--phone '') clears it. --file takes a JSON "
        "object with the same keys (" + ", ".join(PROFILE_FIELDS) + "); options win over it.")
    p.add_argument("--name", help="your name as packets print it")
    p.add_argument("--agency", help="your agency")
    p.add_argument("--location", help="where you usually work")
    p.add_argument("--hotline", help="the helpline number shown to the person")
    p.add_argument("--phone", help="your phone number, for the receiving agency "
                   "(+962 6 555 0100)")
    p.add_argument("--email", help="your e-mail address, for the receiving agency")
    p.add_argument("--file", type=Path, metavar="PROFILE.json",
                   help="the fields as a JSON object")
    p.add_argument("--json", action="store_true", help="print the stored profile as JSON")
    p.set_defaults(func=cmd_officer_set)


def _print_profile(profile: dict[str, str], as_json: bool) -> None:
    if as_json:
        print(json.dumps(profile, ensure_ascii=False, indent=2))
        return
    for key, label in LABELS.items():
        print(f"{label + ':':<16}{replace_control_chars(profile.get(key, ''))}")


def cmd_officer_show(args: argparse.Namespace) -> int:
    from screening.cli.common import open_workspace

    with open_workspace(args) as ws:
        profile = ws.preferences.officer_profile()
    _print_profile(profile.to_json(), args.json)
    return 0


def _from_file(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_PROFILE_FILE + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > MAX_PROFILE_FILE:
        raise InputError(f"{path}: too large for a profile")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = f", line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise InputError(f"{path}{line}: not a JSON file in UTF-8") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: a profile is a JSON object such as "
                         '{"name": "...", "phone": "..."}')
    for key, value in doc.items():
        if not isinstance(value, str) and value is not None:
            raise InputError(f"{path}: {key}: text expected", code=ErrorCode.BAD_INPUT)
    return {k: v or "" for k, v in doc.items()}


def changes_from(args: argparse.Namespace) -> dict[str, str]:
    """The fields to change, each checked (exit 2 naming the field and what is wrong)."""
    from screening.casework.preferences import PROFILE_FIELDS, check_profile_field

    changes: dict[str, Any] = _from_file(args.file) if args.file is not None else {}
    where = f"{args.file}: " if args.file is not None else ""
    for key in changes:
        if key not in PROFILE_FIELDS:
            raise InputError(f"{where}unknown profile field '{key}' (use "
                             f"{', '.join(PROFILE_FIELDS)})")
    changes.update({k: getattr(args, k) for k in PROFILE_FIELDS if getattr(args, k) is not None})
    if not changes:
        raise InputError("nothing to change: give --name, --agency, --location, --hotline, "
                         "--phone, --email or --file")
    return {key: check_profile_field(key, value) for key, value in changes.items()}


def cmd_officer_set(args: argparse.Namespace) -> int:
    from screening.cli.common import open_workspace

    changes = changes_from(args)  # before the passphrase is asked
    with open_workspace(args) as ws:
        profile = ws.preferences.update_officer_profile(changes)
    _print_profile(profile.to_json(), args.json)
    return 0
