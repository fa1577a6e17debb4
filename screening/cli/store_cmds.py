"""Store commands: init, cases, export, export-decrypt, backup, restore, audit, passphrase,
rekey, recovery-key, check.

Secrets and names are read from the terminal or standard input (see ``common.py``), never
from arguments. Machine-readable output (``--json``, recovery keys) goes to stdout; progress
and warnings go to stderr.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from screening.casework.anchors import anchor_from_file
from screening.cli.common import (
    check_output,
    data_dir_from,
    open_store,
    open_workspace,
    read_line,
    read_passphrase,
    stdin_is_tty,
)
from screening.cli.handover_cmds import received_lines, sender_text
from screening.errors import ErrorCode, InputError, StoreCorrupt, StoreError
from screening.log import replace_control_chars
from screening.store import AuditAnchor, Store
from screening.store.backup import LEGACY_MAGIC
from screening.store.export import FORMATS, check_export_file, decrypt_export_file
from screening.store.models import CASE_STATUSES, CaseSummary
from screening.store.pagecheck import DAMAGED, OK, RUNNING
from screening.store.sendqueue import QueueRow

ODK_FORMAT = "odk"
PLAINTEXT_WARNING = (
    "warning: {path} is NOT encrypted: it holds names and answers in plain text. Keep it off "
    "shared and cloud folders, delete it when done{advice}."
)
EXPORT_ADVICE = ", or use --encrypt"  # export-decrypt has no such option: it says nothing


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _safe(text: str | None) -> str:
    return replace_control_chars(text or "")


# -- init ---------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    data_dir = data_dir_from(args)
    if Store.exists(data_dir):
        raise StoreError(
            f"a store already exists in {data_dir}", code=ErrorCode.STORE_ALREADY_INITIALISED
        )
    passphrase = read_passphrase("New passphrase: ", confirm=True)
    store, recovery_key = Store.create(data_dir, passphrase)
    store.close()
    _err(f"Created an encrypted store in {data_dir}.")
    _err(
        "Recovery key (below): write it down now and keep it apart from this computer. It "
        "opens the store if the passphrase is forgotten. It is not shown again. If both the "
        "passphrase and this key are lost, the data is gone for good: nobody can recover it."
    )
    print(recovery_key, flush=True)
    return 0


# -- cases --------------------------------------------------------------------------------
def _print_cases(cases: list[CaseSummary], as_json: bool,
                 sent: dict[str, dict[str, Any]] | None = None) -> None:
    if as_json:
        # "sent": the case's place in the agency-server send queue (issue #18), or null.
        print(json.dumps([{**c.to_json(), "sent": (sent or {}).get(c.id)} for c in cases],
                         ensure_ascii=False, indent=2))
        return
    if not cases:
        _err("no cases")
        return
    print(f"{'REFERENCE':<16} {'STATUS':<9} {'INT':>3}  {'UPDATED':<20} {'FROM':<24} NAME")
    for c in cases:
        print(
            f"{_safe(c.reference):<16} {c.status:<9} {c.interview_count:>3}  "
            f"{c.updated_at[:19]:<20} {sender_text(c.received_from)[:24]:<24} {_safe(c.name)}"
        )


def cmd_cases_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        _print_cases(store.cases.list(status=args.status), args.json, store.sends.by_case())
    return 0


def cmd_cases_search(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        text = read_line("Search: ")
        _print_cases(store.cases.search(text, limit=args.limit), args.json,
                     store.sends.by_case())
    return 0


def cmd_cases_new(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        case_id = store.cases.create(args.reference)
        reference = store.cases.get(case_id).reference
    print(json.dumps({"id": case_id, "reference": reference}) if args.json else reference)
    return 0


def cmd_cases_show(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        case = store.cases.open(store.cases.resolve(args.case))
        reports = store.cases.reports(case.id)
        received = store.cases.received_from(case.id)
        queued = {r.interview_id: r for r in store.sends.rows(case.id)}
    doc: dict[str, Any] = {
        "id": case.id,
        "reference": case.reference,
        "status": case.status,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "person": case.person.to_json() if case.person else None,
        "interviews": [
            {
                "id": i.id,
                "instrument": f"{i.meta.instrument_id} {i.meta.instrument_version}",
                "status": i.status,
                "created_at": i.created_at,
                "finished_at": i.finished_at,
                "result": i.result,
                "sent": _sent_json(queued.get(i.id)),
            }
            for i in case.interviews
        ],
        "reports": [{"kind": r.kind, "sha256": r.sha256, "at": r.created_at} for r in reports],
        "received_from": received.to_json() if received is not None else None,
    }
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    print(f"case {case.reference} ({case.status}), id {case.id}")
    if case.person and case.person.name:
        print(f"  name: {_safe(case.person.name)}")
    for line in received_lines(received) if received is not None else []:
        print(line)
    for i in doc["interviews"]:
        print(f"  interview {i['id']}: {_safe(i['instrument'])}, {i['status']}"
              + _sent_text(i["sent"]))
    for r in doc["reports"]:
        print(f"  report {r['kind']} {r['sha256']} {r['at']}")
    return 0


def _sent_json(row: QueueRow | None) -> dict[str, Any] | None:
    """An interview's place in the agency-server send queue (issue #18), or None."""
    if row is None:
        return None
    return {"state": row.state, "instance_id": row.instance_id, "server": row.sent_server,
            "project": row.sent_project, "form_version": row.sent_form_version,
            "sent_at": row.sent_at, "attempts": row.attempts, "last_error": row.last_error,
            "remove_after": row.remove_after,
            "changed_after_sending": row.changed_after_sending, "edit_of": row.edit_of}


