"""Referral packets: the data model, the multilingual PDF renderer and the service directory.

Public API::

    from screening.reports import ReferralPacket, build_referral_pdf
    sha = build_referral_pdf(packet, Path("referral.pdf"), password="...")
"""

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
from screening.reports.referral_pdf import build_referral_pdf

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
