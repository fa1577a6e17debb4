"""Referral packets: the data model, the multilingual PDF renderer and the service directory.

Public API::

    from screening.reports import ReferralPacket, build_referral_pdf
    sha = build_referral_pdf(packet, Path("referral.pdf"), password="...")
"""

from typing import TYPE_CHECKING, Any

from screening.reports.packet import (
    AppendixEntry,
    Consent,
    Contact,
    Flag,
    Indicator,
    IndicatorDomain,
    InstrumentInfo,
    Interview,
    Person,
    Referral,
    ReferralPacket,
    Result,
    packet_sha256,
)

if TYPE_CHECKING:
    from screening.reports.referral_pdf import build_referral_pdf


def __getattr__(name: str) -> Any:
    # The renderer (ReportLab, fonts, HarfBuzz) loads when the first PDF is made, not when
    # the directory or the packet model is imported (the app's first window needs neither).
    if name == "build_referral_pdf":
        from screening.reports.referral_pdf import build_referral_pdf

        return build_referral_pdf
    raise AttributeError(name)


__all__ = [
    "AppendixEntry",
    "Consent",
    "Contact",
    "Flag",
    "Indicator",
    "IndicatorDomain",
    "InstrumentInfo",
    "Interview",
    "Person",
    "Referral",
    "ReferralPacket",
    "Result",
    "build_referral_pdf",
    "packet_sha256",
]
