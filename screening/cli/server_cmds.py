"""`fieldscreen server ...` and `fieldscreen send`: the agency's ODK Central server (#18).

    server set URL --project N [--app-user-token T | --email E] [--public-key FILE]
               [--ca-file FILE] [--allow-plaintext] [--no-test]
    server set 'APP-USER-LINK'  (Central's https://host/v1/key/TOKEN/projects/N)
    server show [--json] | test | forget | publish ID [--version V]
    server queue CASE [--remove-after-sending] | unqueue CASE | status [--json]
    send [--dry-run] [--json]

Secrets: the web user's password is read like a passphrase, after the store's (a prompt, or
the next line of standard input); an app user's token given as ``-`` is read the same way.
An app user's link as Central shows it (or the text of its QR code) may stand for the URL or
the token: it gives the address, the token and the project at once.
Files named on the command line are read, and the URL checked, before any passphrase is
asked. Exit codes: 0 done; 1 a network or server failure (try again later); 2 bad input:
nothing configured, a bad URL, wrong credentials, a form not published, a consent that does
not cover the agency server; 3 wrong passphrase.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screening.errors import ErrorCode, InputError, ScreeningError
from screening.log import replace_control_chars

if TYPE_CHECKING:
    from screening.server.service import QueueEntry, SendResult
    from screening.server.settings import ServerSettings

YES_NO = {True: "yes", False: "no"}
MAX_FILE_BYTES = 1024 * 1024  # a key or a CA bundle is a few kB
MAX_PROJECT = 2**31 - 1  # Central's project ids are PostgreSQL integers


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _safe(text: object) -> str:
    return replace_control_chars("" if text is None else str(text))


def _read_file(path: Path, what: str) -> str:
    """A small text file named on the command line: a regular file of at most 1 MB (a
    device such as /dev/urandom, a pipe or a huge file is refused at once, never read)."""
    def refuse(reason: str) -> InputError:
        return InputError(f"{path}: cannot read the {what}: {reason}", code=ErrorCode.BAD_INPUT)

    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; a regular file ignores it.
        fd = os.open(Path(path).expanduser(), os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise refuse(exc.strerror or "cannot open it") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise refuse("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise refuse(f"{info.st_size} bytes; a {what} file is at most 1 MB")
        try:
            data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise refuse(exc.strerror or "read error") from None
    if len(data) > MAX_FILE_BYTES:
        raise refuse(f"more than 1 MB; a {what} file is smaller")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise refuse("not UTF-8 text") from None


def project_number(text: str) -> int:
    """argparse type for --project: Central's project number, 1 to 2^31-1."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_PROJECT:
        raise argparse.ArgumentTypeError(
            f"invalid project number '{text}': Central's project number is a whole number "
            f"from 1 to {MAX_PROJECT} (the N in the project's address /projects/N)")
    return number


@contextlib.contextmanager
def _server_call(after: str = "") -> Iterator[None]:
    """Turn a ServerError into the exit code it deserves: a wrong URL, credentials or project
    is bad input (2); an unreachable or failing server is not (1). ``after`` is added to the
    message (e.g. "nothing was saved")."""
    from screening.server.client import ServerError
    from screening.server.service import INPUT_KINDS

    try:
        yield
    except ServerError as exc:
        message = exc.message + (f"; {after}" if after else "")
        if exc.kind in INPUT_KINDS:
            raise InputError(message, code=ErrorCode.BAD_INPUT) from None
        raise ScreeningError(message, code=exc.code) from None


