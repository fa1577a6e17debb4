"""Builders for small, obviously synthetic instruments written inline in tests."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from screening.instruments import LoadResult, load_instrument_text

HEADER = """\
format: fieldscreen-instrument/1
id: {id}
version: "0.1"
title: {{{texts}}}
population: adult
purpose: {{{texts}}}
provenance:
  source_framework: none
  citation: none
  authored_by: tests
  wording: test wording
validation: {{status: draft}}
source_language: en
languages:
{languages}
choice_lists:
  yes_no:
    - {{name: "yes", label: {{{texts}}}}}
    - {{name: "no", label: {{{texts}}}}}
"""

ANY_OUTCOME = """\
outcome:
  rule: any
  labels:
    refer_urgent: {en: urgent}
    refer: {en: refer}
    incomplete: {en: incomplete}
    no_indicators: {en: none}
"""


def instrument_yaml(sections: str, *, extra: str = "", outcome: str = ANY_OUTCOME,
                    id: str = "test_instrument", languages: tuple[str, ...] = ("en",)) -> str:
    langs = "\n".join(
        f"  {code}: {{name: {code}, status: {'source' if i == 0 else 'machine'}}}"
        for i, code in enumerate(languages)
    )
    texts = ", ".join(f"{code}: Text" for code in languages)
    return (
        HEADER.format(id=id, languages=langs, texts=texts)
        + textwrap.dedent(extra)
        + "sections:\n"
        + textwrap.indent(textwrap.dedent(sections), "  ")
        + textwrap.dedent(outcome)
    )


def load(sections: str, **kwargs: Any) -> LoadResult:
    return load_instrument_text(instrument_yaml(sections, **kwargs), "test.yaml")


def stored_interview(store_or_ws: Any, instrument: str, answers: dict[str, Any], *,
                     lang: str, officer_lang: str | None = None, case_id: str | None = None,
                     person: Any = None, scope: tuple[str, ...] = ("screening", "referral"),
                     context: Any = None) -> dict[str, Any]:
    """Run a whole interview through the casework service, with consent given, as
    ``fieldscreen interview`` does; returns what the CLI prints with ``--json``."""
    from screening.casework.answers_file import AnswersFile, InterviewContextInput
    from screening.casework.consent import Consent
    from screening.cli.interview_cmds import run_interview
    from screening.workspace import Workspace

    ws = store_or_ws if isinstance(store_or_ws, Workspace) else \
        Workspace(store_or_ws.data_dir).adopt(store_or_ws)
    given = AnswersFile(answers=answers, consent=Consent(given=True, scope=scope,
                                                         language=lang),
                        person=person, context=context or InterviewContextInput())
    return run_interview(ws, instrument, given, lang=lang, officer_lang=officer_lang,
                         case=case_id)


# Referral details with every field filled (issue #15); synthetic, as the answers file's
# "referral" object takes them. ``reason`` is the officer's reason (the case's narrative).
SAMPLE_REFERRAL: dict[str, Any] = {
    "reason": "Synthetic reason: asked for a safe place tonight and legal advice",
    "safe_contact": "+962 79 555 9876, text only, weekdays after 18:00",
    "contact_methods": ["call", "text"],
    "current_location": "Synthetic hostel, Example Street, room 12",
    "current_region": "Example County",
    "accommodation": "employer",
    "exploitation_types": ["labour", "domestic_servitude"],
    "exploitation_place": "Synthetic farm 4, Example Road",
    "exploitation_region": "Example County",
    "exploitation_from": "2025-03-14",
    "exploitation_to": None,
    "exploitation_ongoing": True,
    "exploiters": "Two synthetic men called Boss K. and Sam, a white van",
    "other_victims_children": 2,
    "other_victims_adults": 5,
    "other_victims": "Two synthetic girls about 14 at the farm",
    "police_informed": True,
    "police_reference": "CR/2026/0042-SYN",
    "wants": ["safe_place", "legal_advice", "no_police"],
    "wishes": "Synthetic words: wants to leave but fears for her sister",
}


def old_schema_case(store: Any, name: str | None = None, *, aliases: tuple[str, ...] = (),
                    reference: str | None = None) -> str:
    """A case written as schemas 1 to 6 wrote one (issue #19: today's repositories write
    schema 7's sort keys and search entries), for tests that upgrade an old store. Synthetic
    names only."""
    import uuid

    from screening.store import search
    from screening.store.audit import now

    case_id = uuid.uuid4().hex
    reference = reference or f"FS-2026-{case_id[:5].upper()}"
    stamp = now()
    with store._handle.tx("an old schema's case") as conn:
        conn.execute("INSERT INTO cases (id, reference, status, created_at, updated_at)"
                     " VALUES (?, ?, 'draft', ?, ?)", (case_id, reference, stamp, stamp))
        if name is not None or aliases:
            conn.execute("INSERT INTO persons (case_id, name, aliases) VALUES (?, ?, ?)",
                         (case_id, name, json.dumps(list(aliases))))
        conn.execute("INSERT INTO case_search (case_id, text) VALUES (?, ?)",
                     (case_id, search.index_text(reference, name, aliases)))
        store._handle.audit.append("case.created", case_id=case_id)
    return case_id


def old_schema_delete(store: Any, case_id: str) -> None:
    """Delete a case as schemas 1 to 6 did (see ``old_schema_case``)."""
    with store._handle.tx("deleting an old schema's case") as conn:
        conn.execute("DELETE FROM case_search WHERE case_id = ?", (case_id,))
        conn.execute("DELETE FROM cases WHERE id = ?", (case_id,))
        store._handle.audit.append("case.deleted", case_id=case_id, detail={"interviews": []})
