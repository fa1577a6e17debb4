"""What the sending UI says, in the officer's language: why something failed and what to do
about it (from the client's or the service's error kind), where an interview of a case
stands in the queue, and the outcome of a send. Shared by the Server tab and the send
dialogs.

The officer is not technical: every failure says what happened and who does what next
("ask your technical contact to …"). The service's own message (English, for that contact)
is shown only as "details", and ids (instanceID) only in tooltips. Names and ids are bidi
isolates, so a questionnaire title "(under 18)" keeps its brackets in an Arabic line.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.error_dialogs import message_for
from app.formatting import date_text, datetime_text, time_text
from app.qt_i18n import N_, _, ltr, ngettext
from app.viewmodels.server_vm import QueueEntry, SendReport, SendResult, ServerProblem, host_of
from screening.i18n.bidi import isolate

_AGAIN = N_("Queued interviews stay queued and are tried again by themselves. If this "
            "lasts, tell your technical contact.")

# By the error kind (screening.server.central_errors.ServerError.kind, or the service's own
# reason for one interview): what happened, and what the officer does next. Anything else
# falls back to the error code's message (app.error_dialogs) and the details.
PROBLEMS: dict[str, tuple[str, str]] = {
    "bad_url": (N_("That server address cannot be used."),
                N_("Ask your technical contact for the server's address (it starts with "
                   "https://) and type it in Settings › Server.")),
    "unreachable": (N_("The server could not be reached."),
                    N_("Check that this laptop is connected to the network. Queued "
                       "interviews are sent by themselves once the server can be reached. "
                       "If this lasts, ask your technical contact whether the server is "
                       "running.")),
    "tls": (N_("The server's identity could not be checked."),
            N_("Nothing was sent to it. Ask your technical contact to check the server's "
               "certificate, or to set the agency's CA file in Settings › Server.")),
    "timeout": (N_("The server took too long to answer."), _AGAIN),
    "auth": (N_("The server did not accept the sign-in."),
             N_("Ask your technical contact for a new app user token (or the right email "
                "and password) and enter it in Settings › Server.")),
    "no_form_access": (N_("The app user may not send this questionnaire to the server."),
                       N_("Ask your technical contact to give the app user access to this "
                          "form in ODK Central (the project's Form Access page). A new "
                          "token will not help. Then send again.")),
    "forbidden": (N_("This user may not do that on the server."),
                  N_("Ask your technical contact to give the user a role on the project in "
                     "ODK Central, then try again.")),
    "not_found": (N_("The server has no such project, or the address is not an ODK Central "
                     "server."),
                  N_("Ask your technical contact for the right address and project number "
                     "and correct them in Settings › Server.")),
    "form_not_published": (N_("The questionnaire is not published on the server."),
                           N_("Ask your technical contact to publish this questionnaire on "
                              "the server, then send again.")),
    "key_mismatch": (N_("The form on the server is locked with a different key than the "
                        "agency key set on this laptop."),
                     N_("Nothing was sent. Ask your technical contact to check the agency "
                        "public key in Settings › Server, or to publish the form again with "
                        "that key. Then send again.")),
    "conflict": (N_("The server already holds a different submission with the same id."),
                 N_("Nothing was overwritten. Tell your technical contact, with the case "
                    "reference.")),
    "refused": (N_("The server refused it."),
                N_("The interview stays on this laptop. Tell your technical contact, with "
                   "the case reference and the details.")),
    "server": (N_("The server had an internal error."), _AGAIN),
    "bad_response": (N_("The server's answer could not be understood."),
                     N_("Ask your technical contact to check that the address in Settings › "
                        "Server is the agency's ODK Central server.")),
    # the service's own reasons for one interview (screening/server/service.py)
    "plaintext_refused": (N_("The form on the server has no encryption key, so nothing was "
                             "sent."),
                          N_("Ask your technical contact to publish it with encryption, then "
                             "send again.")),
    "consent": (N_("The person's consent does not cover a copy on the agency's server."),
                N_("Nothing was sent.")),
    "not_finished": (N_("The interview was reopened and is not finished."),
                     N_("Finish it, then send again.")),
    "instrument_missing": (N_("The questionnaire of this interview is not on this laptop."),
                           N_("Ask your technical contact for the same version of the "
                              "questionnaire, import it in Settings › Questionnaires, then "
                              "send again.")),
    "build": (N_("The submission could not be made from this interview."),
              N_("Tell your technical contact, with the case reference and the details.")),
}
# A failure without a kind we know (its details say more).
UNKNOWN = (N_("It could not be sent."),
           N_("Tell your technical contact, with the case reference and the details."))
# Kinds whose wait ends by itself (the service retries them): no details needed.
PASSING = frozenset({"unreachable", "timeout", "tls", "server"})

BLOCKED: dict[str, str] = {
    "no_consent": N_("Cannot be sent: the person did not agree to a copy on the agency's "
                     "server."),
    "no_finished": N_("Cannot be sent yet: no interview of this case is finished."),
    "all_sent": N_("Every finished interview of this case is on the server."),
}


def name_text(name: str) -> str:
    """A questionnaire title or a person's name inside a line of the other direction: an
    isolate of its own direction, so "Youth quick screen (under 18)" keeps its brackets."""
    return isolate(name) if name else name


def parts(kind: str | None, code: str | None = None) -> tuple[str, str]:
    """What happened and what to do, translated."""
    if kind and kind in PROBLEMS:
        what, todo = PROBLEMS[kind]
        return _(what), _(todo)
    if code:
        return message_for(code)
    return _(UNKNOWN[0]), _(UNKNOWN[1])


def details_line(message: str | None) -> str:
    """The service's own (English) message, labelled for the technical contact."""
    if not message:
        return ""
    return _("Details for your technical contact: {message}").format(
        message=ltr(" ".join(message.split())))


