"""`fieldscreen directory import|list` and `fieldscreen referrals set|show`.

The same services the app's referral screen uses: the directory is the workspace's (shipped,
with the imported rows inside the encrypted store), and the case's consent decides what may
be chosen. Reasons and the narrative are free text about a person, so they come from a file,
never from arguments (which end up in shell history). The file's ``"referral"`` object holds
the referral details, as in the answers file of ``fieldscreen interview``
(``screening.casework.referral_details``); its ``reason`` is the narrative.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

from screening.casework.referral_details import (
    ReferralUpdate,
    load_referral_details,
    parse_referral,
    save_referral_details,
)
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
        '"override_reason": "..."}], "narrative": "...", "referral": {"reason": "...", '
        '"safe_contact": "...", "current_location": "...", ...}}. A service outside the '
        "person's consent needs override_reason (audited, printed on the packet); without "
        'it: exit 2. "referral" (the referral details; keys left out keep their value) may '
        'come without "services", which then stay as they are; a narrative left out stays '
        "as it is.")
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


class _SetFile(NamedTuple):
    services: list[dict[str, Any]] | None  # None: left out (the choices stay)
    narrative: str | None
    has_narrative: bool
    referral: ReferralUpdate | None  # with the narrative as its reason when both are given


def _read_choices(path: Path) -> _SetFile:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: not found", code=ErrorCode.BAD_INPUT) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})", code=ErrorCode.BAD_INPUT) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: line {exc.lineno} column {exc.colno}: {exc.msg}",
                         code=ErrorCode.BAD_INPUT) from None
    unknown = (set(doc) - {"services", "narrative", "referral", "comment"}
               if isinstance(doc, dict) else ())
    if unknown:
        raise InputError(f"{path}: unknown key(s) {sorted(unknown)}", code=ErrorCode.BAD_INPUT)
    if not isinstance(doc, dict) or not (isinstance(doc.get("services"), list) or (
            "referral" in doc and "services" not in doc)):
        raise InputError(f'{path}: expected {{"services": [{{"id": "..."}}], '
                         '"narrative": "...", "referral": {...}}', code=ErrorCode.BAD_INPUT)
    narrative = doc.get("narrative")
    if narrative is not None and not isinstance(narrative, str):
        raise InputError(f"{path}: narrative must be text", code=ErrorCode.BAD_INPUT)
    try:
        referral = parse_referral(doc["referral"]) if "referral" in doc else None
    except InputError as exc:
        raise InputError(f"{path}: {exc.message}", code=ErrorCode.BAD_INPUT) from None
    if referral is not None and "narrative" in doc:
        if referral.has_reason and (narrative or "").strip() != (referral.reason or ""):
            raise InputError(f"{path}: referral.reason and narrative are the same thing (the "
                             "officer's reason for the referral): give it once",
                             code=ErrorCode.BAD_INPUT)
        referral = replace(referral, reason=(narrative or "").strip() or None, has_reason=True)
    if "services" not in doc:
        return _SetFile(None, narrative, "narrative" in doc, referral)
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
    return _SetFile(choices, narrative, "narrative" in doc, referral)


def cmd_referrals_set(args: argparse.Namespace) -> int:
    from screening.casework.referrals import chosen_records, save_referrals
    from screening.cli.common import open_workspace

    given = _read_choices(args.file)
    referral = given.referral
    with open_workspace(args) as ws:
        store = ws.store
        case_id = store.cases.resolve(args.case)
        records = (chosen_records(ws.directory(), given.services)
                   if given.services is not None else None)
        with store.atomic("saving referrals"):  # all of the file, or nothing
            if records is not None:
                narrative = given.narrative
                if referral is not None and referral.has_reason:
                    narrative = referral.reason
                elif not given.has_narrative:  # left out: the stored reason stays
                    narrative = store.referrals.get(case_id)[1]
                save_referrals(store, case_id, records, narrative)
            if referral is not None:
                save_referral_details(store, case_id, referral)
    if records is not None:
        overrides = sum(1 for r in records if r.override_reason)
        print(f"{len(records)} service(s) chosen"
              + (f", {overrides} outside the consent (reason audited)" if overrides else ""))
    if referral is not None:
        print(f"referral details saved ({len(referral.changes)} field(s)"
              + (", and the reason" if referral.has_reason else "") + ")")
    return 0


def cmd_referrals_show(args: argparse.Namespace) -> int:
    from screening.casework.consent import case_consent
    from screening.cli.common import open_workspace

    with open_workspace(args) as ws:
        case_id = ws.store.cases.resolve(args.case)
        consent = case_consent(ws.store, case_id)
        records, narrative = ws.store.referrals.get(case_id)
        details = load_referral_details(ws.store, case_id)
    scope = list(consent.scope) if consent else []
    doc = {
        "consent_scope": scope,
        "services": [{"id": r.service_id, "name": r.service_name, "kind": r.kind,
                      "reason": r.reason, "override_reason": r.override_reason}
                     for r in records],
        "narrative": narrative,
        # The same shape "referrals set" and the answers file take (reason = narrative).
        "referral": {"reason": narrative, **details.to_json()},
    }
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    print("consent covers: " + (", ".join(scope) or "nothing recorded"))
    for r in records:
        outside = " (outside the consent; reason recorded)" if r.override_reason else ""
        print(f"  {r.service_id}: {r.service_name} [{r.kind}]{outside}")
    filled = [k for k, v in details.to_json().items() if v not in (None, [], False)]
    print("referral details: " + (", ".join(filled) if filled else "none entered"))
    return 0
