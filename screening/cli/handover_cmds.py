"""`fieldscreen keys new|show` and `fieldscreen receive` (issue #15); the sending side is
`fieldscreen report CASE --to RECIPIENT -o F.age` (report_cmds.py).

Thin faces over ``screening.handover.keys`` and ``screening.casework.handover``. Secrets (the
store's passphrase, an identity's passphrase) are read as every other command reads them:
without echo from a terminal, else one line each from standard input, store passphrase
first. Machine-readable output goes to stdout; progress and warnings to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screening.errors import ErrorCode, InputError
from screening.log import replace_control_chars

if TYPE_CHECKING:
    from screening.casework.handover import Received
    from screening.store import ReceivedFrom

PLAINTEXT_PDF = ("warning: {path} is NOT encrypted: anyone who gets the file can read it; keep "
                 "it on a protected system and delete it when done")


def register(sub: Any) -> None:
    k = sub.add_parser("keys", help="agency key pairs for receiving referrals (age format)")
    ksub = k.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    p = ksub.add_parser(
        "new", help="create an agency key pair: the identity file (private) and the public key",
        description="Writes IDENTITY in age-keygen's format, readable by you only (0600), and "
        "prints the public key (age1...) and its fingerprint. Give the public key to the "
        "agencies that refer cases to you (their directory's age_recipient column); keep the "
        "identity secret and backed up: packets sent to the key open only with it. "
        "--protect wraps the identity with a passphrase, as `age -p` does.")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="IDENTITY")
    p.add_argument("--protect", action="store_true",
                   help="encrypt the identity with a passphrase (asked for; from stdin's "
                   "next line when not a terminal)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_keys_new)
    p = ksub.add_parser("show", help="the public key and fingerprint of an identity file, or "
                        "the fingerprint of a public key (age1...)")
    p.add_argument("key", metavar="IDENTITY|age1...")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_keys_show)

    p = sub.add_parser(
        "receive", help="import a referral packet handed over to your key as a new case",
        description="Decrypts F.age with your identity, checks that nothing was altered "
        "(exit 2 and nothing stored if it was) and stores the case: the person's details, "
        "answers, outcome, consent as recorded by the sender, referral choices and where it "
        "came from. Secrets: the store's passphrase, then the identity's (when protected).")
    p.add_argument("packet", type=Path, metavar="F.age")
    p.add_argument("--identity", required=True, type=Path, metavar="IDENTITY")
    p.add_argument("--pdf-out", type=Path, default=None, metavar="FILE.pdf",
                   help="also save the referral PDF that came with it (NOT encrypted)")
    p.add_argument("--again", action="store_true",
                   help="import it as a separate case even though this packet (or a newer "
                   "one for the same case) was received before; without it that is refused "
                   "(exit 2) naming the case that holds it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_receive)


def _print_key(doc: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    if doc.get("public_key"):
        print(f"public key:  {doc['public_key']}")
    print(f"fingerprint: {doc['fingerprint']}")


def cmd_keys_new(args: argparse.Namespace) -> int:
    from screening.cli.common import check_output, read_passphrase
    from screening.handover.keys import create_identity

    target = check_output(args, args.output)  # before any passphrase is asked
    if target.exists():
        raise InputError(f"{target}: a file with this name exists; FieldScreen does not "
                         "replace it (it may be an agency key that packets were sent to)",
                         code=ErrorCode.OUTPUT_TARGET)
    secret = read_passphrase("Identity passphrase: ", confirm=True) if args.protect else None
    key = create_identity(target, passphrase=secret)
    print(f"agency key written to {target} (private: keep it secret and backed up; packets "
          "sent to this key open only with it)", file=sys.stderr)
    _print_key(key.to_json(), args.json)
    return 0


def _identities(path: Path) -> Any:
    from screening.cli.common import read_passphrase
    from screening.handover.keys import read_identity_file, unlock_identities

    identity = read_identity_file(path)
    secret = read_passphrase("Identity passphrase: ") if identity.protected else None
    return unlock_identities(identity, secret)


def cmd_keys_show(args: argparse.Namespace) -> int:
    from screening.handover.keys import fingerprint, parse_recipient, public_keys

    if args.key.strip().startswith("age1"):
        key = parse_recipient(args.key, where="public key")
        _print_key({"public_key": key, "fingerprint": fingerprint(key)}, args.json)
        return 0
    keys = public_keys(_identities(Path(args.key)))
    docs = [{"public_key": k, "fingerprint": fingerprint(k)} for k in keys]
    if args.json:
        print(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2))
        return 0
    for doc in docs:
        _print_key(doc, False)
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    """`fieldscreen report CASE --to RECIPIENT -o F.age`: the full packet plus the case's
    data, encrypted for the recipient's key."""
    from screening.casework.handover import check_packet_name, resolve_recipient, send_referral
    from screening.cli.common import check_output, open_workspace
    from screening.i18n.tags import report_language

    out = check_packet_name(check_output(args, args.output))  # before anything is asked
    if getattr(args, "variant", None) not in (None, "full"):
        raise InputError("--to hands over the full packet and the case's data; for a redacted "
                         "copy write a PDF with --encrypt instead")
    if args.to.strip().startswith("age1"):  # a bad key fails before the passphrase is asked
        from screening.handover.keys import parse_recipient

        parse_recipient(args.to, where="--to")
    # zh-Hans, zh-CN, pt-BR... -> our code; an unknown one: exit 2 listing the supported
    args.lang = report_language(args.lang)
    with open_workspace(args) as ws:
        case_id = ws.store.cases.resolve(args.case)
        recipient = resolve_recipient(ws.directory(), args.to)
        sent = send_referral(ws, case_id, recipient, out, lang=args.lang,
                             interview_id=args.interview,
                             override_reason=getattr(args, "override_reason", None))
    name = f"{recipient.service_name} ({recipient.service_id})" if recipient.service_id \
        else "the key given"
    print(f"hand-over packet written to {out}: encrypted for {name}, key fingerprint "
          f"{recipient.fingerprint}; sha256 {sent.file_sha256}", file=sys.stderr)
    print("compare the fingerprint with the receiving agency before sending the file",
          file=sys.stderr)
    return 0


