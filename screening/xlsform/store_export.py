"""Stored interviews in the shape ODK Central and KoboToolbox exports use, as one zip.

One folder per instrument text (id and version): the Central-style CSV of submissions, one
CSV per repeat keyed to its parent, the Kobo-style JSON, and a data dictionary. Encryption,
writing and the audit entry are the store's (``Store.export(..., builder=build_odk_zip)``).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import TYPE_CHECKING, Any

from screening.instruments import LoadResult
from screening.xlsform.dictionary import data_dictionary
from screening.xlsform.odk_export import Submission, odk_json, odk_rows

if TYPE_CHECKING:
    from screening.casework.catalog import InstrumentCatalog
    from screening.store import Store
    from screening.store.models import Interview

README = """\
FieldScreen export in the shape of ODK Central / KoboToolbox exports.

Each folder holds one questionnaire version:
  <form_id>.csv              one row per interview; group paths joined with '-'
  <form_id>-<repeat>.csv     one row per repeat entry, PARENT_KEY -> the KEY of the
                             interview or, in a nested repeat, of the entry around it
  <form_id>.json             the same data as KoboToolbox's JSON API returns it
  <form_id>-dictionary.csv   every column: label in each language, type, choices
"Prefer not to answer" and "don't know" leave the value empty (as ODK would) and are named in
the <column>_special column beside it. The file holds personal data: handle it accordingly.
"""


def interview_submission(store: Store, interview: Interview) -> Submission:
    """One stored interview as the ODK exports and the server submission take it (the store
    must be open). instanceID ``uuid:<interview id>`` (``screening.server.instance``)."""
    return Submission(
        instance_id=f"uuid:{interview.id}",
        submitted_at=interview.finished_at or interview.updated_at,
        answers=store.interviews.load_answers(interview.id),
        submitter_name=interview.meta.officer,
    )


def _submissions(store: Any, case_ids: list[str]) -> dict[tuple[str, str], list[Submission]]:
    groups: dict[tuple[str, str], list[Submission]] = {}
    for case_id in case_ids:
        for interview in store.cases.get(case_id).interviews:
            key = (interview.meta.instrument_id, interview.meta.content_hash)
            groups.setdefault(key, []).append(interview_submission(store, interview))
    return groups


def build_odk_zip(store: Any, case_ids: list[str], *, catalog: InstrumentCatalog) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        used: set[str] = set()
        for (instrument_id, content_hash), subs in sorted(_submissions(store, case_ids).items()):
            loaded: LoadResult = catalog.by_hash(instrument_id, content_hash)
            ins = loaded.instrument
            folder = f"{ins.id}-{ins.version}"
            if folder in used:  # same version string, different text: keep both apart
                folder += "-" + content_hash.removeprefix("sha256:")[:8]
            used.add(folder)
            tables = odk_rows(ins, subs, content_hash=loaded.content_hash)
            for name, text in tables.files().items():
                archive.writestr(f"{folder}/{name}", text.encode("utf-8-sig"))
            records = odk_json(ins, subs, content_hash=loaded.content_hash)
            archive.writestr(f"{folder}/{ins.id}.json",
                             json.dumps(records, ensure_ascii=False, indent=2))
            archive.writestr(f"{folder}/{ins.id}-dictionary.csv",
                             data_dictionary(ins).to_csv().encode("utf-8-sig"))
    return buffer.getvalue()
