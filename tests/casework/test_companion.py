"""Someone who came with the person is in the room (issue #14), through the casework service
both faces use, on a real encrypted store: discreet mode from the stored context, the
held-back result, "the person is alone now", the audit trail, resuming, older interviews.

Synthetic answers only.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from factories import stored_interview

from screening.casework.answers_file import InterviewContextInput
from screening.errors import InputError
from screening.instruments import load_instrument_text
from screening.store import InterviewContext, InterviewMeta, PersonInfo
from screening.workspace import Workspace
from tests.cli.helpers import ROOT

DEMO = json.loads((ROOT / "resources" / "demo" / "answers.json").read_text(encoding="utf-8"))
ANSWERS: dict[str, Any] = DEMO["answers"]
PRESENT = InterviewContextInput(companion="present")
ADULT_HELD_BACK = ["recruitment", "work", "money", "documents", "situation", "movement",
                   "threats", "other_pressure", "commercial_sex"]


def _entries(ws: Workspace) -> list[dict[str, Any]]:
    """The details of the companion entries of the audit trail, oldest first."""
    return [dict(e.detail) for e in sorted(ws.store.audit.entries(), key=lambda e: e.id)
            if e.action == "interview.companion"]


def test_a_companion_present_holds_back_the_sensitive_sections(ws: Workspace) -> None:
    printed = stored_interview(ws, "adult_indicators", ANSWERS, lang="en", context=PRESENT)
    outcome = printed["outcome"]
    assert outcome["level"] == "incomplete"  # the demo person, alone, is "refer"
    assert outcome["held_back_sections"] == ADULT_HELD_BACK
    # nothing sensitive was asked: only the officer's observation (never read aloud) scored
    assert [i["name"] for i in printed["indicators"]] == ["observed_fear"]
    assert "recruit_channel" in printed["held_back"] and "danger_now" in printed["asked"]
    # held back, not "not applicable" and not refused
    assert not set(printed["held_back"]) & set(printed["skipped"])
    assert "debt_grows" not in printed["answers"]
    # answers given for held-back items were not stored: listed as ignored
    assert "job_differs" in printed["ignored_answers"]
    stored = ws.store.interviews.load_answers(printed["interview_id"])
    assert "job_differs" not in stored and "danger_now" in stored
    assert ws.store.interviews.get(printed["interview_id"]).result == {
        k: v for k, v in printed.items() if k not in ("case_id", "interview_id",
                                                      "ignored_answers")}
    assert _entries(ws) == [{"from": None, "to": "present"}]


def test_pausing_or_reopening_keeps_the_mode(ws: Workspace) -> None:
    printed = stored_interview(ws, "adult_indicators", ANSWERS, lang="en", context=PRESENT)
    run = ws.casework.open(printed["interview_id"])  # as a resume or an unlock opens it
    assert run.session.discreet
    state = run.companion_state()
    assert state.discreet and state.held_back_sections == tuple(ADULT_HELD_BACK)
    assert state.held_back_items == len(printed["held_back"])


def test_alone_now_reopens_resumes_at_the_first_held_back_item_and_is_audited(
        ws: Workspace) -> None:
    printed = stored_interview(ws, "adult_indicators", ANSWERS, lang="en", context=PRESENT)
    interview_id = printed["interview_id"]
    run = ws.casework.open(interview_id)
    assert run.finished
    change = run.record_companion("separated")
    assert (change.previous, change.companion) == ("present", "separated")
    assert change.resume_at == "recruit_channel" and change.reopened
    assert change.held_back_sections == ()
    assert not run.finished and ws.store.interviews.get(interview_id).status != "finished"
    ctx = ws.store.context.get(interview_id)
    assert ctx is not None and ctx.companion == "separated"
    assert ws.store.interviews.load_position(interview_id) == "recruit_channel"
    assert _entries(ws) == [{"from": None, "to": "present"},
                            {"from": "present", "to": "separated"}]
    # a new process: the mode and the place come back from the store
    again = ws.casework.open(interview_id)
    assert not again.session.discreet
    current = again.session.current()
    assert current is not None and current.key == "recruit_channel"
    again.replay(ANSWERS, keep_answered=True)
    result = again.finish()
    assert result["outcome"]["level"] == "refer"
    assert result["outcome"]["held_back_sections"] == [] and result["held_back"] == []
    assert ws.store.audit.verify()[0]


def test_the_same_status_again_changes_nothing_and_a_bad_one_is_refused(
        ws: Workspace) -> None:
    printed = stored_interview(ws, "adult_indicators", ANSWERS, lang="en", context=PRESENT)
    run = ws.casework.open(printed["interview_id"])
    change = run.record_companion("present")
    assert change.resume_at is None and not change.reopened and run.finished
    assert len(_entries(ws)) == 1
    with pytest.raises(InputError, match="companion must be one of none, present, separated"):
        run.record_companion("outside")
    assert len(_entries(ws)) == 1


def test_a_companion_who_comes_back_holds_back_again_without_reopening(
        ws: Workspace) -> None:
    printed = stored_interview(ws, "adult_indicators", ANSWERS, lang="en",
                               context=InterviewContextInput(companion="none"))
    ws.casework.reopen(printed["interview_id"])
    run = ws.casework.open(printed["interview_id"])
    assert not run.session.discreet
    change = run.record_companion("present")
    assert change.held_back_sections == tuple(ADULT_HELD_BACK) and change.resume_at is None
    assert run.session.discreet and "recruit_channel" not in [
        s.key for s in run.session.steps()]
    assert _entries(ws) == [{"from": "none", "to": "present"}]


def test_audit_entries_name_no_one(ws: Workspace) -> None:
    stored_interview(ws, "adult_indicators", ANSWERS, lang="en", context=PRESENT,
                     person=PersonInfo(name="CANARY-Companion Person"))
    assert _entries(ws) == [{"from": None, "to": "present"}]  # the change is audited...
    details = json.dumps([e.detail for e in ws.store.audit.entries()])
    assert "CANARY" not in details and "Companion" not in details  # ...without a name


def test_an_interview_stored_with_the_text_before_the_marks_still_opens_as_it_was(
        ws: Workspace) -> None:
    """An older store holds interviews run on adult_indicators 1.1.0 (no sensitive marks),
    some with a companion present: they open, on their own text, with nothing held back."""
    # The shipped file has moved on (2.0.0, issue #16): the 1.1.0 text is a fixture.
    text = (ROOT / "tests" / "fixtures" / "instruments" / "adult_indicators-1.1.0.yaml"
            ).read_text(encoding="utf-8")
    old_hash = "sha256:40d6319bf3f9c274e87773d5da26ff41d14f8841e8f72914d69af347a713e892"
    old = load_instrument_text(text, "adult_indicators-1.1.0.yaml")
    assert old.content_hash == old_hash
    ws.catalog.snapshot(old)
    case_id = ws.store.cases.create()
    interview_id = ws.store.interviews.create(case_id, InterviewMeta(
        "adult_indicators", "1.1.0", old_hash, "en", "en"))
    ws.store.context.save(interview_id, InterviewContext(consent_given=True,
                                                         consent_scope=("screening",),
                                                         companion="present"))
    run = ws.casework.open(interview_id)
    assert run.instrument.instrument.version == "1.1.0"
    assert run.session.held_back() == []
    run.replay({k: v for k, v in ANSWERS.items() if k in old.instrument.item_map()})
    assert run.finish()["outcome"]["level"] == "refer"


def test_the_packet_says_what_was_held_back_and_does_not_call_it_unanswered(
        ws: Workspace) -> None:
    """A referral packet made while the companion is still recorded as present says which
    sections are missing and why; once the person was seen alone it says nothing of it."""
    from screening.reports.service import build_case_packet

    printed = stored_interview(ws, "adult_indicators", ANSWERS, lang="en", context=PRESENT)
    case_id = printed["case_id"]
    held = build_case_packet(ws, case_id, lang="en", variant="redacted").result
    assert held.level == "incomplete"
    assert len(held.held_back_sections) == len(ADULT_HELD_BACK)
    assert "Your work" in held.held_back_sections  # titles, not section names
    assert not set(held.unanswered_core) & set(printed["held_back"])
    run = ws.casework.open(printed["interview_id"])
    run.record_companion("separated")
    run.replay(ANSWERS, keep_answered=True)
    run.finish()
    alone = build_case_packet(ws, case_id, lang="en").result
    assert alone.held_back_sections == () and alone.level == "refer"
