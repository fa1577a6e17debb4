"""`fieldscreen interview` (a whole interview from a file of answers), `interview context`
(who is in the room), `interview resume` (more answers) and `fieldscreen demo`.

A thin face over ``screening.casework``: the desktop app runs the same services, so an
interview stored here holds the same records as one typed into the app.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from screening.casework.answers_file import (
    AnswersFile,
    InterviewContextInput,
    read_answers_file,
    read_more_answers,
)
from screening.casework.consent import Consent
from screening.casework.lifecycle import COMPANIONS, CompanionChange, Declined, InterviewSetup
from screening.errors import ErrorCode, InputError, StoreError
from screening.paths import resource_path
from screening.workspace import Workspace

NO_CONSENT = 'consent: no consent recorded (add "consent" to the answers file)'


_RUN_REQUIRED = ("instrument", "lang", "answers")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "interview", help="run and store a whole interview from a JSON file of answers",
        description="Without ACTION: runs and stores a whole interview. `interview context` "
        "records who is in the room; `interview resume` continues an interview with more "
        "answers.")
    # Required when no ACTION is given (checked in cmd_interview, with argparse's message):
    # argparse cannot make them required for the parser alone and not for its actions.
    p.add_argument("--instrument", metavar="ID_OR_FILE",
                   help="an installed or shipped instrument (ID or ID@VERSION), or a file "
                   "(its text is kept in the store with the interview)")
    p.add_argument("--lang", help="the respondent's language (e.g. en, ar)")
    p.add_argument("--officer-lang", default=None,
                   help="the officer's language (default: the instrument's source language)")
    p.add_argument("--answers", type=Path, metavar="FILE.json")
    p.add_argument("--case", default=None, metavar="CASE",
                   help="add the interview to this existing case, by id or reference "
                   "(default: a new case)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_interview, interview_parser=p)
    actions = p.add_subparsers(dest="interview_action", metavar="ACTION")
    c = actions.add_parser(
        "context", help="record who is in the room (e.g. the person is alone now)",
        description="While someone who came with the person is present (--companion "
        "present), the sections the questionnaire marks sensitive are held back and the "
        "result says the screening is incomplete. --companion separated records that the "
        "person is now alone: the held-back sections come back at their first item (a "
        "finished interview that lacks them is reopened). Audited, without names.")
    c.add_argument("interview", metavar="INTERVIEW",
                   help="an interview id, or a case id or reference (its latest interview)")
    c.add_argument("--companion", required=True, choices=COMPANIONS,
                   help="none: came alone; present: someone who came with them is in the "
                   "room; separated: they were asked to wait outside")
    c.add_argument("--json", action="store_true", help="print what changed as JSON")
    c.set_defaults(func=cmd_interview_context)
    r = actions.add_parser(
        "resume", help="continue an interview with more answers, then store its result",
        description='FILE: {"answers": {...}} as in the answers file of `fieldscreen '
        "interview` (the consent, person and setting were recorded when it started). "
        "Answers already given stay unless the file gives the item again.")
    r.add_argument("interview", metavar="INTERVIEW",
                   help="an interview id, or a case id or reference (its latest interview)")
    r.add_argument("--answers", required=True, type=Path, metavar="FILE.json")
    r.add_argument("--json", action="store_true", help="print the result as JSON")
    r.set_defaults(func=cmd_interview_resume)

    p = sub.add_parser("demo", help="run a sample interview with synthetic answers in a "
                       "fresh temporary folder; prints where the files are")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_demo)


def run_interview(ws: Workspace, loaded_ref: str, given: AnswersFile, *, lang: str,
                  officer_lang: str | None, case: str | None = None) -> dict[str, Any]:
    """Consent, then the interview, through the casework service; the printed result."""
    if given.consent is None:
        raise InputError(NO_CONSENT, code=ErrorCode.CONSENT_MISSING)
    loaded = ws.catalog.find(loaded_ref)
    ctx = given.context
    setup = InterviewSetup(
        instrument=loaded, respondent_language=lang, officer_language=officer_lang,
        interpreter_used=ctx.interpreter_used, interpreter_language=ctx.interpreter_language,
        location=ctx.location, private_setting=ctx.private_setting,
        same_gender_offered=ctx.same_gender_offered, companion=ctx.companion,
    )
    setup.check()
    casework = ws.casework
    if given.consent.given:
        casework.rehearse(setup, given.answers)  # a bad answer stops here: nothing stored
    started = casework.start(setup, given.consent, case_id=case, person=given.person,
                             referral=given.referral)
    if isinstance(started, Declined):
        return {"consent": "declined", "stored": False}
    run = casework.open(started.interview_id)
    outcome = run.replay(given.answers)
    result = run.finish()
    return cli_result(started.case_id, started.interview_id, result, outcome.ignored)


def find_interview(ws: Workspace, ref: str) -> str:
    """An interview id; a case id or reference gives the case's latest interview."""
    try:
        return ws.store.interviews.get(ref.strip()).id
    except StoreError as exc:
        if exc.code != ErrorCode.STORE_NOT_FOUND:
            raise
    try:
        case_id = ws.store.cases.resolve(ref)
    except StoreError as exc:
        if exc.code != ErrorCode.STORE_NOT_FOUND:
            raise
        raise InputError(f"no interview or case '{ref}'", code=ErrorCode.BAD_INPUT) from None
    interviews = ws.store.interviews.list(case_id)
    if not interviews:
        raise InputError(f"case '{ref}' has no interview", code=ErrorCode.BAD_INPUT)
    return interviews[-1].id


