"""Who made a packet's interview and who holds the case now (issue #15, review).

The interview's officer and agency are the ones stored with it (schema 5). An interview made
here before they were stored falls back to this store's officer profile; a received one never
does: it was the sending agency's (``received_referrals``), and the contact for a packet
written from it is whoever holds the case now (``ReferralPacket.holder``), labelled so.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from screening.reports.packet import Holder, Interview, ReceivedFrom

if TYPE_CHECKING:
    from screening.casework.preferences import OfficerProfile
    from screening.store.models import InterviewMeta
    from screening.store.models import ReceivedFrom as StoredReceivedFrom


def parse_stamp(text: str | None) -> dt.datetime | None:
    """A stored ISO 8601 stamp as an aware datetime (UTC when it names no zone); None when
    empty or unreadable."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def packet_received_from(received: StoredReceivedFrom | None) -> ReceivedFrom | None:
    """Who sent a received case and when, as this store recorded it (None: made here)."""
    if received is None:
        return None
    return ReceivedFrom(agency=received.agency or None, officer=received.officer or None,
                        sent_at=parse_stamp(received.sent_at),
                        received_at=parse_stamp(received.received_at))


def packet_holder(profile: OfficerProfile) -> Holder:
    """The contact for a packet written from a received case: this store's profile."""
    return Holder(name=profile.name or None, agency=profile.agency or None,
                  phone=profile.phone or None, email=profile.email or None)


def packet_interview(meta: InterviewMeta, received: StoredReceivedFrom | None,
                     profile: OfficerProfile,
               *, started: dt.datetime, ended: dt.datetime | None, interpreter_used: bool,
               interpreter_language: str | None) -> Interview:
    """The interview as the packet shows it: its officer and agency as stored with it. An
    interview made here before they were stored (schema 5) falls back to this store's
    profile; a received one never does (it was the sender's: ``received_referrals``), and
    the contact for it is then the holder's (``ReferralPacket.holder``)."""
    if received is not None:
        return Interview(
            started_at=started, location=meta.location,
            officer_name=meta.officer or received.officer or None,
            agency=meta.agency or received.agency or None,
            interpreter_used=interpreter_used,
            respondent_language=meta.respondent_language,
            officer_language=meta.officer_language,
            interpreter_language=interpreter_language, ended_at=ended)
    return Interview(
        started_at=started, location=meta.location or profile.location or None,
        officer_name=meta.officer or profile.name or None,
        agency=meta.agency or profile.agency or None,
        interpreter_used=interpreter_used,
        respondent_language=meta.respondent_language,
        officer_language=meta.officer_language,
        interpreter_language=interpreter_language, ended_at=ended,
        officer_phone=profile.phone or None, officer_email=profile.email or None)
