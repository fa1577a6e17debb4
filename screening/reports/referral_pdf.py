"""The referral PDF: platypus document, page chrome, and ``build_referral_pdf``.

Every page carries a confidentiality banner in the report's language and a footer with
"page X of Y", the document id, the FieldScreen version and the SHA-256 of the packet data.
All fonts are embedded (the canvas starts on a vendored font, so ReportLab's unembedded
Helvetica is never referenced). The packet is attached as ``referral.json``.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate
from reportlab.platypus.doctemplate import LayoutError

import screening
from screening.errors import ErrorCode, ReportError
from screening.i18n import Translator
from screening.reports import sections
from screening.reports.context import MUTED, RULE
from screening.reports.encrypt import atomic_write, finish_pdf
from screening.reports.fonts import FontSet, default_fonts
from screening.reports.packet import ReferralPacket
from screening.reports.text import Span, TextBlock, TextStyle

log = logging.getLogger(__name__)

PAGE = A4
MARGIN = 16 * mm
BANNER_GAP = 4 * mm
FOOTER_H = 13 * mm
BANNER_BG = colors.HexColor("#8b1a1a")

# ReportLab fonts keep per-document state and harfbuzz private glyph tables: one build at a
# time per process (builds take tens of milliseconds).
_build_lock = threading.Lock()


class _Chrome:
    """Banner and footer, drawn once the page count is known."""

    def __init__(self, packet: ReferralPacket, fonts: FontSet, packet_hash: str) -> None:
        self.packet = packet
        self.fonts = fonts
        self.hash = packet_hash
        self._ = Translator(packet.report_language)
        width = PAGE[0] - 2 * MARGIN
        self.banner = self._block(
            [
                Span(
                    self._(
                        "CONFIDENTIAL — sensitive personal data. Share only with the "
                        "services named in this packet, and only as the person agreed."
                    ),
                    bold=True,
                )
            ],
            TextStyle(size=8.5, color=colors.white, align="center"),
            width - 12,
        )
        self.banner_h = max(8 * mm, self.banner.height + 5)

    def _block(self, spans: list[Span], style: TextStyle, width: float) -> TextBlock:
        block = TextBlock(
            spans,
            style,
            rtl=self._.rtl,
            lang=self.packet.report_language,
            where="page chrome",
            fonts=self.fonts,
        ).prepare()
        block.wrap(width, PAGE[1])
        return block

    def footer(self, page: int, pages: int) -> list[TextBlock]:
        _ = self._
        width = PAGE[0] - 2 * MARGIN
        style = TextStyle(size=7, color=MUTED, align="center")
        first = [
            Span(_("Page {page} of {pages}").format(page=page, pages=pages) + "  ·  "
                 + _("Document {id}").format(id=self.packet.document_id) + "  ·  "),
            # One left-to-right run: in an Arabic footer it read "0.1.0 FieldScreen".
            Span("FieldScreen " + screening.__version__, isolate=True),
        ]
        # The hash of the embedded data, not of the file (`fieldscreen report` prints both).
        second = [Span(_("Data SHA-256 (referral.json): ")), Span(self.hash, isolate=True)]
        if self.packet.audit_anchor:
            entry, _sep, digest = self.packet.audit_anchor.partition(":")
            second += [Span("  ·  " + _("Audit anchor: ")),
                       Span(f"{entry}:{digest[:16]}", isolate=True)]
        return [self._block(first, style, width), self._block(second, style, width)]

    def draw(self, canv: Canvas, page: int, pages: int) -> None:
        w, h = PAGE
        canv.saveState()
        canv.setFillColor(BANNER_BG)
        box_h = self.banner_h
        top = h - MARGIN
        canv.rect(MARGIN, top - box_h, w - 2 * MARGIN, box_h, stroke=0, fill=1)
        self.banner.drawOn(canv, MARGIN + 6, top - box_h + (box_h - self.banner.height) / 2)
        y = MARGIN
        for block in reversed(self.footer(page, pages)):
            block.drawOn(canv, MARGIN, y)
            y += block.height
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(MARGIN, y + 2, w - MARGIN, y + 2)
        canv.restoreState()


def _canvas_maker(chrome: _Chrome) -> Any:
    class _NumberedCanvas(Canvas):
        """Keeps each page until save() so every footer can say "page X of Y"."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                chrome.draw(self, number, total)
                super().showPage()
            super().save()

    return _NumberedCanvas