def record_companion(ws: Workspace, ref: str, companion: str) -> dict[str, Any]:
    """``interview context``: the change recorded by the casework service, as printed."""
    run = ws.casework.open(find_interview(ws, ref))
    change: CompanionChange = run.record_companion(companion)
    return {"case_id": run.case_id, "interview_id": run.interview_id,
            "previous": change.previous, "companion": change.companion,
            "held_back_sections": list(change.held_back_sections),
            "resume_at": change.resume_at, "reopened": change.reopened}


def resume_interview(ws: Workspace, ref: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    """``interview resume``: more answers (checked in memory first), then the result."""
    run = ws.casework.open(find_interview(ws, ref))
    if run.finished:
        raise InputError("the interview is finished: nothing to resume (after `interview "
                         "context ... --companion separated` a finished interview that "
                         "still lacks held-back sections is reopened)",
                         code=ErrorCode.INTERVIEW_STATE)
    ws.casework.rehearse_more(run, answers)  # a bad answer stops here: nothing stored
    outcome = run.replay(answers, keep_answered=True)
    result = run.finish()
    return cli_result(run.case_id, run.interview_id, result, outcome.ignored)


def cli_result(case_id: str, interview_id: str, result: Mapping[str, Any],
               ignored: list[str]) -> dict[str, Any]:
    """The stored result, with the ids and the answers the questionnaire's logic skipped."""
    out: dict[str, Any] = {"case_id": case_id, "interview_id": interview_id}
    for key, value in result.items():
        out[key] = value
        if key == "skipped":
            out["ignored_answers"] = ignored
    return out


def _print_human(result: Mapping[str, Any]) -> None:
    if result.get("consent") == "declined":
        print("consent declined: nothing about the person was stored "
              "(the audit trail records that a consent was declined)")
        return
    print(f"case {result['case_id']}  interview {result['interview_id']}")
    ins = result["instrument"]
    print(f"instrument {ins['id']} {ins['version']} ({ins['content_hash'][:19]}...), "
          f"language {result['language']}")
    print(f"asked {len(result['asked'])} items, skipped {len(result['skipped'])}")
    for flag in result["flags"]:
        print(f"{'URGENT' if flag.get('urgent', True) else 'flag'}: {flag['label']}")
    for ind in result["indicators"]:
        grade = ", ".join(x for x in (ind.get("element"), ind.get("strength")) if x)
        print(f"indicator [{ind['domain']}] {ind['label']}" + (f" ({grade})" if grade else ""))
    outcome = result["outcome"]
    print(f"outcome: {outcome['level']}: {outcome['label']}")
    if outcome.get("unanswered_core"):
        print("unanswered core items: " + ", ".join(outcome["unanswered_core"]))
    held = outcome.get("held_back_sections") or []
    if held:
        print(f"INCOMPLETE: {len(held)} section(s) held back while someone who came with the "
              f"person was present: {', '.join(held)}. When the person is alone: "
              f"`fieldscreen interview context {result['interview_id']} --companion "
              "separated`, then `interview resume`.")


def _print_change(change: Mapping[str, Any]) -> None:
    print(f"interview {change['interview_id']}: companion {change['previous']} -> "
          f"{change['companion']}")
    if change["held_back_sections"]:
        print(f"held back while they are present: {', '.join(change['held_back_sections'])}")
    if change["resume_at"]:
        reopened = " (the interview was reopened)" if change["reopened"] else ""
        print(f"the held-back sections come back at '{change['resume_at']}'{reopened}; "
              "answer them with `fieldscreen interview resume`")


def cmd_interview(args: argparse.Namespace) -> int:
    from screening.cli.common import open_workspace

    missing = [f"--{name}" for name in _RUN_REQUIRED if getattr(args, name) is None]
    if missing:
        args.interview_parser.error(
            "the following arguments are required: " + ", ".join(missing))
    given = read_answers_file(args.answers)
    if given.consent is None:  # before the passphrase prompt: nothing to unlock for
        raise InputError(NO_CONSENT, code=ErrorCode.CONSENT_MISSING)
    with open_workspace(args) as ws:
        result = run_interview(ws, args.instrument, given, lang=args.lang,
                               officer_lang=args.officer_lang, case=args.case)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_human(result)
    return 0


def cmd_interview_context(args: argparse.Namespace) -> int:
    from screening.cli.common import open_workspace

    with open_workspace(args) as ws:
        change = record_companion(ws, args.interview, args.companion)
    if args.json:
        print(json.dumps(change, ensure_ascii=False, indent=2))
    else:
        _print_change(change)
    return 0


def cmd_interview_resume(args: argparse.Namespace) -> int:
    from screening.cli.common import open_workspace

    answers = read_more_answers(args.answers)  # before the passphrase prompt
    with open_workspace(args) as ws:
        result = resume_interview(ws, args.interview, answers)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_human(result)
    return 0


DEMO_INSTRUMENT = "adult_indicators"


def cmd_demo(args: argparse.Namespace) -> int:
    from screening.casework.preferences import OfficerProfile
    from screening.casework.referrals import save_referrals
    from screening.reports.service import write_case_report
    from screening.store import PersonInfo, ReferralRecord

    folder = Path(tempfile.mkdtemp(prefix="fieldscreen-demo-"))
    data_dir = folder / "data"  # the packet goes next to it: outputs never go inside
    # A throw-away store for a synthetic person: the passphrase is random and printed.
    passphrase = "demo " + secrets.token_urlsafe(12)
    demo = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))
    given = AnswersFile(
        answers=demo["answers"],
        consent=Consent(given=True, scope=("screening", "referral"), language="en",
                        recipients=("National Human Trafficking Hotline",),
                        confidentiality_explained=True),
        person=PersonInfo(name="Demo Person (synthetic)", date_of_birth="1996-04-02",
                          gender="female", nationality="Example nationality",
                          languages=("en",)),
        context=InterviewContextInput(private_setting=True, companion="separated"),
    )
    pdf = folder / "referral-demo.pdf"
    with Workspace(data_dir) as ws:
        ws.create(passphrase)
        ws.preferences.save_officer_profile(OfficerProfile(
            name="Officer Demo (synthetic)", agency="Example Agency",
            location="Example border crossing"))
        result = run_interview(ws, demo.get("instrument", DEMO_INSTRUMENT), given,
                               lang=demo.get("language", "en"), officer_lang=None)
        case_id = result["case_id"]
        save_referrals(ws.store, case_id, [ReferralRecord(
            "us-nhth", "National Human Trafficking Hotline", "hotline",
            reason="Advice and referral to local services")],
            "Synthetic narrative for the demo: the person asked for advice about leaving "
            "their job and for a safe place to stay.")
        digest = write_case_report(ws, case_id, pdf, lang="en", password=None,
                                   allow_plaintext=True)
    result["report"] = {"path": str(pdf), "sha256": digest}
    if args.json:
        print(json.dumps({"data_dir": str(data_dir), "passphrase": passphrase, **result},
                         ensure_ascii=False, indent=2))
        return 0
    _print_human(result)
    print(f"\ndemo folder:      {folder}")
    print(f"demo data folder: {data_dir}")
    print(f"demo passphrase:  {passphrase}")
    print(f"referral packet:  {pdf} (synthetic person; not encrypted)")
    print("(synthetic data; delete the folder when done)")
    sys.stdout.flush()
    return 0