def problem_headline(problem: ServerProblem) -> str:
    return parts(problem.kind, problem.code)[0]


def problem_text(problem: ServerProblem) -> str:
    """What happened and what to do, in the officer's language; the service's message (which
    names the server) below; the incident number of a crash."""
    what, todo = parts(problem.kind, problem.code)
    text = what + " " + todo
    if problem.message:
        text += "\n" + details_line(problem.message)
    if problem.incident:
        text += "\n" + _("Incident number: {incident}").format(incident=problem.incident)
    return text


def show_problem(parent: QWidget | None, problem: ServerProblem) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, _("Send to server"), problem_text(problem),
                      parent=parent)
    box.setObjectName("serverProblem")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(box.addButton(_("OK"), QMessageBox.ButtonRole.AcceptRole))
    box.setAccessibleName(problem_headline(problem))
    box.open()
    return box


def failure_text(kind: str | None) -> str:
    """A failed interview: what happened and what to do."""
    what, todo = parts(kind)  # an unknown kind: "tell your contact", with the details
    return what + " " + todo


def changed_after_sending(entry: QueueEntry) -> bool:
    """Sent, then reopened or changed here: the server's copy is older until it is sent
    again (as an ODK edit)."""
    return entry.changed_after_sending


def entry_text(entry: QueueEntry) -> str:
    """One interview's place in the queue: sent where and when, changed since, or why it
    waits and what to do."""
    if entry.state == "sent":
        if changed_after_sending(entry):
            return _("Changed after it was sent: send again to update the server's copy.")
        return _("Sent to {host} on {date}").format(
            host=ltr(host_of(entry.sent_server)), date=date_text(entry.sent_at or ""))
    kind = entry.last_error_kind
    if entry.state == "failed":
        return _("Not sent: {problem}").format(problem=failure_text(kind))
    if entry.last_error and entry.next_attempt_at:
        what = parts(kind)[0]
        return _("Queued: {error} Next try at {time}.").format(
            error=what, time=datetime_text(entry.next_attempt_at))
    return _("Queued, not sent yet.")


def entry_details(entry: QueueEntry) -> str:
    """For the technical contact (a tooltip, or a line under a failure): the interview's
    instanceID, where it went, and the service's message."""
    lines = []
    if entry.state == "sent" and entry.sent_at:
        lines.append(_("Sent to {host} on {date}").format(
            host=ltr(host_of(entry.sent_server)), date=datetime_text(entry.sent_at)))
    lines.append(_("Interview id on the server: {id}").format(id=ltr(entry.instance_id)))
    if entry.state != "sent" and entry.last_error:
        lines.append(details_line(entry.last_error))
    return "\n".join(lines)


def entry_needs_details(entry: QueueEntry) -> bool:
    """A failure the officer must take to their technical contact: its details are shown,
    not only in a tooltip."""
    return entry.state == "failed" and bool(entry.last_error) and (
        entry.last_error_kind not in PASSING)


def result_name(result: SendResult, titles: dict[str, str]) -> str:
    """The interview in a send's result: its questionnaire when it is this case's, else its
    case reference, else its instanceID."""
    title = titles.get(result.interview_id)
    if title:
        return name_text(title)
    if result.case_reference:
        return _("Case {reference}").format(reference=ltr(result.case_reference))
    return ltr(result.instance_id)


def result_text(result: SendResult, titles: dict[str, str]) -> str:
    """One interview's outcome in a send, and for a failure what to do."""
    name = result_name(result, titles)
    if result.outcome == "sent":
        text = "✓ " + _("{name}: sent to {host}").format(name=name, host=ltr(
            host_of(result.server)))
        if result.error:  # sent, but the case was kept (changed meanwhile): say why
            text += " " + _("The case was kept on this laptop.")
        return text
    if result.outcome == "already_sent":
        return "✓ " + _("{name}: already on the server").format(name=name)
    if result.outcome == "removed":  # sent, and then the case was removed
        return "✓ " + " ".join((_("{name}: sent to {host}").format(
            name=name, host=ltr(host_of(result.server))),
            _("The case was removed from this laptop.")))
    if result.outcome == "would_send":
        return "· " + _("{name}: would be sent").format(name=name)
    return "✗ " + _("{name}: not sent.").format(name=name) + " " + failure_text(
        result.error_kind)


def result_details(result: SendResult) -> str:
    """For the technical contact (the result's tooltip): instanceID and the message."""
    lines = [_("Interview id on the server: {id}").format(id=ltr(result.instance_id))]
    if result.error:
        lines.append(details_line(result.error))
    return "\n".join(lines)


def report_text(report: SendReport) -> str:
    ok = report.count("sent", "already_sent", "removed")
    failed = report.count("failed")
    if not report.results:
        return _("Nothing was waiting to be sent.")
    if not failed:
        # Translators: plural forms; Arabic: no numeral in the singular and dual forms.
        return "✓ " + ngettext("{n} interview is now on the server.",
                               "{n} interviews are now on the server.", ok).format(n=ok)
    text = "✗ " + ngettext("{n} interview was not sent and stays on this laptop.",
                           "{n} interviews were not sent and stay on this laptop.",
                           failed).format(n=failed)
    if report.next_retry_at:
        text += " " + _("Next automatic try at {time}.").format(
            time=time_text(report.next_retry_at))
    return text