# -- settings -----------------------------------------------------------------------------
def _with_link(link: Any, url: str | None, token: str | None, project: int | None,
               email: str | None) -> tuple[str, str, int]:
    """URL, token and project from an app user's link, checked against the ones given
    beside it: the same or left out, else InputError naming the conflict."""
    from screening.server.client import check_url

    if email is not None:
        raise InputError("an app user's link is for an app user (officers sending); --email "
                         "is for a web user: give one or the other", code=ErrorCode.BAD_INPUT)
    if token not in (None, link.token):
        raise InputError("the app-user link already holds the token: leave out "
                         "--app-user-token (or give the same token)", code=ErrorCode.BAD_INPUT)
    if project not in (None, link.project_id):
        raise InputError(f"--project {project} is not the project in the app-user link "
                         f"({link.project_id}): leave out --project, or use the link of that "
                         "project's app user", code=ErrorCode.BAD_INPUT)
    if url is not None and check_url(url) != link.url:
        raise InputError(f"the server address {url} is not the one in the app-user link "
                         f"({link.url}): give the link alone", code=ErrorCode.BAD_INPUT)
    return link.url, link.token, link.project_id


def _sign_in(args: argparse.Namespace) -> tuple[str | None, str | None, int | None, bool]:
    """URL, token ("-": read later), project and whether the token came as an argument,
    from the arguments, an app-user link among them taken apart."""
    from screening.server.client import check_url
    from screening.server.settings import parse_app_user_link

    url, token, project = args.url, args.app_user_token, args.project
    link = parse_app_user_link(url) if url else None
    if link is not None:
        url, token, project = _with_link(link, None, token, project, args.email)
        return url, token, project, True
    link = parse_app_user_link(token) if token not in (None, "-") else None
    if link is not None:
        url, token, project = _with_link(link, url, None, project, args.email)
    if url is None and token != "-":  # with "-" the link may come on standard input
        raise InputError("give the server's address (https://...) or an app user's link "
                         "(https://host/v1/key/TOKEN/projects/N)", code=ErrorCode.BAD_INPUT)
    return check_url(url) if url else None, token, project, token not in (None, "-")


def cmd_server_set(args: argparse.Namespace) -> int:
    from screening.cli.common import open_workspace, read_passphrase
    from screening.server.settings import (
        ServerSettings,
        ca_text,
        parse_app_user_link,
        public_key_text,
    )

    url, token, project, token_as_argument = _sign_in(args)  # before the passphrase
    key = public_key_text(_read_file(args.public_key, "public key"), source=str(args.public_key)) \
        if args.public_key else None
    ca = ca_text(_read_file(args.ca_file, "CA certificates"), source=str(args.ca_file)) \
        if args.ca_file else None
    if token is None and args.email is None:
        raise InputError("say how to sign in: --app-user-token TOKEN (officers sending) or "
                         "--email E (an administrator publishing forms)",
                         code=ErrorCode.BAD_INPUT)
    if project is None and token != "-":
        raise InputError("--project N is required: Central's project number (the N in the "
                         "project's address /projects/N)", code=ErrorCode.BAD_INPUT)
    if token_as_argument:
        _err("note: a token given as an argument stays in shell history and the process "
             "list; `--app-user-token -` reads it (or the app user's link) from the "
             "terminal or standard input")
    with open_workspace(args) as ws:
        if token == "-":
            token = read_passphrase("App user token (or link): ")
            link = parse_app_user_link(token)
            if link is not None:
                url, token, project = _with_link(link, url, None, project, None)
        if url is None:
            raise InputError("give the server's address (https://...), or the app user's "
                             "link instead of the token", code=ErrorCode.BAD_INPUT)
        if project is None:
            raise InputError("--project N is required: Central's project number (the N in "
                             "the project's address /projects/N)", code=ErrorCode.BAD_INPUT)
        password = read_passphrase("Web user password: ") if args.email else None
        settings = ServerSettings(url=url, project_id=project, app_user_token=token,
                                  email=args.email, password=password, public_key=key,
                                  ca_pem=ca, allow_plaintext=args.allow_plaintext)
        with _server_call("nothing was saved"):
            info = ws.server.configure(settings, test=not args.no_test)
        saved = ws.server.require_settings()
    if info is not None:
        print(_project_line(saved, info))
        _warn_about(info)
    else:
        _err("warning: saved without testing the connection (--no-test)")
    _err(f"server settings saved, encrypted in the store: {saved.url} project "
         f"{saved.project_id} ({saved.auth.replace('_', ' ')})")
    return 0