def _sent_text(sent: dict[str, Any] | None) -> str:
    if sent is None:
        return ""
    if sent["state"] == "sent":
        return (f"; sent {sent['sent_at']} to {_safe(sent['server'])} as {sent['instance_id']}"
                + ("; CHANGED after it was sent (queue the case again to send the change)"
                   if sent["changed_after_sending"] else ""))
    edit = " (an edit of what the server holds)" if sent["edit_of"] else ""
    return f"; {sent['state']} for the server{edit}"


def cmd_cases_delete(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        case_id = store.cases.resolve(args.case)
        reference = store.cases.get(case_id).reference
        if not args.yes:
            if not stdin_is_tty():
                raise InputError("add --yes to delete a case without a prompt")
            typed = read_line(f"Type {reference} to delete this case for good: ")
            if typed.strip() != reference:
                _err("not deleted")
                return 1
        store.cases.delete(case_id)
    _err(f"deleted case {reference}")
    return 0


# -- export -------------------------------------------------------------------------------
def cmd_export(args: argparse.Namespace) -> int:
    output = check_output(args, Path(args.output))
    with open_workspace(args) as ws:
        store = ws.store
        case_ids = [store.cases.resolve(c) for c in args.case] if args.case else None
        password = None
        if args.encrypt:
            password = read_passphrase("Export password: ", confirm=True)
        else:
            _err(PLAINTEXT_WARNING.format(path=output, advice=EXPORT_ADVICE))
        writer: Callable[[Store, Iterable[str], IO[bytes]], int] | None = None
        if args.format == ODK_FORMAT:
            from screening.xlsform.store_export import write_odk_zip

            writer = functools.partial(write_odk_zip, catalog=ws.catalog)
        info = store.export(
            output, args.format, case_ids=case_ids, password=password, plaintext_ok=True,
            writer=writer,
        )
    state = "encrypted" if info.encrypted else "NOT encrypted"
    _err(f"exported {info.cases} case(s) to {output} ({args.format}, {state})")
    return 0


def cmd_export_decrypt(args: argparse.Namespace) -> int:
    output = check_output(args, Path(args.output))
    source = Path(args.file)
    check_export_file(source)  # not an export: said before the password is asked for
    password = read_passphrase("Export password: ")
    check_output(args, output)  # again: the password prompt may have taken a while
    # As a stream, through a sealed spool: plaintext reaches a file beside the output only
    # once the tag verified; a wrong password, an altered file or a kill before then leaves
    # nothing readable there (see decrypt_export_file).
    content = decrypt_export_file(source, output, password)
    _err(PLAINTEXT_WARNING.format(path=output, advice=""))
    _err(f"decrypted {content} export to {output}")
    return 0


# -- backup and restore -------------------------------------------------------------------
def cmd_backup(args: argparse.Namespace) -> int:
    target = args.output or args.file
    if not target:
        raise InputError("say where to write the backup: fieldscreen backup -o FILE")
    output = check_output(args, Path(target))
    with open_store(args) as store:
        info = store.backup(output)
    _err(f"backup written to {info.path} ({info.size} bytes, sha256 {info.sha256})")
    _err("It opens with the passphrase (or recovery key) valid today, also after a change.")
    return 0


def _is_legacy_backup(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(len(LEGACY_MAGIC)) == LEGACY_MAGIC
    except OSError:
        return False  # the restore itself says what is wrong with the file


def cmd_restore(args: argparse.Namespace) -> int:
    data_dir = data_dir_from(args)
    if Store.exists(data_dir) and not args.force:
        raise StoreError(
            f"a store already exists in {data_dir}; add --force to replace it (it is kept, "
            "encrypted, in a pre-restore folder)",
            code=ErrorCode.STORE_ALREADY_INITIALISED,
        )
    prompt = "Recovery key of the backup: " if args.recovery_key else "Passphrase of the backup: "
    secret = read_passphrase(prompt)
    if args.legacy_unauthenticated and _is_legacy_backup(Path(args.file)):
        _err("warning: this backup is from an older FieldScreen and is not authenticated: "
             "nothing proves its key slots, dates and contents were not changed; restore it "
             "only if you made it yourself and kept it safe")
    store, kept = Store.restore(
        data_dir,
        Path(args.file),
        secret,
        recovery=args.recovery_key,
        force=args.force,
        legacy_unauthenticated=args.legacy_unauthenticated,
    )
    store.close()
    _err(f"restored the backup into {data_dir}")
    if kept is not None:
        _err(f"the replaced store is kept, encrypted, in {kept}; delete it when no longer needed")
    return 0


# -- audit, keys, check -------------------------------------------------------------------
def _anchor_to_check(args: argparse.Namespace) -> AuditAnchor | None:
    if args.anchor is None:
        return None
    try:
        return AuditAnchor.parse(args.anchor)
    except ValueError as exc:
        raise InputError(f"--anchor: {exc}", code=ErrorCode.BAD_INPUT) from None


def cmd_audit_verify(args: argparse.Namespace) -> int:
    typed = _anchor_to_check(args)  # a mistyped anchor is refused before the passphrase
    if args.against is not None and not args.against.is_file():
        raise InputError(f"{args.against}: no such file", code=ErrorCode.BAD_INPUT)
    with open_store(args) as store:
        report = store.audit.report()
        anchors: list[tuple[AuditAnchor, str]] = []
        if typed is not None:
            anchors.append((typed, "the anchor given"))
        if args.against is not None:
            anchor, what = anchor_from_file(
                args.against, lambda: read_passphrase("PDF password: "))
            anchors.append((anchor, f"the {what} {args.against}"))
        problems = [(a, where, store.audit.check_anchor(a)) for a, where in anchors]
    for anchor, where, problem in problems:
        if problem is not None:
            raise StoreError(
                f"{where} does not match the audit trail (anchor {anchor.text}): {problem}. "
                "The history up to it was changed after it was made.",
                code=ErrorCode.STORE_AUDIT_BROKEN, entry=anchor.entry_id,
            )
        print(f"anchor {anchor.text} of {where}: found; the history up to entry "
              f"{anchor.entry_id} is unchanged")
    if not report.ok:
        raise StoreError(
            f"audit trail broken at entry {report.first_broken}: {report.reason}",
            code=ErrorCode.STORE_AUDIT_BROKEN,
            entry=report.first_broken,
        )
    print(f"audit trail intact: {report.entries} entries")
    return 0


def cmd_audit_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        case_id = store.cases.resolve(args.case) if args.case else None
        entries = store.audit.entries(case_id=case_id, limit=args.limit)
    if args.json:
        print(json.dumps([e.to_json() for e in entries], indent=2))
        return 0
    for e in entries:
        ids = " ".join(
            x
            for x in (
                e.case_id and f"case={e.case_id}",
                e.interview_id and f"interview={e.interview_id}",
            )
            if x
        )
        detail = json.dumps(e.detail, sort_keys=True) if e.detail else ""
        print(f"{e.id:>6} {e.at} {e.action:<20} {ids} {detail}".rstrip())
    return 0


def cmd_passphrase_change(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        new = read_passphrase("New passphrase: ", confirm=True)
        store.change_passphrase(new)
    _err("passphrase changed; the old one no longer opens the store")
    return 0


def cmd_rekey(args: argparse.Namespace) -> int:
    """Rotate the data key: the current passphrase opens the store (and is checked, as for
    every key change), then the new passphrase; the new recovery key goes to stdout."""
    with open_store(args) as store:
        new = read_passphrase("New passphrase: ", confirm=True)
        _err("re-encrypting the store with a new key ...")
        recovery_key = store.rekey(new)
    _err(
        "The store is re-encrypted with a new key. The old passphrase, the old recovery key, "
        "old copies of keyslots.json and old backups no longer open the CURRENT store. Old "
        "backups still open, with the secrets that were valid when they were made, and hold "
        "what was in the store then: destroy old backups you no longer trust.\n"
        "New recovery key (below); the old one no longer works. Write it down now."
    )
    print(recovery_key, flush=True)
    return 0


def cmd_recovery_key_new(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        recovery_key = store.regenerate_recovery_key()
    _err("New recovery key (below); the old one no longer works. Write it down now.")
    print(recovery_key, flush=True)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Every page's HMAC (the full page check the store runs in the background after each
    unlock, waited for here), then SQLite's own check and the audit chain."""
    with open_store(args) as store:
        check = store.page_check
        if check.wait(0) == RUNNING:
            _err("checking every page of the database file ...")
        state = check.wait()
        if state == DAMAGED:
            pages = check.damaged_pages
            shown = ", ".join(str(p) for p in pages[:10]) + (", ..." if len(pages) > 10 else "")
            raise StoreCorrupt(
                f"the database file is damaged: {len(pages)} page(s) fail their integrity "
                f"check (page {shown}); nothing more is saved: restore a backup "
                "(`fieldscreen restore FILE`)"
            )
        if state != OK:
            raise StoreError(f"the pages of the database file could not be checked: "
                             f"{check.error or state}", code=ErrorCode.STORE_IO)
        problems = store.integrity_check()
        report = store.audit.report()
    if problems:
        raise StoreError(
            f"database integrity check failed ({len(problems)} problem(s))",
            code=ErrorCode.STORE_CORRUPT,
        )
    if not report.ok:
        raise StoreError(
            f"audit trail broken at entry {report.first_broken}: {report.reason}",
            code=ErrorCode.STORE_AUDIT_BROKEN,
        )
    print(f"store ok: database intact (every page's HMAC verified: {check.pages_checked} "
          f"pages), audit trail intact ({report.entries} entries)")
    return 0


# -- registration -------------------------------------------------------------------------
def register(subparsers: Any) -> None:
    p = subparsers.add_parser("init", help="create the encrypted store (asks a passphrase)")
    p.set_defaults(func=cmd_init)

    cases = subparsers.add_parser("cases", help="list, search, show or delete cases")
    csub = cases.add_subparsers(dest="cases_command", metavar="ACTION", required=True)
    p = csub.add_parser("list", help="list cases, most recent first")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--status", choices=CASE_STATUSES)
    p.set_defaults(func=cmd_cases_list)
    p = csub.add_parser(
        "search", help="search by reference, name or alias (text read after the passphrase)"
    )
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_cases_search)
    p = csub.add_parser("new", help="create an empty case; prints its reference")
    p.add_argument("--reference", help="your own pseudonymous reference (default: generated)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cases_new)
    p = csub.add_parser("show", help="show one case")
    p.add_argument("case", metavar="CASE", help="case reference or id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cases_show)
    p = csub.add_parser("delete", help="delete a case and all its data for good")
    p.add_argument("case", metavar="CASE", help="case reference or id")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_cases_delete)

    p = subparsers.add_parser(
        "export", help="export cases as JSON, CSV or ODK-shaped data (use --encrypt)"
    )
    p.add_argument(
        "--format", choices=(*FORMATS, ODK_FORMAT), default="json",
        help="json/csv: FieldScreen's own shape; odk: a zip of ODK Central-style CSVs (one per "
        "questionnaire version and repeat), Kobo-style JSON and a data dictionary",
    )
    p.add_argument("--output", "-o", required=True, metavar="FILE")
    p.add_argument("--case", action="append", metavar="CASE", help="only this case (repeatable)")
    p.add_argument(
        "--encrypt",
        action="store_true",
        help="encrypt with a password (asked after the passphrase)",
    )
    p.set_defaults(func=cmd_export)

    p = subparsers.add_parser("export-decrypt", help="decrypt an encrypted export")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--output", "-o", required=True, metavar="FILE")
    p.set_defaults(func=cmd_export_decrypt)

    p = subparsers.add_parser("backup", help="write an encrypted backup file")
    p.add_argument("-o", "--output", dest="output", metavar="FILE",
                   help="where to write the backup")
    p.add_argument("file", metavar="FILE", nargs="?", help=argparse.SUPPRESS)  # older form
    p.set_defaults(func=cmd_backup)

    p = subparsers.add_parser("restore", help="restore a backup (asks the backup's passphrase)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace an existing store")
    p.add_argument("--recovery-key", action="store_true", help="unlock with the recovery key")
    p.add_argument("--legacy-unauthenticated", action="store_true",
                   help="accept a backup made before backups were authenticated (older "
                   "FieldScreen); nothing then proves it was not altered")
    p.set_defaults(func=cmd_restore)

    audit = subparsers.add_parser("audit", help="verify or list the audit trail")
    asub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    p = asub.add_parser("verify", help="check the hash chain; names the first broken entry")
    p.add_argument("--against", type=Path, metavar="FILE",
                   help="also check the audit anchor a referral packet, export or backup "
                   "carries: was the history up to it rewritten or rolled back since?")
    p.add_argument("--anchor", metavar="N:HASH",
                   help="the same for an anchor copied from a printed packet "
                   "(e.g. 1234:3f9a1c2b7d4e99aa)")
    p.set_defaults(func=cmd_audit_verify)
    p = asub.add_parser("list", help="list audit entries (ids and actions only)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--case", metavar="CASE")
    p.set_defaults(func=cmd_audit_list)

    pp = subparsers.add_parser("passphrase", help="change the passphrase")
    psub = pp.add_subparsers(dest="passphrase_command", metavar="ACTION", required=True)
    p = psub.add_parser("change", help="set a new passphrase (asks the current one first)")
    p.add_argument(
        "--recovery-key", action="store_true", help="unlock with the recovery key instead"
    )
    p.set_defaults(func=cmd_passphrase_change)

    p = subparsers.add_parser(
        "rekey",
        help="re-encrypt the store with a new key, new passphrase and new recovery key "
        "(locks out old key files and secrets)",
    )
    p.add_argument(
        "--recovery-key", action="store_true", help="unlock with the recovery key instead"
    )
    p.set_defaults(func=cmd_rekey)

    rk = subparsers.add_parser("recovery-key", help="replace the recovery key")
    rsub = rk.add_subparsers(dest="recovery_command", metavar="ACTION", required=True)
    p = rsub.add_parser("new", help="make a new recovery key; the old one stops working")
    p.set_defaults(func=cmd_recovery_key_new)

    p = subparsers.add_parser(
        "check", help="check every page of the database, its integrity and the audit trail",
        description="Check every page's authentication code, SQLite's integrity and the "
        "audit chain. The passphrase is asked for (one line on standard input when that is "
        "not a terminal). Exit 0: sound; 1: damage found (the pages are named); 2: bad "
        "input; 3: wrong passphrase.")
    p.set_defaults(func=cmd_check)
