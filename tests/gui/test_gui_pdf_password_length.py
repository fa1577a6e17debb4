"""A PDF password longer than poppler-based readers accept (issue #15, review) is refused
as it is typed, with the core's reason, and "Make PDF…" stays disabled."""

from __future__ import annotations

from typing import Any

from test_gui_report_password import _settled, page

from app.windows.referral_page import ReferralPage

__all__ = ["page"]  # the fixture, shared with test_gui_report_password

LONG = "lantern orchard velvet harbour 2031"  # strong, and 35 characters


def test_a_password_over_32_characters_is_refused_live(qtbot: Any, page: ReferralPage) -> None:
    page.protect.setChecked(True)
    page.password.setText(LONG)
    _settled(qtbot, page)
    reason = page.pdf_password.status.text()
    assert "at most 32 characters" in reason and "Send to" in reason
    page.pdf_password.confirm.edit.setText(LONG)
    assert not page.generate_button.isEnabled()
    page.password.setText(LONG[:32])
    page.pdf_password.confirm.edit.setText(LONG[:32])
    _settled(qtbot, page)
    assert "32" not in page.pdf_password.status.text()
    assert page.generate_button.isEnabled()