def _warn_about(info: Any) -> None:
    """What the administrator must still do (an app user that sees no forms); exit 0."""
    warning = getattr(info, "warning", None)
    if warning:
        _err(f"warning: {warning}" + ("" if "Form Access" in warning else
                                      "; ask the administrator to give it access in Form "
                                      "Access"))


def _project_line(settings: ServerSettings, info: Any) -> str:
    if settings.app_user_token:
        forms = ", ".join(_safe(f) for f in getattr(info, "forms", ())) or "none yet"
        return (f"connected to {settings.host}, project {info.project_id}, as an app user; "
                f"forms it may send to: {forms}")
    name = f" '{_safe(info.name)}'" if getattr(info, "name", None) else ""
    return (f"connected to {settings.host}, project {info.project_id}{name}: managed "
            f"encryption {'on' if info.managed_encryption else 'off'}; this user "
            f"{'may' if info.can_publish else 'may not'} publish forms")


def cmd_server_show(args: argparse.Namespace) -> int:
    from screening.cli.common import open_workspace

    with open_workspace(args) as ws:
        settings = ws.server.settings()
        forms = ws.server.forms()
    doc = settings.describe() if settings is not None else None
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    if doc is None:
        print("no server configured (`fieldscreen server set URL --project N ...`)")
        return 0
    print(f"server:          {doc['url']}")
    print(f"project:         {doc['project_id']}")
    who = f"web user {doc['email']}" if doc["auth"] == "web_user" else "app user (token saved)"
    print(f"signs in as:     {who}")
    key = doc["public_key_sha256"]
    print("agency key:      " + (key if key else "none — the key comes from the form Central "
                                 "serves"))
    print(f"custom CA:       {YES_NO[doc['custom_ca']]}")
    print(f"allow plaintext: {YES_NO[doc['allow_plaintext']]}")
    for form in forms:
        print(f"published:       {_safe(form.form_id)} {_safe(form.instrument_version)} as "
              f"{_safe(form.version)} ({'encrypted' if form.public_key else 'NOT encrypted'})")
    return 0


def cmd_server_test(args: argparse.Namespace) -> int:
    from screening.cli.common import open_workspace

    with open_workspace(args) as ws:
        settings = ws.server.require_settings()
        with _server_call():
            info = ws.server.test()
    print(_project_line(settings, info))
    _warn_about(info)
    return 0


def cmd_server_forget(args: argparse.Namespace) -> int:
    from screening.cli.common import open_workspace

    with open_workspace(args) as ws:
        had = ws.server.settings() is not None
        ws.server.forget()
    _err("server settings removed; the send queue is kept" if had
         else "no server was configured")
    return 0


def cmd_server_publish(args: argparse.Namespace) -> int:
    from screening.cli.common import open_workspace

    with open_workspace(args) as ws:
        settings = ws.server.require_settings()
        with _server_call():
            done = ws.server.publication(args.instrument, args.version)
    how = "encrypted" if done.form.public_key else "NOT encrypted (plaintext allowed)"
    print(f"{_safe(done.describe(settings.host, settings.project_id))} (submissions {how})")
    return 0


# -- the queue ----------------------------------------------------------------------------
def cmd_server_queue(args: argparse.Namespace) -> int:
    from screening.cli.common import open_workspace

    with open_workspace(args) as ws:
        entries = ws.server.queue(args.case, remove_after=args.remove_after_sending)
        unfinished = ws.server.unfinished(args.case)
    waiting = [e for e in entries if e.state != "sent"]
    reference = entries[0].case_reference if entries else args.case
    for interview_id in unfinished:
        _err(f"note: interview {interview_id} of case {_safe(reference)} is not finished; "
             "it is not queued")
    print(f"queued case {_safe(reference)}: {len(waiting)} interview(s) "
          f"({', '.join(e.instance_id for e in waiting)})"
          + ("; the case is deleted once they are sent" if args.remove_after_sending else ""))
    _err("send them with `fieldscreen send`")
    return 0


