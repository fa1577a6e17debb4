"""Review: answers by section (edit any), what the last edit changed, indicators, outcome."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.error_dialogs import show_error
from app.qt_i18n import N_, _, ngettext
from app.viewmodels.interview_vm import InterviewViewModel
from app.viewmodels.review import SEVERITY_TEXT
from app.widgets.bidi_view import data, show_isolated
from app.widgets.bidi_view import lines as bidi_lines
from app.widgets.common import Banner, acc, heading, plain_label, refresh_heading, set_button
from app.windows import dialogs

KEY_ROLE = Qt.ItemDataRole.UserRole + 1  # the item key, editable or not
STATE_TEXT = {
    "answered": N_("Answered"),
    "special": N_("Answered (no value)"),
    "unanswered": N_("No answer yet"),
    "not_asked": N_("No longer asked: answer kept, not counted"),
}
CHANGE_TEXT = {
    "edited": N_("Changed"),
    "now_asked": N_("Now asked"),
    "no_longer_asked": N_("No longer asked"),
}


class OutcomeBanner(Banner):
    """The outcome's banner: its colour and icon follow how much the outcome asks of the
    officer (``LEVEL_SEVERITY``: red for "Urgent: act now", amber when indicators are
    present or key answers are missing, blue otherwise), and its words say the same, so
    colour is never the only signal (issue #14)."""

    ICONS: ClassVar[dict[str, QStyle.StandardPixmap]] = {
        "urgent": QStyle.StandardPixmap.SP_MessageBoxCritical,
        "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
        "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
        "notice": QStyle.StandardPixmap.SP_FileDialogInfoView,
    }
    # "notice": some indicators, not enough on their own (issue #16): a calm grey, no alarm.
    STYLES: ClassVar[dict[str, str]] = {
        **Banner.STYLES,
        "notice": "background:#eef1f4; color:#1f2933; border:1px solid #9aa5b1;",
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("info", parent)
        self.severity = "info"
        self.icon = QLabel(self)
        layout = self.layout()
        assert isinstance(layout, QHBoxLayout)
        layout.insertWidget(0, self.icon, 0, Qt.AlignmentFlag.AlignTop)

    def set_outcome(self, severity: str, text: str) -> None:
        severity = severity if severity in self.ICONS else "info"
        self.severity = severity
        style = self.STYLES[severity]
        self.setObjectName(f"banner_{severity}")  # as Banner(kind) styles itself
        self.setStyleSheet(f"QFrame#{self.objectName()} {{{style}}}"
                           f" QLabel {{{style.split(';')[1]}; border:none;}}")
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize) * 3 // 2
        # On a white disc: the danger icon is red, like the urgent banner behind it.
        self.icon.setStyleSheet(f"QLabel {{ background: white; padding: 2px;"
                                f" border-radius: {size // 2 + 2}px; }}")
        self.icon.setPixmap(self.style().standardIcon(self.ICONS[severity]).pixmap(size, size))
        self.icon.setVisible(bool(text))
        self.icon.setAccessibleName(_(SEVERITY_TEXT[severity]))
        self.set_text(text, bold=True)
        self.setAccessibleDescription(_(SEVERITY_TEXT[severity]))


class ReviewPage(QWidget):
    """Emits:
    edit_requested(str): the item key to show in the interview screen.
    back_requested(): back to the questions.
    finished(str): the interview id, after the result was stored.
    referral_requested(str): the case id (for an interview that was already finished).
    """

    edit_requested = Signal(str)
    back_requested = Signal()
    finished = Signal(str)
    referral_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm: InterviewViewModel | None = None
        layout = QVBoxLayout(self)
        self.title = heading("", self)
        self.changes = Banner("info", self)
        self.changes.hide()
        layout.addWidget(self.title)
        layout.addWidget(self.changes)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.tree = QTreeWidget(split)
        self.tree.setColumnCount(3)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # The question gets the room; the answer and status columns a fixed share the
        # officer can drag (a long status wraps instead of cutting the questions off).
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, chars in ((1, 22), (2, 20)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, self.fontMetrics().averageCharWidth() * chars)
        # Questions and answers are in the officer's language, the status in the UI's: each
        # cell keeps its own direction ("?How old are you" in an Arabic UI otherwise).
        show_isolated(self.tree)
        self.tree.itemActivated.connect(lambda _i, _c: self._edit())
        self.tree.currentItemChanged.connect(lambda *_a: self._update_buttons())
        # The outcome scrolls: with its reason, elements and indicators (issue #16) it can
        # be taller than the window.
        self.outcome_area = QScrollArea(split)
        self.outcome_area.setWidgetResizable(True)
        self.outcome_area.setFrameShape(QFrame.Shape.NoFrame)
        # Wide enough for "Act: 1 · Means: 2 (1 strong) · Purpose: 1" on one or two lines.
        self.outcome_area.setMinimumWidth(self.fontMetrics().averageCharWidth() * 36)
        outcome = QWidget(self.outcome_area)
        self.outcome_area.setWidget(outcome)
        out_layout = QVBoxLayout(outcome)
        self.outcome_title = heading("", outcome, factor=1.2)
        self.level = OutcomeBanner(outcome)
        self.urgent = Banner("urgent", outcome)
        self.held_back = Banner("warning", outcome)  # discreet mode (issue #14)
        self.held_back.hide()
        self.outcome_label = plain_label("", outcome)
        self.details = plain_label("", outcome, selectable=True)
        for w in (self.outcome_title, self.level, self.urgent, self.held_back,
                  self.outcome_label, self.details):
            out_layout.addWidget(w)
        out_layout.addStretch(1)
        split.addWidget(self.tree)
        split.addWidget(self.outcome_area)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)
        buttons = QHBoxLayout()
        self.back_button = QPushButton(self)
        self.back_button.clicked.connect(self.back_requested)
        self.edit_button = QPushButton(self)
        self.edit_button.clicked.connect(self._edit)
        self.finish_button = QPushButton(self)
        self.finish_button.clicked.connect(self.finish)
        self.referral_button = QPushButton(self)
        self.referral_button.clicked.connect(
            lambda: self.vm and self.referral_requested.emit(self.vm.case_id))
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.finish_button)
        buttons.addWidget(self.referral_button)
        layout.addLayout(buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.finish)
        self.retranslate()

    def retranslate(self) -> None:
        self.tree.setHeaderLabels([_("Question"), _("Answer"), _("Status")])
        acc(self.tree, _("Answers by section"))
        refresh_heading(self.outcome_title, _("Outcome"), 1.2)
        set_button(self.back_button, _("Back to the questions"))
        set_button(self.edit_button, _("Change this answer"))
        set_button(self.finish_button, _("Finish interview (Ctrl+Enter)"))
        set_button(self.referral_button, _("Referral…"))
        self.refresh()

    def open(self, vm: InterviewViewModel) -> None:
        self.vm = vm
        vm.begin_review()
        self.refresh()
        self.tree.setFocus()

    def refresh(self) -> None:
        vm = self.vm
        if vm is None:
            refresh_heading(self.title, _("Review"))
            return
        refresh_heading(self.title, _("Review · {title} · case {reference}").format(
            title=data(vm.title), reference=data(vm.case_reference)))
        self._fill_tree()
        self._fill_outcome()
        self._fill_held_back()
        self.finish_button.setVisible(not vm.already_finished)
        self.referral_button.setVisible(vm.already_finished)
        self._update_buttons()

    def _fill_tree(self) -> None:
        assert self.vm is not None
        current = self.tree.currentItem()
        keep = current.data(0, Qt.ItemDataRole.UserRole) if current else None
        self.tree.clear()
        sections: dict[str, QTreeWidgetItem] = {}
        counts = {"now_asked": 0, "no_longer_asked": 0}
        select = None
        for row in self.vm.review_rows():
            parent = sections.get(row.section)
            if parent is None:
                parent = QTreeWidgetItem([row.section])
                parent.setFirstColumnSpanned(True)
                font = parent.font(0)
                font.setBold(True)
                parent.setFont(0, font)
                self.tree.addTopLevelItem(parent)
                parent.setExpanded(True)
                sections[row.section] = parent
            status = _(STATE_TEXT[row.state])
            if row.change:
                status = _(CHANGE_TEXT[row.change]) + " · " + status
                counts[row.change] = counts.get(row.change, 0) + 1
            item = QTreeWidgetItem([row.question, row.answer, status])
            item.setData(0, Qt.ItemDataRole.UserRole, row.key if row.editable else None)
            item.setData(0, KEY_ROLE, row.key)
            item.setToolTip(0, row.question)
            item.setToolTip(2, status)  # a long status may be cut off in its column
            if row.change:
                for col in range(3):
                    font = item.font(col)
                    font.setItalic(True)
                    item.setFont(col, font)
            parent.addChild(item)
            if row.key == keep and row.editable:
                select = item
        if select is not None:
            self.tree.setCurrentItem(select)
        lines = []
        if counts["now_asked"]:
            lines.append(ngettext("{n} question is now asked because of a change.",
                                  "{n} questions are now asked because of a change.",
                                  counts["now_asked"]).format(n=counts["now_asked"]))
        if counts["no_longer_asked"]:
            lines.append(ngettext(
                "{n} answer is no longer asked: it is kept but not counted.",
                "{n} answers are no longer asked: they are kept but not counted.",
                counts["no_longer_asked"]).format(n=counts["no_longer_asked"]))
        self.changes.setVisible(bool(lines))
        self.changes.set_text(_("Changes: ") + " ".join(lines) if lines else "")

    def _fill_outcome(self) -> None:
        assert self.vm is not None
        result = self.vm.result_view()
        self.level.set_outcome(result.severity, result.level_text)
        self.urgent.setVisible(bool(result.flags))
        self.urgent.set_text(bidi_lines(["⚠ " + "\n".join(
            _("Urgent: {label}. {message}").format(label=data(label), message=data(message))
            for label, message in result.flags)], self), bold=True)
        # The instrument's words (officer's language) inside the UI's: lines of the UI's
        # direction with the data isolated, as the referral page does.
        self.outcome_label.setText(bidi_lines([data(result.label)], self))
        parts = []
        if result.reason:
            parts.append(result.reason)
        if result.elements:  # act / means / purpose at a glance, before the list
            parts.append("\n".join(filter(None, (_("Elements found: ") + result.elements,
                                                  result.elements_missing))))
        if result.indicators:
            parts.append(_("Indicators found:") + "\n" + "\n".join(
                "• " + i for i in result.indicators))
        else:
            parts.append(_("No indicators found."))
        if result.unanswered_core:
            parts.append(_("Key questions without an answer:") + "\n" + "\n".join(
                "• " + data(q) for q in result.unanswered_core))
        if result.missing_required:
            parts.append(_("Required questions without an answer:") + "\n" + "\n".join(
                "• " + data(q) for q in result.missing_required))
        parts.append(_("This screen never decides whether someone is a victim of trafficking."))
        self.details.setText(bidi_lines("\n\n".join(parts).split("\n"), self))
        acc(self.details, _("Outcome details"))

    def _fill_held_back(self) -> None:
        """Sections held back while a companion is present: how many, never which questions
        (the core decides; their rows are left out of the tree)."""
        assert self.vm is not None
        session = self.vm.session
        sections = len(session.held_back_sections())
        questions = len(session.missing_held_back())
        self.held_back.setVisible(bool(sections))
        if sections:
            self.held_back.set_text("\n".join((
                _("Screening incomplete: some sections were held back while someone who came "
                  "with the person was present."),
                _("Sections held back: {sections}. Questions waiting: {questions}.").format(
                    sections=sections, questions=questions),
                _("They come back when you record that the person is alone."))))

    def _update_buttons(self) -> None:
        item = self.tree.currentItem()
        key = item.data(0, Qt.ItemDataRole.UserRole) if item else None
        editable = bool(key) and self.vm is not None and not self.vm.already_finished
        self.edit_button.setEnabled(editable)
        self.back_button.setEnabled(self.vm is not None and not self.vm.already_finished)

    def _edit(self) -> None:
        item = self.tree.currentItem()
        key = item.data(0, Qt.ItemDataRole.UserRole) if item else None
        if key and self.vm is not None and not self.vm.already_finished:
            self.edit_requested.emit(key)

    def finish(self) -> None:
        vm = self.vm
        if vm is None or vm.already_finished:
            return
        missing = vm.result_view().missing_required
        if missing and not dialogs.ask(self, _("Finish with questions unanswered?"), ngettext(
                "{n} required question has no answer. Finish anyway?",
                "{n} required questions have no answer. Finish anyway?",
                len(missing)).format(n=len(missing)), _("Finish anyway"), _("Back")):
            return
        if self.vm is vm and vm.finish():
            self.finished.emit(vm.interview_id)

    def show_failure(self, code: str) -> None:
        show_error(self, code)

    def clear_personal_data(self) -> None:
        self.vm = None
        self.tree.clear()
        self.details.clear()
        self.outcome_label.clear()
        self.urgent.set_text("")
        self.held_back.set_text("")
        self.held_back.hide()
        self.level.set_outcome("info", "")
        self.changes.set_text("")
        refresh_heading(self.title, _("Review"))
