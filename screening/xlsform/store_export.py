"""Stored interviews in the shape ODK Central and KoboToolbox exports use, as one zip.

One folder per instrument text (id and version): the Central-style CSV of submissions, one
CSV per repeat keyed to its parent, the Kobo-style JSON, and a data dictionary. Encryption,
writing and the audit entry are the store's (``Store.export(..., writer=write_odk_zip)``).

The zip is written entry by entry into the export's stream (issue #19): the interviews of
each instrument text are read once, a batch at a time, so memory stays flat at 100,000
cases; the files that follow the main table in the zip wait sealed in an anonymous
temporary file meanwhile (``SealedSpool``). The stream cannot seek back (it may be going
through AES-GCM), so each entry's sizes follow its data (a data descriptor); the files in
the archive are those the zip built in memory held.
"""

from __future__ import annotations

import codecs
import io
import time
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

from screening.errors import ErrorCode, StoreError
from screening.instruments import LoadResult
from screening.store.streams import IdList, SealedSpool, dumps_indented
from screening.xlsform.dictionary import data_dictionary
from screening.xlsform.odk_export import Submission, odk_json, odk_rows

if TYPE_CHECKING:
    from screening.casework.catalog import InstrumentCatalog
    from screening.store import Store
    from screening.store.models import Interview

BATCH = 200  # interviews read and reshaped at a time
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


def _groups(store: Any, case_ids: Iterable[str]) -> tuple[dict[tuple[str, str], IdList], int]:
    """The interview ids of each instrument text (id, content hash), in case order, and how
    many cases were read."""
    groups: dict[tuple[str, str], IdList] = {}
    cases = 0
    for case_id in case_ids:
        for interview in store.interviews.list(case_id):
            key = (interview.meta.instrument_id, interview.meta.content_hash)
            groups.setdefault(key, IdList()).append(interview.id)
        cases += 1
    return groups, cases


def _batches(store: Any, interview_ids: IdList) -> Iterator[list[Submission]]:
    """The interviews as submissions, ``BATCH`` at a time; one deleted meanwhile is left out."""
    batch: list[Submission] = []
    for interview_id in interview_ids:
        try:
            batch.append(interview_submission(store, store.interviews.get(interview_id)))
        except StoreError as exc:
            if exc.code != ErrorCode.STORE_NOT_FOUND:
                raise
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _entry(archive: zipfile.ZipFile, name: str, first: bytes, rest: Iterable[bytes],
           size: int) -> None:
    """One file of the zip, written as its pieces come. ``size``: exact, or for a file
    written as it is made an estimate (generous) that decides, as the real size does for a
    file written whole, whether it gets Zip64 sizes (past 2 GiB)."""
    info = zipfile.ZipInfo(name, date_time=time.localtime(time.time())[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size = size
    try:
        with archive.open(info, "w") as out:
            out.write(first)
            for piece in rest:
                out.write(piece)
    except RuntimeError as exc:  # zipfile's "File size too large": the estimate was far too low
        if "too large" not in str(exc):
            raise
        raise StoreError(f"the ODK export's file {name} grew past 2 GiB; export fewer cases "
                         "at a time (--case)", code=ErrorCode.STORE_IO) from None


def _write_texts(archive: zipfile.ZipFile, store: Any, folder: str, loaded: LoadResult,
                 ids: IdList) -> None:
    """One instrument text's files, in one pass over its interviews: the main table goes
    straight into the zip; the repeat tables and the JSON, which come after it in the zip,
    are set aside sealed (``SealedSpool``) until it is done."""
    ins, content_hash = loaded.instrument, loaded.content_hash
    main, *repeats = odk_rows(ins, [], content_hash=content_hash).tables
    headers = [table.to_csv() for table in (main, *repeats)]
    spools = [SealedSpool() for _ in repeats]
    records = SealedSpool()
    number = 0

    def main_rows() -> Iterator[bytes]:
        nonlocal number
        for batch in _batches(store, ids):
            tables = odk_rows(ins, batch, content_hash=content_hash).tables
            for spool, table, header in zip(spools, tables[1:], headers[1:], strict=True):
                spool.write(table.to_csv()[len(header):].encode("utf-8"))
            parts = []
            for record in odk_json(ins, batch, content_hash=content_hash):
                number += 1
                record["_id"] = number  # numbered across batches, as over the whole list
                parts.append(("[\n  " if number == 1 else ",\n  ") + dumps_indented(record, 1))
            records.write("".join(parts).encode("utf-8"))
            yield tables[0].to_csv()[len(headers[0]):].encode("utf-8")

    try:
        head = codecs.BOM_UTF8 + headers[0].encode("utf-8")
        rows = main_rows()
        first = head + next(rows, b"")
        _entry(archive, f"{folder}/{main.name}.csv", first, rows,
               2 * len(first) * -(-len(ids) // BATCH))
        for table, header, spool in zip(repeats, headers[1:], spools, strict=True):
            head = codecs.BOM_UTF8 + header.encode("utf-8")
            _entry(archive, f"{folder}/{table.name}.csv", head, spool.chunks(),
                   len(head) + spool.size)
        records.write(b"\n]" if number else b"[]")
        _entry(archive, f"{folder}/{ins.id}.json", b"", records.chunks(), records.size)
    finally:
        for spool in (*spools, records):
            spool.close()


def write_odk_zip(store: Any, case_ids: Iterable[str], out: IO[bytes], *,
                  catalog: InstrumentCatalog) -> int:
    """The ODK-shaped zip of these cases into the stream ``out``; returns how many cases."""
    groups, cases = _groups(store, case_ids)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        used: set[str] = set()
        for (instrument_id, content_hash), ids in sorted(groups.items()):
            loaded: LoadResult = catalog.by_hash(instrument_id, content_hash)
            ins = loaded.instrument
            folder = f"{ins.id}-{ins.version}"
            if folder in used:  # same version string, different text: keep both apart
                folder += "-" + content_hash.removeprefix("sha256:")[:8]
            used.add(folder)
            _write_texts(archive, store, folder, loaded, ids)
            archive.writestr(f"{folder}/{ins.id}-dictionary.csv",
                             data_dictionary(ins).to_csv().encode("utf-8-sig"))
    return cases


def build_odk_zip(store: Any, case_ids: list[str], *, catalog: InstrumentCatalog) -> bytes:
    """The same zip in memory (``Store.export(..., builder=...)``; small exports and tests)."""
    buffer = io.BytesIO()
    write_odk_zip(store, case_ids, buffer, catalog=catalog)
    return buffer.getvalue()