def cmd_server_unqueue(args: argparse.Namespace) -> int:
    from screening.cli.common import open_workspace

    with open_workspace(args) as ws:
        removed = ws.server.unqueue(args.case)
    print(f"took {removed} interview(s) of case {_safe(args.case)} out of the send queue")
    return 0


def _entry_line(e: QueueEntry) -> str:
    if e.state == "sent":
        what = f"sent {e.sent_at} to {_safe(e.sent_server)}"
        if e.changed_after_sending:
            what += (f"; CHANGED after it was sent: `fieldscreen server queue "
                     f"{_safe(e.case_reference)}` (once finished) sends the change")
    else:
        what = e.state + (f" (an edit replacing {e.edit_of})" if e.edit_of else "") \
            + (f" ({e.attempts} attempt(s))" if e.attempts else "")
        if e.next_attempt_at:
            what += f", next try after {e.next_attempt_at}"
        if e.last_error:
            what += f": {_safe(e.last_error)}"
    return f"{_safe(e.case_reference):<16} {e.instance_id}  {what}"


def cmd_server_status(args: argparse.Namespace) -> int:
    from screening.cli.common import open_workspace

    with open_workspace(args) as ws:
        entries = ws.server.entries()
    if args.json:
        print(json.dumps({"entries": [e.to_json() for e in entries]}, ensure_ascii=False,
                         indent=2))
        return 0
    if not entries:
        _err("the send queue is empty")
    for e in entries:
        print(_entry_line(e))
    return 0


# -- sending ------------------------------------------------------------------------------
def _result_line(r: SendResult) -> str:
    head = f"{_safe(r.case_reference):<16} {r.instance_id}"
    edit = f" (an edit replacing {r.edit_of})" if r.edit_of else ""
    note = f"; {_safe(r.note)}" if r.note else ""
    if r.outcome == "would_send":
        if r.form_version is None:
            return f"{head}  would send to {_safe(r.server)}{edit}: {_safe(r.note)}"
        return (f"{head}  would send to {_safe(r.server)}{edit}: form version "
                f"{_safe(r.form_version)}, encrypted {YES_NO[r.encrypted]}, {r.size} bytes")
    if r.outcome == "failed":
        return f"{head}  failed ({r.error_kind}): {_safe(r.error)}"
    if r.outcome == "removed":
        return f"{head}  " + (_safe(r.note) if r.note else f"sent{edit}; case removed from "
                              "this computer (remove after sending)")
    if r.outcome == "already_sent":
        return f"{head}  sent{edit} (the server already had it){note}"
    return f"{head}  {r.outcome}{edit}{note}"


def send_exit_code(results: list[SendResult]) -> int:
    """0 all sent; 2 if any failed for a reason the user must fix; else 1 if any failed."""
    from screening.server.service import INPUT_KINDS

    failed = [r for r in results if r.outcome == "failed"]
    if any(r.error_kind in INPUT_KINDS for r in failed):
        return 2
    return 1 if failed else 0


def cmd_send(args: argparse.Namespace) -> int:
    from screening.cli.common import open_workspace

    def progress(done: int, total: int, result: SendResult) -> None:
        if not args.json:
            print(_result_line(result), flush=True)

    with open_workspace(args) as ws, _server_call():
        results = ws.server.send(dry_run=args.dry_run, progress=progress)
    sent = sum(r.outcome in ("sent", "already_sent", "removed") for r in results)
    failed = sum(r.outcome == "failed" for r in results)
    if args.json:
        doc: dict[str, Any] = {"results": [_json(r, args.dry_run) for r in results],
                               "sent": sent, "failed": failed}
        if args.dry_run:
            doc["would_send"] = sum(r.outcome == "would_send" for r in results)
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    elif not results:
        _err("nothing to send: the queue is empty (`fieldscreen server queue CASE`)")
    elif args.dry_run:
        _err(f"dry run, nothing sent: {len(results) - failed} would be sent, {failed} "
             "cannot be")
    else:
        _err(f"{sent} sent, {failed} failed" + ("; failed ones stay queued (`fieldscreen "
                                                 "server status`)" if failed else ""))
    return send_exit_code(results)


