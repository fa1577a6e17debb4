"""`fieldscreen report CASE -o FILE.pdf [--lang LANG] [--variant full|redacted|minimal]
[--override-reason TEXT] --encrypt|--plaintext` (``--redacted`` = ``--variant redacted``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from screening.errors import InputError

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
    p.add_argument("--override-reason", default=None, metavar="TEXT",
                   help="write a full packet although the person's consent does not cover "
                   "sharing: your reason, printed on page 1 and audited")
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
    from screening.reports.service import write_case_report

    if args.to is not None:  # recipient-key hand-over (issue #15)
        from screening.cli.handover_cmds import cmd_send

        return cmd_send(args)
    args.output = check_output(args, args.output)  # before anything else is asked or read
    if not (args.encrypt or args.plaintext):
        raise InputError("a referral packet holds personal data: add --encrypt (a password) "
                         "or, deliberately, --plaintext")
    if args.output.suffix.lower() != ".pdf":
        raise InputError(f"{args.output}: the report file name must end in .pdf")
    # zh-Hans, zh-CN, pt-BR... -> our code; an unknown one: exit 2 listing the supported
    args.lang = report_language(args.lang)
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
                                   variant=args.variant, password=password,
                                   allow_plaintext=not args.encrypt,
                                   interview_id=args.interview,
                                   override_reason=args.override_reason)
    state = "AES-256 encrypted" if args.encrypt else "NOT encrypted"
    print(f"referral packet written to {args.output} ({state}, sha256 {digest})",
          file=sys.stderr)
    return 0
