"""Sending to the agency's server: the case's "Send to server…" panel, the send dialog (what
goes where, "remove after sending", progress and each interview's result) and the main
window's "Send queued (N)" with its progress bar.

All of it lives on the officer's window; the respondent view never shows any of it. The
wording (what failed, where an interview stands) is in ``server_texts.py``.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.formatting import time_text
from app.qt_i18n import _, ltr, ngettext, ui_language
from app.viewmodels.cases_vm import CaseDetail
from app.viewmodels.server_vm import (
    CaseServerState,
    SendReport,
    SendResult,
    ServerProblem,
    ServerViewModel,
)
from app.widgets.common import acc, heading, muted, plain_label, refresh_heading, set_button
from app.windows import dialogs
from app.windows.server_texts import (
    BLOCKED,
    changed_after_sending,
    entry_details,
    entry_needs_details,
    entry_text,
    name_text,
    problem_text,
    report_text,
    result_details,
    result_text,
    show_problem,
)


def result_item(result: SendResult, titles: dict[str, str]) -> QListWidgetItem:
    """A send's result line; the instanceID and the service's message in its tooltip."""
    item = QListWidgetItem(result_text(result, titles))
    item.setToolTip(result_details(result))
    return item


class SendDialog(QDialog):
    """Send to server…: names the server and what is sent; on Send, queues the case and
    sends, with a progress bar and each interview's result.

    Emits:
    case_changed(str): the case id, after a send (its state changed, or it was removed).
    """

    case_changed = Signal(str)

    def __init__(self, vm: ServerViewModel, detail: CaseDetail, state: CaseServerState,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sendDialog")
        self.setModal(True)
        self.vm = vm
        self.detail = detail
        self.state = state
        self.titles = {r.id: r.instrument for r in detail.interviews}
        self.removed = False
        layout = QVBoxLayout(self)
        self.title = heading("", self, factor=1.2)
        self.where = plain_label("", self)
        self.what = plain_label("", self)
        self.items = QListWidget(self)
        self.items.setWordWrap(True)
        self.items.setSpacing(2)
        self.items.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.others = plain_label("", self)
        muted(self.others)
        self.remove_after = QCheckBox(self)
        self.progress = QProgressBar(self)
        self.progress.setFormat("%v / %m")
        self.progress.hide()
        self.results = QListWidget(self)
        self.results.setWordWrap(True)
        self.results.setSpacing(3)  # one interview's lines apart from the next's
        self.results.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.results.hide()
        self.status = plain_label("", self, selectable=True)
        for w in (self.title, self.where, self.what, self.items, self.others,
                  self.remove_after, self.progress, self.results, self.status):
            layout.addWidget(w)
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self._cancel)
        self.send_button = QPushButton(self)
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.send_button)
        layout.addLayout(buttons)
        self.resize(620, 460)
        vm.progress.connect(self._progress)
        vm.send_finished.connect(self._finished)
        vm.send_failed.connect(self._failed)
        self._running = False
        self._ended = False
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Send to server"))
        refresh_heading(self.title, _("Send case {reference} to the server").format(
            reference=ltr(self.detail.reference)), 1.2)
        self.where.setText(_("To: {host}, project {project}").format(
            host=ltr(self.state.host), project=self.state.project_id))
        self.what.setText(_("What is sent: the answers of each finished interview below, "
                            "encrypted on this laptop for the agency before they leave it. "
                            "The details recorded with the case (name, date of birth, "
                            "contact) are not sent."))
        sent = {e.interview_id: e for e in self.state.entries if e.state == "sent"}
        self.items.clear()
        for row in self.detail.interviews:
            if row.finished:
                text = _("{instrument} · started {date}").format(
                    instrument=name_text(row.instrument), date=row.started)
                if row.id in sent and changed_after_sending(sent[row.id]):
                    text += " · " + _("changed since it was sent: the server's copy is "
                                      "updated")
                elif row.id in sent:
                    text += " · " + _("already on the server")
                self.items.addItem(text)
        acc(self.items, _("Interviews to send"))
        mine = {e.interview_id for e in self.state.entries}
        others = sum(1 for e in self.vm.entries() if e.state in ("queued", "failed")
                     and e.interview_id not in mine)
        # Translators: plural forms; Arabic: no numeral in the singular and dual forms.
        self.others.setText(ngettext(
            "{n} more interview waiting in the queue is sent with it.",
            "{n} more interviews waiting in the queue are sent with it.", others
        ).format(n=others))
        self.others.setVisible(others > 0 and not self._running)
        set_button(self.remove_after, _("Remove this case from this laptop after it is sent"))
        acc(self.progress, _("Sending to the server"))
        acc(self.results, _("Result for each interview"))
        self._buttons()

    def _buttons(self) -> None:
        if self._ended:
            set_button(self.send_button, _("Close"))
            self.cancel_button.hide()
        elif self._running:
            set_button(self.cancel_button, _("Stop"),
                       _("Stop after the interview being sent; the rest stay queued"))
            self.send_button.setEnabled(False)
            set_button(self.send_button, _("Sending…"))
        else:
            set_button(self.cancel_button, _("Cancel"))
            set_button(self.send_button, _("Send"))

    def send(self) -> None:
        if self._ended:
            self.accept()
            return
        if self._running:
            return
        remove = self.remove_after.isChecked()
        if remove and not dialogs.ask(self, _("Remove the case after sending?"), _(
                "Once every interview of case {reference} is on the server, the case and "
                "every interview, answer and note in it are deleted from this laptop for "
                "good. Backups made earlier still contain it.").format(
                    reference=self.detail.reference), _("Send, then remove"), danger=True):
            return
        if not self.vm.queue_and_send(self.detail.id, remove_after=remove):
            self.status.setText("✗ " + _("Another send is running. Try again when it ends."))
            return
        self._running = True
        for w in (self.what, self.items, self.others, self.remove_after):
            w.hide()
        self.progress.setRange(0, 0)  # until the first interview is done
        self.progress.show()
        self.results.show()
        self.status.setText(_("Sending…"))
        self._buttons()

    def _cancel(self) -> None:
        if self._running:
            self.vm.stop()
            self.status.setText(_("Stopping after the interview being sent…"))
            self.cancel_button.setEnabled(False)
            return
        self.reject()

    def _progress(self, done: int, total: int, result: SendResult) -> None:
        if not self._running:
            return
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.results.addItem(result_item(result, self.titles))
        if result.outcome == "removed" and result.case_id == self.detail.id:
            self.removed = True

    def _finished(self, report: SendReport) -> None:
        if not self._running:
            return
        self._running = False
        self._ended = True
        if self.progress.maximum() == 0:
            self.progress.setRange(0, max(len(report.results), 1))
        self.progress.setValue(self.progress.maximum() if not report.count("failed")
                               else report.count("sent", "already_sent", "removed"))
        if self.results.count() == 0:
            for result in report.results:
                self.results.addItem(result_item(result, self.titles))
        self.status.setText(report_text(report))
        self._buttons()
        self.send_button.setEnabled(True)
        self.send_button.setFocus()
        self.case_changed.emit(self.detail.id)

    def _failed(self, problem: ServerProblem) -> None:
        if not self._running:
            return
        self._running = False
        self._ended = True
        self.progress.hide()
        self.status.setText("✗ " + problem_text(problem))
        self._buttons()
        self.send_button.setEnabled(True)
        self.case_changed.emit(self.detail.id)


class _FittingScroll(QScrollArea):
    """A wrapped label as tall as its text where the case's side has room, scrolling where
    it has not (a failure's advice in Arabic on a 768-pixel screen): never cut off."""

    def __init__(self, label: QLabel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.setWidget(label)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        policy = self.sizePolicy()
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(self.label.heightForWidth(width), 0)

    def sizeHint(self) -> QSize:
        width = max(self.width(), 200)
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.fontMetrics().lineSpacing() * 2)


class CaseServerPanel(QWidget):
    """The case's line about the server (sent where and when, or queued and why) and its
    "Send to server…" button; hidden while no server is configured.

    Emits:
    case_changed(str): a send for this case ended (refresh it; it may have been removed).
    """

    case_changed = Signal(str)

    def __init__(self, vm: ServerViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.detail: CaseDetail | None = None
        self.state: CaseServerState | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.state_label = plain_label("", self, selectable=True)
        self.state_label.setObjectName("caseServerState")
        # A failure to take to the technical contact: the service's own message, on demand
        # (the panel stays short; the instanceIDs are in the state line's tooltip).
        self.details_button = QPushButton(self)
        self.details_button.setObjectName("caseServerDetails")
        self.details_button.setFlat(True)
        self.details_button.clicked.connect(self.show_details)
        self.details = ""
        self.send_button = QPushButton(self)
        self.send_button.clicked.connect(self.open_send)
        self.state_area = _FittingScroll(self.state_label, self)
        layout.addWidget(self.state_area)
        layout.addWidget(self.details_button)
        layout.addWidget(self.send_button)
        self.dialog: SendDialog | None = None
        # bound methods, not lambdas: Qt drops them with the panel
        vm.saved.connect(self._changed)
        vm.forgotten.connect(self.refresh)
        vm.send_finished.connect(self._changed)  # the automatic retry too
        self.show_case(None)

    def retranslate(self) -> None:
        self.show_case(self.detail)

    def refresh(self) -> None:
        self.show_case(self.detail)

    def _changed(self, _what: object) -> None:
        self.refresh()

    def show_case(self, detail: CaseDetail | None) -> None:
        self.detail = detail
        state = None
        if detail is not None and self.vm.app_vm.is_open:
            state = self.vm.case_state(detail.id)
        self.state = state
        if state is None or not state.configured:
            self.state_label.clear()
            self.hide()
            return
        titles = {r.id: r.instrument for r in detail.interviews} if detail else {}
        lines, tips, needed = [], [], []
        for entry in state.entries:
            text = entry_text(entry)
            if len(titles) > 1 and entry.interview_id in titles:
                text = name_text(titles[entry.interview_id]) + ": " + text
            lines.append(text)
            tips.append(entry_details(entry))
            if entry_needs_details(entry):  # to take to the technical contact
                name = titles.get(entry.interview_id, "")
                needed.append((name_text(name) + "\n" if name else "") + entry_details(entry))
        if (state.blocked and state.blocked != "all_sent") or not lines:
            lines.append(_(BLOCKED[state.blocked]) if state.blocked else _("Not sent yet."))
        self.state_label.setText("\n".join(lines))
        self.state_label.setToolTip("\n\n".join(tips))
        self.state_area.updateGeometry()
        self.details = "\n\n".join(needed)
        set_button(self.details_button, _("Details for your technical contact…"))
        self.details_button.setVisible(bool(needed))
        reason = _(BLOCKED[state.blocked]) if state.blocked else _(
            "Queue this case's finished interviews and send them to {host}").format(
                host=ltr(state.host))
        set_button(self.send_button, _("Send to server…"), reason)
        self.send_button.setEnabled(not state.blocked)
        self.show()

    def show_details(self) -> QMessageBox:
        """The failures' details, selectable, to read out or copy for the technical
        contact."""
        box = QMessageBox(QMessageBox.Icon.Information, _("Send to server"), self.details,
                          parent=self)
        box.setObjectName("caseServerDetailsBox")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addButton(_("OK"), QMessageBox.ButtonRole.AcceptRole)
        box.setAccessibleName(_("Details for your technical contact…"))
        box.open()
        return box

    def open_send(self) -> SendDialog | None:
        if self.detail is None or self.state is None or self.state.blocked:
            return None
        dialog = SendDialog(self.vm, self.detail, self.state, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.case_changed.connect(self.case_changed)
        dialog.finished.connect(self._dialog_closed)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dialog_closed(self) -> None:
        self.dialog = None


class ServerControls(QWidget):
    """In the main window's header: "Send queued (N)" and a progress bar while a send runs
    (the officer's or the automatic retry). Results of a send asked for here are shown in
    a message; the automatic retry stays quiet (the count and its tooltip say how it went)."""

    def __init__(self, window: QMainWindow, header: QWidget, vm: ServerViewModel) -> None:
        super().__init__(header)
        self.window_ = window
        self.vm = vm
        self._mine = False
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.progress = QProgressBar(self)
        self.progress.setFormat("%v / %m")
        self.progress.setMaximumWidth(180)
        self.progress.hide()
        self.send_button = QPushButton(self)
        self.send_button.setObjectName("sendQueued")
        self.send_button.clicked.connect(self.send_queued)
        row.addWidget(self.progress)
        row.addWidget(self.send_button)
        self.count = 0
        self.last: SendReport | None = None
        vm.queue_changed.connect(self._count)
        vm.sending.connect(self._sending)
        vm.progress.connect(self._progress)
        vm.send_finished.connect(self._finished)
        vm.send_failed.connect(self._failed)
        vm.saved.connect(self._recount)
        vm.forgotten.connect(self._recount)
        ui_language().language_changed.connect(self._language_changed)
        self._render()

    def _language_changed(self, _lang: str) -> None:
        self._render()

    def _render(self) -> None:
        set_button(self.send_button, _("Send queued ({n})").format(n=self.count),
                   self._tooltip())
        acc(self.progress, _("Sending to the server"))
        self.send_button.setVisible(self.count > 0 and not self.vm.busy)

    def _tooltip(self) -> str:
        # Translators: plural forms; Arabic: no numeral in the singular and dual forms.
        text = ngettext("{n} interview is waiting to be sent to the agency's server.",
                        "{n} interviews are waiting to be sent to the agency's server.",
                        self.count).format(n=self.count)
        at = self.vm.next_retry_at() if self.count else None
        if at:
            text += " " + _("Next automatic try at {time}.").format(time=time_text(at))
        return text

    def _recount(self, *_a: object) -> None:
        self._count(self.vm.waiting())

    def _count(self, n: int) -> None:
        self.count = n
        self._render()

    def send_queued(self) -> None:
        if self.vm.send_waiting():
            self._mine = True

    def _sending(self, on: bool) -> None:
        if on:
            self.progress.setRange(0, 0)
        self.progress.setVisible(on)
        self._render()

    def _progress(self, done: int, total: int, _result: SendResult) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _finished(self, report: SendReport) -> None:
        self.last = report
        mine, self._mine = self._mine, False
        if mine and self.vm.active:
            dialogs.inform(self.window_, _("Send queued"), report_text(report) + "\n\n" +
                           "\n".join(result_text(r, {}) for r in report.results))

    def _failed(self, problem: ServerProblem) -> None:
        mine, self._mine = self._mine, False
        if mine and self.vm.active:
            show_problem(self.window_, problem)
