"""`fieldscreen report CASE -o FILE.pdf [--lang LANG] [--redacted] [--encrypt]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from screening.errors import InputError


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="write a case's referral packet (PDF)")
    p.add_argument("case", metavar="CASE", help="case id or reference")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.pdf")
    p.add_argument("--lang", default="en",
                   help="language of the report, independent of the interview's (default en)")
    p.add_argument("--redacted", action="store_true",
                   help="leave out name, date of birth, contact details and free-text notes "
                   "(for sharing with a hotline)")
    protect = p.add_mutually_exclusive_group()
    protect.add_argument("--encrypt", action="store_true",
                         help="AES-256 encrypt the PDF with a password (asked for; from "
                         "stdin's next line when not a terminal)")
    protect.add_argument("--plaintext", action="store_true",
                         help="write the PDF unencrypted, deliberately (e.g. straight to a "
                         "protected system); one of --encrypt or --plaintext is required")
    p.add_argument("--interview", default=None, metavar="INTERVIEW_ID",
                   help="report on this interview (default: the case's latest finished one)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from babel import Locale, UnknownLocaleError

    from screening.cli.common import check_output, open_workspace, read_passphrase
    from screening.reports.service import write_case_report

    args.output = check_output(args, args.output)  # before anything else is asked or read
    if not (args.encrypt or args.plaintext):
        raise InputError("a referral packet holds personal data: add --encrypt (a password) "
                         "or, deliberately, --plaintext")
    if args.output.suffix.lower() != ".pdf":
        raise InputError(f"{args.output}: the report file name must end in .pdf")
    try:  # an unknown language code fails here, before anything is asked
        Locale.parse(args.lang.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        raise InputError(f"unknown report language '{args.lang}'") from None
    with open_workspace(args) as ws:
        case_id = ws.store.cases.resolve(args.case)
        password = None
        if args.encrypt:
            password = read_passphrase("PDF password: ", confirm=True)
        else:
            print(f"warning: {args.output} will NOT be encrypted: anyone who gets the file can "
                  "read it; use --encrypt unless it goes straight to a protected system",
                  file=sys.stderr)
        digest = write_case_report(ws, case_id, args.output, lang=args.lang,
                                   redacted=args.redacted, password=password,
                                   allow_plaintext=not args.encrypt,
                                   interview_id=args.interview)
    state = "AES-256 encrypted" if args.encrypt else "NOT encrypted"
    print(f"referral packet written to {args.output} ({state}, sha256 {digest})",
          file=sys.stderr)
    return 0
