"""Sending after things change (issue #18 review): an interview changed after it was sent
goes again as an ODK edit that replaces Central's record; "remove after sending" never
deletes a case whose current answers the server does not hold, and a crash between "sent"
and the delete is finished by the next send; the person's latest consent decision governs;
a lost connection stays a connection failure; a dry run without the form is no failure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from screening.casework.answers_file import AnswersFile, InterviewContextInput
from screening.casework.consent import Consent, sending_consent
from screening.cli.interview_cmds import run_interview
from screening.engine.storage import AnswerRecord
from screening.errors import InputError
from screening.server.client import CentralClient
from screening.server.service import NOT_FETCHED_NOTE, ServerService, default_client
from screening.server.settings import ServerSettings
from screening.store.audit import now
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE
from tests.server.test_service import (
    ANSWERS,
    WITH_SERVER,
    case,
    closed_port,
    configure,
    publish_locally,
    web_user,
)


def change_age(ws: Workspace, interview_id: str, age: int, *, finish: bool = True) -> None:
    """The officer reopens a finished interview, corrects the age and (maybe) finishes."""
    result = ws.store.interviews.get(interview_id).result or {}
    ws.store.interviews.reopen(interview_id)
    ws.store.interviews.save_answer(interview_id, AnswerRecord(
        item="age", value=age, special=None, language="en", answered_at=now()))
    if finish:
        ws.store.interviews.finish(interview_id, result)


def record_as_sent(ws: Workspace, interview_id: str) -> None:
    """The store as a send leaves it right after Central took the item and it was recorded
    (the crash point before "remove after sending" deletes the case)."""
    ws.store.sends.record_sent(
        interview_id, server=ws.server.require_settings().url, host="test", project_id=3,
        form_version="v", sent_at=now(), duplicate=False,
        finished_at=ws.store.interviews.get(interview_id).finished_at)


def decline_later(ws: Workspace, case_id: str) -> None:
    """The person declines the consent for another interview of the same case."""
    declined = AnswersFile(answers={}, consent=Consent(given=False),
                           context=InterviewContextInput())
    assert run_interview(ws, "adult_indicators", declined, lang="en", officer_lang=None,
                         case=case_id) == {"consent": "declined", "stored": False}


# -- without a server -----------------------------------------------------------------------
def test_a_lost_connection_keeps_every_item_queued_as_a_connection_failure(
        ws: Workspace) -> None:
    # Two interviews of a form this laptop has not read from the server yet; the network is
    # off. Both wait for the network; neither becomes "not published" (permanent).
    first, second = case(ws), case(ws)
    configure(ws, f"http://127.0.0.1:{closed_port()}")
    for done in (first, second):
        ws.server.queue(done["case_id"])
    results = ws.server.send()
    assert [r.error_kind for r in results] == ["unreachable", "unreachable"]
    assert all("cannot reach" in (r.error or "") for r in results)
    entries = ws.server.entries()
    assert [(e.state, e.last_error_kind) for e in entries] == [("queued", "unreachable")] * 2
    assert all(e.next_attempt_at for e in entries)


def test_a_dry_run_without_the_form_here_says_send_fetches_it(ws: Workspace) -> None:
    done = case(ws)
    configure(ws, f"http://127.0.0.1:{closed_port()}")
    ws.server.queue(done["case_id"])
    [result] = ws.server.send(dry_run=True)
    assert (result.outcome, result.form_version, result.error) == ("would_send", None, None)
    assert result.note == NOT_FETCHED_NOTE
    assert ws.server.entries()[0].attempts == 0  # nothing recorded


def test_a_case_recorded_sent_but_not_yet_removed_goes_at_the_next_send(
        ws: Workspace) -> None:
    kept, gone = case(ws), case(ws)
    configure(ws, f"http://127.0.0.1:{closed_port()}")
    for done in (kept, gone):
        ws.server.queue(done["case_id"], remove_after=True)
        record_as_sent(ws, done["interview_id"])  # ... and then the process was killed
    change_age(ws, kept["interview_id"], 51)  # changed after sending: must stay
    assert ws.server.send(dry_run=True) == []  # a dry run deletes nothing
    reported: list[tuple[int, int, str]] = []
    results = ws.server.send(  # nothing is queued: no connection is needed either
        progress=lambda done, total, r: reported.append((done, total, r.case_id)))
    assert [(r.case_id, r.outcome) for r in results] == [(gone["case_id"], "removed")]
    assert reported == [(1, 1, gone["case_id"])]  # the CLI and the app hear of it too
    cases = [c.id for c in ws.store.cases.list()]
    assert gone["case_id"] not in cases and kept["case_id"] in cases
    deleted = [e for e in ws.store.audit.entries() if e.action == "case.deleted"]
    assert [e.case_id for e in deleted] == [gone["case_id"]]
    assert ws.server.send() == []


def test_a_queued_edit_is_on_its_way_not_a_reason_to_keep_the_case(ws: Workspace) -> None:
    from screening.server.removal import remove_after_sending

    first = case(ws)
    case_id = first["case_id"]
    second = case(ws, case_id=case_id)
    configure(ws, f"http://127.0.0.1:{closed_port()}")
    ws.server.queue(case_id, remove_after=True)
    record_as_sent(ws, first["interview_id"])
    change_age(ws, first["interview_id"], 47)
    ws.server.queue(case_id, remove_after=True)  # the change goes as an edit
    record_as_sent(ws, second["interview_id"])
    reference = ws.store.cases.get(case_id).reference
    # The edit is still to be sent: the case waits for it, with no "kept" note.
    assert remove_after_sending(ws.store, case_id, reference) == (False, None)
    assert case_id in [c.id for c in ws.store.cases.list()]


def test_a_sent_interview_changed_since_shows_and_can_be_queued_again_as_an_edit(
        ws: Workspace) -> None:
    done = case(ws)
    configure(ws, f"http://127.0.0.1:{closed_port()}")
    ws.server.queue(done["case_id"])
    record_as_sent(ws, done["interview_id"])
    [entry] = ws.server.entries()
    assert (entry.state, entry.changed_after_sending) == ("sent", False)
    with pytest.raises(InputError, match="sent already and has not changed"):
        ws.server.queue(done["case_id"])
    change_age(ws, done["interview_id"], 44, finish=False)
    assert ws.server.entries()[0].changed_after_sending  # reopened: differs from the server
    with pytest.raises(InputError, match="no finished interview"):
        ws.server.queue(done["case_id"])
    ws.store.interviews.finish(done["interview_id"], {})
    [entry] = ws.server.queue(done["case_id"])
    first = f"uuid:{done['interview_id']}"
    assert (entry.state, entry.changed_after_sending, entry.edit_of) == ("queued", True, first)
    assert entry.instance_id.startswith("uuid:") and entry.instance_id != first
    assert entry.sent_instance_id == first
    # Taking it out again leaves the record of what the server holds.
    assert ws.server.unqueue(done["case_id"]) == 1
    [entry] = ws.server.entries()
    assert (entry.state, entry.instance_id, entry.edit_of) == ("sent", first, None)


def test_the_latest_consent_decision_governs_sending(ws: Workspace) -> None:
    done = case(ws)
    case_id = done["case_id"]
    configure(ws, f"http://127.0.0.1:{closed_port()}")
    publish_locally(ws, None)
    ws.server.queue(case_id)
    decline_later(ws, case_id)  # a later "no" for another interview of the case
    assert sending_consent(ws.store, case_id) is None
    [result] = ws.server.send()  # refused before any connection
    assert result.error_kind == "consent" and "latest consent" in (result.error or "")
    with pytest.raises(InputError, match="does not cover sharing with the agency server"):
        ws.server.queue(case_id)
    # A new consent that covers it allows sending again ...
    case(ws, case_id=case_id)
    latest = sending_consent(ws.store, case_id)
    assert latest is not None and latest.covers("agency_server")
    ws.server.queue(case_id)
    # ... until it is withdrawn: the older consents that covered it do not count then.
    newest = ws.store.interviews.list(case_id)[-1].id
    ws.store.context.withdraw_consent(newest)
    assert sending_consent(ws.store, case_id) is None
    with pytest.raises(InputError, match="does not cover"):
        ws.server.queue(case_id)
    # Referrals keep their rule (the latest consent given and not withdrawn).
    from screening.casework.consent import case_consent
    assert case_consent(ws.store, case_id) is not None


def test_the_officer_typed_consent_time_cannot_outrank_a_later_refusal(ws: Workspace) -> None:
    # The consent's "at" is what the officer typed (here: a local time without a zone, far
    # ahead of the store's clock). Decisions are ordered by when the store recorded them.
    yes = AnswersFile(answers=ANSWERS, context=InterviewContextInput(),
                      consent=Consent(given=True, scope=WITH_SERVER, language="en",
                                      at="2099-01-01T10:00:00"))
    done = run_interview(ws, "adult_indicators", yes, lang="en", officer_lang=None)
    case_id = done["case_id"]
    assert ws.server.consent_allows(case_id)
    decline_later(ws, case_id)
    assert not ws.server.consent_allows(case_id)
    # A withdrawn consent never grants, whatever time it carries.
    again = run_interview(ws, "adult_indicators", yes, lang="en", officer_lang=None,
                          case=case_id)
    assert ws.server.consent_allows(case_id)
    ws.store.context.withdraw_consent(again["interview_id"])
    assert not ws.server.consent_allows(case_id)


# -- against a real ODK Central --------------------------------------------------------------
def _exported_ages(central: Any, project: Any) -> list[str]:
    exported = central.export_csv_zip(project.id, "adult_indicators", project.passphrase)
    lines = exported["adult_indicators.csv"].splitlines()
    header = lines[0].split(",")
    column = next(i for i, name in enumerate(header) if name.split("-")[-1] == "age")
    return [line.split(",")[column] for line in lines[1:]]


def test_an_interview_changed_after_sending_replaces_the_record_on_central(
        ws: Workspace, central: Any, central_project: Any) -> None:
    ws.server.configure(web_user(central, central_project))
    ws.server.publish("adult_indicators")
    done = case(ws)
    first = f"uuid:{done['interview_id']}"
    ws.server.queue(done["case_id"])
    assert ws.server.send()[0].outcome == "sent"
    assert ws.store.sends.envelope(done["interview_id"]) is None  # dropped once sent
    change_age(ws, done["interview_id"], 47)
    status = [e for e in ws.server.entries() if e.interview_id == done["interview_id"]]
    assert status[0].changed_after_sending
    [entry] = ws.server.queue(done["case_id"])
    edit = entry.instance_id

    def crash_after_post(settings: ServerSettings) -> CentralClient:
        client = default_client(settings)
        real = client.submit

        def submit(manifest: bytes, files: Any) -> Any:
            assert f"<orx:deprecatedID>{first}</orx:deprecatedID>".encode() in manifest
            real(manifest, files)
            raise KeyboardInterrupt  # killed after Central took the edit, before recording
        client.submit = submit  # type: ignore[method-assign]
        return client

    with pytest.raises(KeyboardInterrupt):
        ServerService(ws.store, ws.catalog, client_factory=crash_after_post).send()
    [result] = ws.server.send()  # the same bytes again: Central keeps the one edit
    assert result.outcome in ("sent", "already_sent"), result.error
    assert (result.instance_id, result.edit_of) == (edit, first)
    subs = central.submissions(central_project.id, "adult_indicators")
    assert [s["instanceId"] for s in subs] == [first]  # one record ...
    versions = central.request(
        "GET", f"/v1/projects/{central_project.id}/forms/adult_indicators/submissions/"
        f"{first}/versions").json()
    current = [v["instanceId"] for v in versions if v["current"]]
    assert current == [edit] and len(versions) == 2  # ... whose current version is the edit
    assert _exported_ages(central, central_project) == ["47"]  # decrypted: the new answer
    [entry] = ws.server.entries()
    assert (entry.state, entry.changed_after_sending, entry.sent_instance_id,
            entry.deprecated_id) == ("sent", False, edit, first)
    sent = [e.detail for e in ws.store.audit.entries() if e.action == "case.sent"]
    assert sent[-1]["edit_of"] == first and sent[-1]["encrypted"] is True
    assert "edit_of" not in sent[0]


def test_remove_after_sending_keeps_a_case_whose_interview_changed_after_it_was_sent(
        ws: Workspace, central: Any, central_project: Any) -> None:
    ws.server.configure(web_user(central, central_project))
    ws.server.publish("adult_indicators")
    a = case(ws)
    case_id = a["case_id"]
    b = case(ws, case_id=case_id)
    ws.server.queue(case_id, remove_after=True)
    ws.store.interviews.reopen(b["interview_id"])  # B waits: reopened after queueing
    results = {r.interview_id: r for r in ws.server.send()}
    assert results[a["interview_id"]].outcome == "sent"
    assert results[b["interview_id"]].error_kind == "not_finished"
    change_age(ws, a["interview_id"], 52, finish=False)  # A reopened after it was sent
    ws.store.interviews.finish(b["interview_id"], {})
    [result] = ws.server.send()  # B goes; the case must stay: A on the server is outdated
    assert (result.interview_id, result.outcome) == (b["interview_id"], "sent")
    assert result.note and "kept on this computer" in result.note
    assert a["interview_id"] in result.note and "reopened" in result.note
    assert case_id in [c.id for c in ws.store.cases.list()]
    ws.store.interviews.finish(a["interview_id"], {})
    assert ws.server.send() == []  # nothing queued, and still not removed
    assert case_id in [c.id for c in ws.store.cases.list()]
    ws.server.queue(case_id, remove_after=True)  # the change goes as an edit; then it may go
    [result] = ws.server.send()
    assert (result.interview_id, result.outcome) == (a["interview_id"], "removed")
    assert case_id not in [c.id for c in ws.store.cases.list()]
    subs = central.submissions(central_project.id, "adult_indicators")
    assert sorted(s["instanceId"] for s in subs) == sorted(
        f"uuid:{i['interview_id']}" for i in (a, b))
    assert sorted(_exported_ages(central, central_project)) == sorted(
        [str(ANSWERS["age"]), "52"])


def test_the_form_fetched_by_an_officer_laptop_is_audited_with_its_key(
        ws: Workspace, central: Any, central_project: Any, tmp_path: Path) -> None:
    from screening.server.settings import key_fingerprint

    with Workspace(tmp_path / "admin") as admin:
        admin.create(PASSPHRASE)
        admin.server.configure(web_user(central, central_project))
        published = admin.server.publish("adult_indicators")
    token = central.create_app_user(central_project.id, "synthetic officer laptop")
    central.assign_app_user(central_project.id, "adult_indicators", token)
    ws.server.configure(ServerSettings(url=central.url, project_id=central_project.id,
                                       app_user_token=token))
    configured = [e.detail for e in ws.store.audit.entries()
                  if e.action == "server.configured"]
    assert "managed_encryption" not in configured[-1]  # an app user cannot know it
    ws.server.queue(case(ws)["case_id"])
    assert ws.server.send()[0].outcome == "sent"
    [fetched] = [e.detail for e in ws.store.audit.entries() if e.action == "form.fetched"]
    assert published.public_key is not None
    assert fetched["key_fingerprint"] == key_fingerprint(published.public_key)
    assert json.dumps(fetched).count(published.public_key[:40]) == 0  # the key itself: no


def test_a_send_central_took_unconfirmed_then_a_change_goes_as_an_edit(
        ws: Workspace, central: Any, central_project: Any) -> None:
    # The answer to a send is lost (Central took it); the officer then corrects the
    # interview. The next send meets Central's copy of the old answers under the same
    # instanceID: it becomes an edit of it instead of a conflict for the administrator.
    ws.server.configure(web_user(central, central_project))
    ws.server.publish("adult_indicators")
    done = case(ws)
    first = f"uuid:{done['interview_id']}"
    ws.server.queue(done["case_id"])

    def answer_lost(settings: ServerSettings) -> CentralClient:
        client = default_client(settings)
        real = client.submit

        def submit(manifest: bytes, files: Any) -> Any:
            real(manifest, files)
            raise KeyboardInterrupt
        client.submit = submit  # type: ignore[method-assign]
        return client

    with pytest.raises(KeyboardInterrupt):
        ServerService(ws.store, ws.catalog, client_factory=answer_lost).send()
    change_age(ws, done["interview_id"], 39)
    [result] = ws.server.send()
    assert (result.outcome, result.edit_of) == ("sent", first), result.error
    subs = central.submissions(central_project.id, "adult_indicators")
    assert [s["instanceId"] for s in subs] == [first]
    assert _exported_ages(central, central_project) == ["39"]
    [entry] = ws.server.entries()
    assert (entry.state, entry.changed_after_sending) == ("sent", False)