def cmd_receive(args: argparse.Namespace) -> int:
    from screening.casework.handover import open_packet, read_packet, receive_referral
    from screening.cli.common import check_output, open_workspace
    from screening.handover.keys import read_identity_file
    from screening.reports.encrypt import atomic_write

    pdf_out = check_output(args, args.pdf_out) if args.pdf_out is not None else None
    if pdf_out is not None and pdf_out.suffix.lower() != ".pdf":
        raise InputError(f"{pdf_out}: the PDF file name must end in .pdf")
    data = read_packet(args.packet)
    read_identity_file(args.identity)  # a missing identity fails before any passphrase
    with open_workspace(args) as ws:
        opened = open_packet(data, _identities(args.identity), ws)
        received = receive_referral(ws, opened, again=args.again)
    doc = received.to_json()
    if pdf_out is not None:
        atomic_write(pdf_out, opened.pdf)
        print(PLAINTEXT_PDF.format(path=pdf_out), file=sys.stderr)
        doc["pdf"] = str(pdf_out)
    _say_earlier(received)  # stderr: a note beside the result, --json or not
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    src = received.provenance
    print(f"received as case {_plain(received.reference)} ({received.case_id})")
    sender = ", ".join(x for x in (_who(src.officer, src.agency), src.phone, src.email)
                       if x) or "unnamed sender"
    # The packet's text goes to a terminal: no control characters (escape sequences).
    print(_plain(f"from: {sender}; FieldScreen store {src.sender_store_id}; sent "
                 f"{src.sent_at}"))
    print(_plain(f"sender's audit anchor: {src.audit_anchor.text}; document "
                 f"{src.document_id}"))
    print(f"encrypted for key fingerprint: {src.recipient_fingerprint}")
    # The instrument's words; the code in brackets for scripts (also in --json).
    print(f"outcome: {_plain(received.outcome_label)} [{received.outcome}]"
          if received.outcome_label else f"outcome: {received.outcome}")
    if not received.same_outcome:
        print(f"warning: the sender's FieldScreen recorded the outcome "
              f"'{received.sender_outcome}'; this one computes '{received.outcome}' from the "
              "same answers", file=sys.stderr)
    return 0


def _say_earlier(received: Received) -> None:
    """What the packet is to a case received before (stderr: a note, not the result)."""
    from screening.casework.handover import NEWER, SAME

    earlier = received.earlier
    if earlier is None:
        return
    when = earlier.received_at[:16].replace("T", " ")
    if earlier.relation == NEWER:
        note = (f"note: this is an updated referral for case {earlier.reference}, which you "
                f"received from the same sender on {when} UTC; it is stored beside it as "
                f"case {received.reference}, and {earlier.reference} is unchanged: compare "
                "the two")
    elif earlier.relation == SAME:
        note = (f"note: this packet was received before as case {earlier.reference} "
                f"({when} UTC); imported again (--again) as case {received.reference}")
    elif earlier.same_time:
        note = (f"note: this is another copy of the referral received as case "
                f"{earlier.reference} (sent at the same time); imported anyway (--again) as "
                f"case {received.reference}")
    else:
        note = (f"note: this is an older referral for case {earlier.reference}; imported "
                f"anyway (--again) as case {received.reference}")
    print(note, file=sys.stderr)


# -- where a received case came from (`cases list`, `cases show`) ------------------------
def sender_text(received: ReceivedFrom | None) -> str:
    """Who handed a received case over ("" for a case made here)."""
    if received is None:
        return ""
    return _plain(received.agency or received.officer) or "(unnamed sender)"


def _who(officer: str, agency: str) -> str:
    """"Officer (Agency)": an agency's name may hold commas itself."""
    return f"{officer} ({agency})" if officer and agency else officer or agency


def _plain(text: str | None) -> str:
    return replace_control_chars(text or "")  # a packet's text, shown on a terminal


def received_lines(received: ReceivedFrom) -> list[str]:
    """`cases show`: who sent the case, when, and the case it repeats or updates."""
    sent, got = (t[:16].replace("T", " ") + " UTC"
                 for t in (received.sent_at, received.received_at))
    who = ", ".join(_plain(x) for x in (_who(received.officer, received.agency),
                                        received.phone, received.email) if x)
    who = who or "an unnamed sender"
    lines = [f"  received from: {who}",
             f"    sent {sent}, received {got}; their case reference "
             f"{_plain(received.sender_case_reference)}, document "
             f"{_plain(received.document_id)}"]
    if received.earlier_case_id is not None:
        earlier = received.earlier_reference or f"{received.earlier_case_id} (deleted)"
        lines.append({"newer": f"    an updated referral: case {earlier} holds the earlier one",
                      "same": f"    the same packet as case {earlier}, imported again",
                      "older": f"    an older referral than case {earlier}, imported anyway",
                      }.get(received.relation or "", f"    see case {earlier}"))
    return lines