def _json(result: SendResult, dry_run: bool) -> dict[str, Any]:
    doc = result.to_json()
    if dry_run:
        doc["size"] = result.size
    return doc


# -- registration -------------------------------------------------------------------------
def register(subparsers: Any) -> None:
    server = subparsers.add_parser(
        "server", help="the agency's ODK Central server: settings, publishing forms, the "
        "send queue")
    ssub = server.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    p = ssub.add_parser("set", help="save the server's settings (the connection is tested "
                        "first); the web user's password is asked after the passphrase")
    p.add_argument("url", metavar="URL", nargs="?",
                   help="the Central address, https://... (http:// only for 127.0.0.1 or "
                   "[::1]); or an app user's link, https://host/v1/key/TOKEN/projects/N, in "
                   "single quotes, which gives the token and project too")
    p.add_argument("--project", type=project_number, metavar="N",
                   help="Central's project number (from the link when one is given)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--app-user-token", metavar="TOKEN",
                     help="an app user's token or link (for officers sending); - reads it "
                     "like a passphrase (best: tokens hold $ and !, which the shell changes "
                     "unless quoted in single quotes)")
    who.add_argument("--email", metavar="E",
                     help="a web user's e-mail (for publishing forms); the password is asked")
    p.add_argument("--public-key", type=Path, metavar="FILE",
                   help="the agency's own RSA public key (PEM or base64), when the project "
                   "does not use Central's managed encryption")
    p.add_argument("--ca-file", type=Path, metavar="FILE",
                   help="the agency's CA certificate(s), PEM, for a server with its own CA")
    p.add_argument("--allow-plaintext", action="store_true",
                   help="allow sending to a form without an encryption key (not advised)")
    p.add_argument("--no-test", action="store_true",
                   help="save without testing the connection")
    p.set_defaults(func=cmd_server_set)

    p = ssub.add_parser("show", help="the saved settings (never the token or password)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_server_show)
    p = ssub.add_parser("test", help="connect with the saved settings and check the project")
    p.set_defaults(func=cmd_server_test)
    p = ssub.add_parser("forget", help="remove the saved settings (the queue is kept)")
    p.set_defaults(func=cmd_server_forget)
    p = ssub.add_parser("publish", help="publish an instrument as an encrypted ODK form "
                        "(needs a web user)")
    p.add_argument("instrument", metavar="ID", help="instrument id (ID@VERSION also works)")
    p.add_argument("--version", metavar="V", help="the instrument's version (default: newest)")
    p.set_defaults(func=cmd_server_publish)
    p = ssub.add_parser("queue", help="queue a case's finished interviews for sending (its "
                        "consent must cover the agency server)")
    p.add_argument("case", metavar="CASE", help="case reference or id")
    p.add_argument("--remove-after-sending", action="store_true",
                   help="delete the case from this computer (secure delete) once all its "
                   "interviews are sent")
    p.set_defaults(func=cmd_server_queue)
    p = ssub.add_parser("unqueue", help="take a case's unsent interviews out of the queue")
    p.add_argument("case", metavar="CASE", help="case reference or id")
    p.set_defaults(func=cmd_server_unqueue)
    p = ssub.add_parser("status", help="the send queue: what is waiting, sent or failed")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_server_status)

    p = subparsers.add_parser("send", help="send the queued interviews to the server, "
                              "encrypted")
    p.add_argument("--dry-run", action="store_true",
                   help="build the submissions and say what would go where, without "
                   "connecting")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_send)
