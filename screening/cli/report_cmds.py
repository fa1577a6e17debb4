"""`fieldscreen report CASE -o FILE.pdf [--lang LANG] [--variant full|redacted|minimal]
[--override-reason-file FILE | --override-reason TEXT] --encrypt|--plaintext`
(``--redacted`` = ``--variant redacted``).

The officer's override reason is free text about a person: like names and answers, it comes
from a file (``-``: standard input, after the secrets), never from an argument that shell
history and the process list keep. ``--override-reason TEXT`` stays (a public interface) and
says so on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from screening.errors import ErrorCode, InputError

# screening.reports.packet.VARIANTS, spelt out: the report module loads ReportLab's
# neighbours, and `fieldscreen --help` should not (tests/reports/test_redaction_policy.py).
VARIANTS = ("full", "redacted", "minimal")


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="write a case's referral packet (PDF)")
    p.add_argument("case", metavar="CASE", help="case id or reference")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.pdf")
    p.add_argument("--lang", default="en",
                   help="language of the report, independent of the interview's (default en): "
                   "en es fr ar pt ru zh-Hans vi tl; tags such as zh-CN or pt-BR are understood")
    variant = p.add_mutually_exclusive_group()
    variant.add_argument("--variant", choices=VARIANTS, default="full",
                         help="full (default): everything, for the services the person agreed "
                         "to share with; redacted: for a hotline, what happened and roughly "
                         "where, not who (no names, contact details, officer details or free "
                         "text; age in 5-year bands; dates without the time); minimal: as "
                         "redacted, and dates only to the month")
    variant.add_argument("--redacted", dest="variant", action="store_const", const="redacted",
                         help="the same as --variant redacted")
    reason = p.add_mutually_exclusive_group()
    reason.add_argument("--override-reason-file", default=None, type=Path, metavar="FILE",
                        help="write a full packet although the person's consent does not "
                        "cover sharing: your reason, from a UTF-8 text file (- : standard "
                        "input, after the passphrase lines), printed on page 1 and audited")
    reason.add_argument("--override-reason", default=None, metavar="TEXT",
                        help="the same reason as an argument (kept in shell history and the "
                        "process list: prefer --override-reason-file)")
    protect = p.add_mutually_exclusive_group()
    protect.add_argument("--encrypt", action="store_true",
                         help="AES-256 encrypt the PDF with a password (asked for; from "
                         "stdin's next line when not a terminal)")
    protect.add_argument("--plaintext", action="store_true",
                         help="write the PDF unencrypted, deliberately (e.g. straight to a "
                         "protected system); one of --encrypt or --plaintext is required")
    protect.add_argument("--to", default=None, metavar="RECIPIENT",
                         help="hand the case over: one age-encrypted file (-o F.age) with the "
                         "full PDF and the case's data, for a directory service's key (its id) "
                         "or an age public key (age1...); opened with `fieldscreen receive` or "
                         "`age -d`")
    p.add_argument("--interview", default=None, metavar="INTERVIEW_ID",
                   help="report on this interview (default: the case's latest finished one)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from screening.cli.common import check_output, open_workspace, read_passphrase
    from screening.i18n.tags import report_language
    from screening.reports.service import check_packet_allowed, write_case_packet

    reason_file = args.override_reason_file
    from_stdin = reason_file is not None and str(reason_file) == "-"
    if args.override_reason is not None:
        print("note: --override-reason-file keeps the reason out of the process list and "
              "shell history", file=sys.stderr)
    if args.to is not None:  # recipient-key hand-over (issue #15)
        from screening.cli.handover_cmds import cmd_send

        if from_stdin:
            raise InputError("with --to, give the override reason in a file: "
                             "--override-reason-file FILE")
        if reason_file is not None:
            args.override_reason = read_reason_file(reason_file)
        return cmd_send(args)
    args.output = check_output(args, args.output)  # before anything else is asked or read
    if not (args.encrypt or args.plaintext):
        raise InputError("a referral packet holds personal data: add --encrypt (a password) "
                         "or, deliberately, --plaintext")
    if args.output.suffix.lower() != ".pdf":
        raise InputError(f"{args.output}: the report file name must end in .pdf")
    reason = args.override_reason
    if reason_file is not None and not from_stdin:
        reason = read_reason_file(reason_file)  # before any passphrase is asked
    # zh-Hans, zh-CN, pt-BR... -> our code; an unknown one: exit 2 listing the supported
    args.lang = report_language(args.lang)
    with open_workspace(args) as ws:
        case_id = ws.store.cases.resolve(args.case)
        password = None
        if args.encrypt:
            password = read_passphrase("PDF password: ", confirm=True)
        if from_stdin:  # what is left of standard input, after the secrets
            reason = read_reason_stdin()
        if not args.encrypt:
            # A packet the consent does not allow is refused before any warning about it.
            check_packet_allowed(ws, case_id, args.variant, reason)
            print(f"warning: {args.output} will NOT be encrypted: anyone who gets the file can "
                  "read it; use --encrypt unless it goes straight to a protected system",
                  file=sys.stderr)
        written = write_case_packet(ws, case_id, args.output, lang=args.lang,
                                    variant=args.variant, password=password,
                                    allow_plaintext=not args.encrypt,
                                    interview_id=args.interview,
                                    override_reason=reason)
    state = "AES-256 encrypted" if args.encrypt else "NOT encrypted"
    print(f"referral packet written to {args.output} ({state}, sha256 {written.file_sha256})",
          file=sys.stderr)
    # The footer's "Data SHA-256": of the referral.json inside, not of the file.
    print(f"packet data (referral.json) sha256 {written.data_sha256}", file=sys.stderr)
    return 0


MAX_REASON_BYTES = 64 * 1024  # far more than a reason needs; a wrong file is refused


def _reason_text(raw: bytes, where: str) -> str:
    if len(raw) > MAX_REASON_BYTES:
        raise InputError(f"{where}: an override reason of at most {MAX_REASON_BYTES // 1024} "
                         "KB is expected", code=ErrorCode.BAD_INPUT)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{where}: the override reason must be UTF-8 text",
                         code=ErrorCode.BAD_INPUT) from None
    text = text.strip()
    if not text:
        raise InputError(f"{where}: the override reason is empty", code=ErrorCode.BAD_INPUT)
    return text


def read_reason_file(path: Path) -> str:
    """The override reason from ``path`` (UTF-8 text; surrounding blank space removed)."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_REASON_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: not found", code=ErrorCode.BAD_INPUT) from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a text file",
                         code=ErrorCode.BAD_INPUT) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})",
                         code=ErrorCode.BAD_INPUT) from None
    return _reason_text(raw, str(path))


def read_reason_stdin() -> str:
    """The override reason from the rest of standard input (up to its end: Ctrl-D at a
    terminal), after the secrets were read from it line by line."""
    from screening.cli.common import stdin_is_tty

    if sys.stdin is None:
        raise InputError("expected the override reason on standard input",
                         code=ErrorCode.BAD_INPUT)
    if stdin_is_tty():
        print("Type the reason for writing the full packet, then Ctrl-D on a line of its own:",
              file=sys.stderr, flush=True)
    # The text layer, as the secrets were read: it may already hold the rest in its buffer.
    try:
        text = sys.stdin.read(MAX_REASON_BYTES + 1)
    except UnicodeDecodeError:
        raise InputError("standard input: the override reason must be UTF-8 text",
                         code=ErrorCode.BAD_INPUT) from None
    return _reason_text(text.encode("utf-8", "surrogateescape"), "standard input")
