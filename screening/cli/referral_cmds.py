"""`fieldscreen directory import|list` and `fieldscreen referrals set|show`.

The same services the app's referral screen uses: the directory is the workspace's (shipped,
with the imported rows inside the encrypted store), and the case's consent decides what may
be chosen. Reasons and the narrative are free text about a person, so they come from a file,
never from arguments (which end up in shell history).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from screening.errors import ErrorCode, InputError


def register(sub: Any) -> None:
    d = sub.add_parser("directory", help="the referral directory: import the agency's rows, list")
    dsub = d.add_subparsers(dest="directory_command", metavar="ACTION", required=True)
    p = dsub.add_parser(
        "import", help="validate a directory CSV and keep it inside the encrypted store",
        description="Validates every row (problems named by row and column, exit 2), then "
        "keeps the file inside the encrypted store, merged over the shipped directory by "
        "service id. A new import replaces the previous one; backups carry it.")
    p.add_argument("file", type=Path, metavar="FILE.csv")
    p.set_defaults(func=cmd_directory_import)
    p = dsub.add_parser("list", help="the services: id, kind, name (and, with --case, "
                        "whether the case's consent covers each)")
    p.add_argument("--case", default=None, metavar="CASE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_directory_list)

    r = sub.add_parser("referrals", help="the services a case is referred to")
    rsub = r.add_subparsers(dest="referrals_command", metavar="ACTION", required=True)
    p = rsub.add_parser(
        "set", help="choose a case's services from a JSON file",
        description='FILE: {"services": [{"id": "us-nhth", "reason": "...", '
        '"override_reason": "..."}], "narrative": "..."}. A service outside the person\'s '
        "consent needs override_reason (audited, printed on the packet); without it: exit 2.")
    p.add_argument("case", metavar="CASE")
    p.add_argument("--file", required=True, type=Path, metavar="FILE.json")
    p.set_defaults(func=cmd_referrals_set)
    p = rsub.add_parser("show", help="a case's services, consent scope and overrides")
    p.add_argument("case", metavar="CASE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_referrals_show)


def cmd_directory_import(args: argparse.Namespace) -> int:
    from screening.cli.common import open_workspace

    if not args.file.is_file():
        raise InputError(f"{args.file}: not found")
    with open_workspace(args) as ws:
        count = ws.import_directory(args.file)
    print(f"{args.file.name}: {count} service(s) imported into the encrypted store")
    return 0


def cmd_directory_list(args: argparse.Namespace) -> int:
    from screening.casework.consent import case_consent, scope_needed
    from screening.casework.referrals import allowed
    from screening.cli.common import open_workspace

    with open_workspace(args) as ws:
        consent = case_consent(ws.store, ws.store.cases.resolve(args.case)) if args.case \
            else None
        rows = [{"id": s.id, "kind": s.kind, "name": s.name, "example": s.example,
                 "scope_needed": scope_needed(s.kind),
                 **({"within_consent": allowed(s, consent)} if args.case else {})}
                for s in ws.directory()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        mark = ""
        if args.case:
            mark = "  " if row["within_consent"] else "! "
        print(f"{mark}{row['id']:<28} {row['kind']:<17} {row['name']}")
    if args.case:
        print("(! = outside the person's consent: choosing it needs a reason)")
    return 0


def _read_choices(path: Path) -> tuple[list[dict[str, Any]], str | None]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: not found", code=ErrorCode.BAD_INPUT) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})", code=ErrorCode.BAD_INPUT) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: line {exc.lineno} column {exc.colno}: {exc.msg}",
                         code=ErrorCode.BAD_INPUT) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), list):
        raise InputError(f'{path}: expected {{"services": [{{"id": "..."}}], '
                         '"narrative": "..."}', code=ErrorCode.BAD_INPUT)
    narrative = doc.get("narrative")
    if narrative is not None and not isinstance(narrative, str):
        raise InputError(f"{path}: narrative must be text", code=ErrorCode.BAD_INPUT)
    choices = []
    for i, entry in enumerate(doc["services"], start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise InputError(f'{path}: services[{i}] needs an "id"', code=ErrorCode.BAD_INPUT)
        unknown = set(entry) - {"id", "reason", "override_reason"}
        if unknown:
            raise InputError(f"{path}: services[{i}]: unknown key(s) {sorted(unknown)}",
                             code=ErrorCode.BAD_INPUT)
        for key in ("reason", "override_reason"):
            if entry.get(key) is not None and not isinstance(entry[key], str):
                raise InputError(f"{path}: services[{i}].{key} must be text",
                                 code=ErrorCode.BAD_INPUT)
        choices.append(entry)
    return choices, narrative


def cmd_referrals_set(args: argparse.Namespace) -> int:
    from screening.casework.referrals import chosen_records, save_referrals
    from screening.cli.common import open_workspace

    choices, narrative = _read_choices(args.file)
    with open_workspace(args) as ws:
        case_id = ws.store.cases.resolve(args.case)
        records = chosen_records(ws.directory(), choices)
        save_referrals(ws.store, case_id, records, narrative)
    overrides = sum(1 for r in records if r.override_reason)
    print(f"{len(records)} service(s) chosen"
          + (f", {overrides} outside the consent (reason audited)" if overrides else ""))
    return 0


def cmd_referrals_show(args: argparse.Namespace) -> int:
    from screening.casework.consent import case_consent
    from screening.cli.common import open_workspace

    with open_workspace(args) as ws:
        case_id = ws.store.cases.resolve(args.case)
        consent = case_consent(ws.store, case_id)
        records, narrative = ws.store.referrals.get(case_id)
    scope = list(consent.scope) if consent else []
    doc = {
        "consent_scope": scope,
        "services": [{"id": r.service_id, "name": r.service_name, "kind": r.kind,
                      "reason": r.reason, "override_reason": r.override_reason}
                     for r in records],
        "narrative": narrative,
    }
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    print("consent covers: " + (", ".join(scope) or "nothing recorded"))
    for r in records:
        outside = " (outside the consent; reason recorded)" if r.override_reason else ""
        print(f"  {r.service_id}: {r.service_name} [{r.kind}]{outside}")
    return 0