def _bcp47(lang: str) -> str:
    return lang.replace("_", "-")


def pdf_date(packet: ReferralPacket) -> str:
    """The PDF's creation date, no finer than the packet keeps ``generated_at`` (the
    variant's policy made it a datetime, a date or a Month): a minimal copy's metadata
    says the month, not the second."""
    made = packet.generated_at
    if isinstance(made, datetime):
        return made.astimezone(UTC).strftime("D:%Y%m%d%H%M%SZ")
    if isinstance(made, date):
        return made.strftime("D:%Y%m%d")
    return f"D:{made.year:04d}{made.month:02d}"


def pdf_metadata(packet: ReferralPacket) -> dict[str, str]:
    """Title, author, subject and keywords, made only from the packet (so from what its
    variant kept): a redacted copy's metadata names no officer."""
    _ = Translator(packet.report_language)
    officer = ", ".join(x for x in (packet.interview.officer_name, packet.interview.agency) if x)
    return {
        "title": _("FieldScreen referral packet") + " " + packet.case_reference,
        "author": officer or "FieldScreen",
        "subject": packet.document_id,
        "keywords": f"FieldScreen, referral, {packet.variant}, {packet.case_reference}",
    }


def render_pdf_bytes(packet: ReferralPacket, *, fonts: FontSet | None = None) -> tuple[bytes, int]:
    """Build the (unencrypted, attachment-less) PDF in memory. Returns bytes and page count."""
    fonts = fonts or default_fonts()
    frame_w = PAGE[0] - 2 * MARGIN
    buf = BytesIO()
    with _build_lock:
        ctx = sections.Ctx(packet, fonts, frame_w)
        story = sections.story(ctx)  # resolves fonts and shapes: errors surface here
        chrome = _Chrome(packet, fonts, packet.packet_sha256())
        frame_h = PAGE[1] - 2 * MARGIN - chrome.banner_h - BANNER_GAP - FOOTER_H
        doc = BaseDocTemplate(
            buf,
            pagesize=PAGE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            initialFontName=fonts.base_font_name,
            creator="FieldScreen " + screening.__version__,
            **pdf_metadata(packet),
            lang=_bcp47(packet.report_language),
        )
        frame = Frame(
            MARGIN,
            MARGIN + FOOTER_H,
            frame_w,
            frame_h,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        try:
            doc.build(story, canvasmaker=_canvas_maker(chrome))
        except LayoutError as exc:
            raise ReportError(
                "the report content does not fit the page layout",
                code=ErrorCode.REPORT_FAILED,
                stage="layout",
            ) from exc
        pages = doc.page
    return buf.getvalue(), pages


def build_referral_pdf(
    packet: ReferralPacket, out_path: Path, *, password: str | None, allow_plaintext: bool = False
) -> str:
    """Write the referral PDF for ``packet`` to ``out_path``; return the file's SHA-256 hex.

    With ``password`` the file is AES-256 (R6) encrypted and nothing unencrypted touches the
    disk. Without one the call is refused unless ``allow_plaintext`` is true. The packet is
    rendered as it is: make a redacted or minimal copy with ``packet.for_variant()`` first
    (a packet marked as one cannot hold what that variant withholds).
    """
    if password is not None and not password:
        raise ReportError(
            "an empty password would not protect the PDF",
            code=ErrorCode.REPORT_FAILED,
            reason="empty_password",
        )
    if password is None and not allow_plaintext:
        raise ReportError(
            "refusing to write an unencrypted referral PDF without allow_plaintext=True",
            code=ErrorCode.REPORT_FAILED,
            reason="plaintext_not_allowed",
        )
    started = time.perf_counter()
    pdf, _pages = render_pdf_bytes(packet)
    data = finish_pdf(pdf, packet.canonical_json(), password, pdf_date(packet))
    digest = atomic_write(Path(out_path), data)
    # Events only: no document id, page count or protection of a case's report in the log.
    log.info("referral PDF written (%.0f ms)", (time.perf_counter() - started) * 1000)
    return digest
