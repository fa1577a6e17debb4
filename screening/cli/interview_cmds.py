"""`fieldscreen interview` (a whole interview from a file of answers) and `fieldscreen demo`."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from screening.engine.session import InterviewSession
from screening.engine.state import split_key
from screening.errors import AnswerError, ErrorCode, InputError
from screening.instruments import LoadResult, find_instrument
from screening.instruments.model import ItemType
from screening.paths import resource_path


def register(sub: Any) -> None:
    p = sub.add_parser(
        "interview", help="run and store a whole interview from a JSON file of answers"
    )
    p.add_argument("--instrument", required=True, metavar="ID_OR_FILE")
    p.add_argument("--lang", required=True, help="the respondent's language (e.g. en, ar)")
    p.add_argument("--officer-lang", default=None,
                   help="the officer's language (default: the instrument's source language)")
    p.add_argument("--answers", required=True, type=Path, metavar="FILE.json")
    p.add_argument("--case", default=None, metavar="CASE",
                   help="add the interview to this existing case, by id or reference "
                   "(default: a new case)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_interview)

    p = sub.add_parser("demo", help="run a sample interview with synthetic answers in a "
                       "fresh temporary folder; prints where the files are")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_demo)


def read_answers_file(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"answers file {path}: not found", code=ErrorCode.ANSWER_FILE) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"answers file {path}: cannot read ({exc})",
                         code=ErrorCode.ANSWER_FILE) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(f"answers file {path}: line {exc.lineno} column {exc.colno}: "
                         f"{exc.msg}", code=ErrorCode.ANSWER_FILE) from None
    except RecursionError:
        raise InputError(f"answers file {path}: nested too deeply",
                         code=ErrorCode.ANSWER_FILE) from None
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise InputError(f'answers file {path}: expected {{"answers": {{"item": value, ...}}}}',
                         code=ErrorCode.ANSWER_FILE)
    return data["answers"]


@dataclass
class Given:
    """One answer from the file, unpacked."""

    value: Any = None
    special: str | None = None
    note: str | None = None


def _unpack(name: str, raw: Any) -> Given:
    if isinstance(raw, dict):
        unknown = set(raw) - {"special", "value", "note"}
        if unknown:
            raise AnswerError(name, f"unknown key(s) {sorted(unknown)} in the answer "
                              '(use a value, or {"special": "refused"|"dont_know"})')
        note = raw.get("note")
        if note is not None and not isinstance(note, str):
            raise AnswerError(name, "note must be text")
        return Given(raw.get("value"), raw.get("special"), note)
    return Given(raw)


@dataclass
class RunOutcome:
    asked: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def _lookup(answers: Mapping[str, Any], key: str) -> tuple[bool, Any]:
    name, instance = split_key(key)
    if instance is None:
        return (name in answers, answers.get(name))
    entries = answers.get(instance[0])
    if not isinstance(entries, list) or instance[1] > len(entries):
        return False, None
    entry = entries[instance[1] - 1]
    if not isinstance(entry, dict):
        raise AnswerError(instance[0], f"entry {instance[1]} must be an object of answers")
    return (name in entry, entry.get(name))


def run_answers(session: InterviewSession, answers: Mapping[str, Any]) -> RunOutcome:
    """Present items in order, answering each from ``answers``, as an officer would."""
    plan = session.plan
    for name, raw in answers.items():
        node = plan.nodes.get(name)
        if node is None:
            raise AnswerError(name, "no such item in this instrument",
                              code=ErrorCode.ANSWER_UNKNOWN_ITEM)
        if node.repeat is not None:
            raise AnswerError(name, f"this item belongs to the repeat '{node.repeat}': give it "
                              f'inside "{node.repeat}": [{{...}}, ...]')
        if node.item.type is ItemType.REPEAT:
            if not isinstance(raw, list):
                raise AnswerError(name, "a repeat takes a list of entries")
            for entry in raw:
                if isinstance(entry, dict):
                    for child in entry:
                        if plan.nodes.get(child) is None or plan.nodes[child].repeat != name:
                            raise AnswerError(child, f"not an item of the repeat '{name}'",
                                              code=ErrorCode.ANSWER_UNKNOWN_ITEM)
            if node.repeat_count is None:
                session.set_repeat_count(name, len(raw))
    outcome = RunOutcome()
    done: set[str] = set()
    while True:
        pending = [s for s in session.steps() if s.key not in done]
        if not pending:
            break
        step = pending[0]
        done.add(step.key)
        outcome.asked.append(step.key)
        item = step.node.item
        if not item.is_answerable or step.node.asks_count:
            continue  # notes; a repeat's count, already set from its list of entries
        present, raw = _lookup(answers, step.key)
        if present:
            given = _unpack(step.name, raw)
            session.answer(step.key, given.value, special=given.special, note=given.note)
        elif item.default is not None:
            session.answer(step.key, item.default)
        elif session.evaluation.is_required(step):
            raise AnswerError(step.name, session.required_message(step.key) + " (no answer "
                              "given; where allowed, record {\"special\": \"refused\"})",
                              code=ErrorCode.ANSWER_REQUIRED)
    asked = set(outcome.asked)
    for step, _relevant in session.evaluation.all_steps():
        if step.key not in asked and step.key not in outcome.skipped:
            outcome.skipped.append(step.key)
    for name, raw in answers.items():
        node = plan.nodes[name]
        if node.item.type is ItemType.REPEAT:
            for i, entry in enumerate(raw, start=1):
                for child in entry if isinstance(entry, dict) else ():
                    key = f"{name}[{i}].{child}"
                    if key not in asked:
                        outcome.ignored.append(key)
                        if key not in outcome.skipped and child not in outcome.skipped:
                            outcome.skipped.append(key)
        elif name not in asked:
            outcome.ignored.append(name)
    return outcome


def _answers_json(session: InterviewSession, asked: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in asked:
        record = session.answers.get(key)
        if record is None or (record.value is None and not record.special):
            continue
        out[key] = {"special": record.special} if record.special else record.value
    return out


def interview_result_json(
    loaded: LoadResult, session: InterviewSession, case_id: str, interview_id: str,
    outcome: RunOutcome,
) -> dict[str, Any]:
    ins = loaded.instrument
    result = session.result().to_json()
    return {
        "case_id": case_id,
        "interview_id": interview_id,
        "instrument": {"id": ins.id, "version": ins.version, "content_hash": loaded.content_hash},
        "language": session.respondent_language,
        "officer_language": session.officer_language,
        "asked": outcome.asked,
        "skipped": outcome.skipped,
        "ignored_answers": outcome.ignored,
        "answers": _answers_json(session, outcome.asked),
        "indicators": result["indicators"],
        "flags": result["flags"],
        "routes": result["routes"],
        "outcome": result["outcome"],
    }


def run_interview_into_store(store: Any, loaded: LoadResult, answers: Mapping[str, Any], *,
                             lang: str, officer_lang: str | None,
                             case_id: str | None = None) -> dict[str, Any]:
    """Create (or reuse) a case, run the interview, store every answer and the result."""
    from screening.store import InterviewMeta

    ins = loaded.instrument
    officer = officer_lang or ins.source_language
    for code in (lang, officer):
        if code not in ins.languages:
            raise InputError(f"instrument '{ins.id}' has no language '{code}' "
                             f"(it has: {', '.join(ins.languages)})")
    case = store.cases.resolve(case_id) if case_id else store.cases.create()
    interview_id = store.interviews.create(case, InterviewMeta(
        instrument_id=ins.id, instrument_version=ins.version,
        content_hash=loaded.content_hash, respondent_language=lang, officer_language=officer,
    ))
    session = InterviewSession(ins, loaded.content_hash, store.interviews, interview_id,
                               respondent_language=lang, officer_language=officer)
    outcome = run_answers(session, answers)
    result = interview_result_json(loaded, session, case, interview_id, outcome)
    store.interviews.finish(interview_id, result)
    return result


def _print_human(result: Mapping[str, Any]) -> None:
    print(f"case {result['case_id']}  interview {result['interview_id']}")
    ins = result["instrument"]
    print(f"instrument {ins['id']} {ins['version']} ({ins['content_hash'][:19]}...), "
          f"language {result['language']}")
    print(f"asked {len(result['asked'])} items, skipped {len(result['skipped'])}")
    for flag in result["flags"]:
        print(f"URGENT: {flag['label']}")
    for ind in result["indicators"]:
        print(f"indicator [{ind['domain']}] {ind['label']}")
    outcome = result["outcome"]
    print(f"outcome: {outcome['level']}: {outcome['label']}")
    if outcome.get("unanswered_core"):
        print("unanswered core items: " + ", ".join(outcome["unanswered_core"]))


def cmd_interview(args: argparse.Namespace) -> int:
    from screening.cli.common import open_store

    loaded = find_instrument(args.instrument)
    answers = read_answers_file(args.answers)
    with open_store(args) as store:
        result = run_interview_into_store(store, loaded, answers, lang=args.lang,
                                          officer_lang=args.officer_lang, case_id=args.case)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_human(result)
    return 0


DEMO_INSTRUMENT = "adult_indicators"


def cmd_demo(args: argparse.Namespace) -> int:
    from screening.reports.service import write_case_report
    from screening.store import InterviewContext, PersonInfo, ReferralRecord, Store

    data_dir = Path(tempfile.mkdtemp(prefix="fieldscreen-demo-"))
    # A throw-away store for a synthetic person: the passphrase is random and printed.
    passphrase = "demo " + secrets.token_urlsafe(12)
    demo = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))
    loaded = find_instrument(demo.get("instrument", DEMO_INSTRUMENT))
    store, _recovery = Store.create(data_dir, passphrase)
    pdf = data_dir / "referral-demo.pdf"
    with store:
        store.settings.set("officer_profile", {"name": "Officer Demo (synthetic)",
                                               "agency": "Example Agency",
                                               "location": "Example border crossing"})
        case_id = store.cases.create(person=PersonInfo(
            name="Demo Person (synthetic)", date_of_birth="1996-04-02", gender="female",
            nationality="Example nationality", languages=("en",)))
        result = run_interview_into_store(store, loaded, demo["answers"],
                                          lang=demo.get("language", "en"), officer_lang=None,
                                          case_id=case_id)
        store.context.save(result["interview_id"], InterviewContext(
            consent_given=True, consent_scope=("screening", "share_with_services"),
            consent_recorded_how="verbal", consent_recipients=("National Human Trafficking "
                                                               "Hotline",),
            confidentiality_explained=True, private_setting=True, companion="separated"))
        store.referrals.save(case_id, [ReferralRecord(
            "us-nhth", "National Human Trafficking Hotline", "hotline",
            reason="Advice and referral to local services")],
            "Synthetic narrative for the demo: the person asked for advice about leaving "
            "their job and for a safe place to stay.")
        digest = write_case_report(store, case_id, pdf, lang="en", password=None,
                                   allow_plaintext=True)
    result["report"] = {"path": str(pdf), "sha256": digest}
    if args.json:
        print(json.dumps({"data_dir": str(data_dir), "passphrase": passphrase, **result},
                         ensure_ascii=False, indent=2))
        return 0
    _print_human(result)
    print(f"\ndemo data folder: {data_dir}")
    print(f"demo passphrase:  {passphrase}")
    print(f"referral packet:  {pdf} (synthetic person; not encrypted)")
    print("(synthetic data; delete the folder when done)")
    sys.stdout.flush()
    return 0
