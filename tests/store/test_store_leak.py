"""PII canary: a whole flow leaves no personal data in clear anywhere on disk.

Unique markers go into a person's name, a text answer and a note. A child process (with TMPDIR
pointed at a folder we scan) creates the case, runs an interview, finishes it, searches,
exports JSON and CSV with --encrypt and makes a backup through the CLI. Then every byte under
the data folder, the output folder and the temp folder is searched for the markers in UTF-8,
UTF-16-LE and UTF-16-BE, as typed and case-folded.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from storehelp import PASSPHRASE

from screening.store import decrypt_export

ROOT = Path(__file__).resolve().parents[2]
EXPORT_PASSWORD = "canary export pelican 2026"

FLOW = textwrap.dedent(
    """
    import io, sys
    from pathlib import Path
    from screening.engine.storage import AnswerRecord
    from screening.log import setup_logging
    from screening.store import (
        InterviewContext, InterviewMeta, PersonInfo, ReferralRecord, Store,
    )
    from screening.cli.main import main

    data, out, name, text, note, passphrase, export_pw = sys.argv[1:8]
    data, out = Path(data), Path(out)
    setup_logging(data / "logs")
    store, _ = Store.create(data, passphrase)
    case_id = store.cases.create(person=PersonInfo(name=name, aliases=(name.upper(),), notes=note))
    iid = store.interviews.create(case_id, InterviewMeta("inst", "1", "sha256:x", "es", "en",
                                                         location=note, officer=name))
    for n in range(30):
        store.interviews.save_answer(iid, AnswerRecord(f"q{n}", f"{text} {n}", None, "es",
                                                       "2026-03-07T10:00:00Z", note=f"{note} {n}"))
    store.interviews.save_answer(
        iid, AnswerRecord("q0", [text, "b"], None, "es", "2026-03-07T10:01:00Z"))
    store.interviews.save_position(iid, "q3")
    assert store.cases.search(name.lower())
    store.context.save(iid, InterviewContext(consent_given=True, stopped_early=True,
                                             stopped_reason=note))
    store.referrals.save(case_id, [ReferralRecord("s1", "Shelter", "shelter", reason=note)],
                         note)
    store.settings.set("officer_profile", {"name": name})
    store.interviews.finish(iid, {"outcome": "refer", "answers": {"q1": text}, "note": note})
    # A real instrument's interview on the same case, so the referral packet has content.
    import json as _json
    from screening.paths import resource_path
    from tests.factories import stored_interview
    demo = _json.loads(resource_path("demo", "answers.json").read_text())["answers"]
    demo["job_differs"] = {"value": "yes", "note": note}
    stored_interview(store, "adult_indicators", demo, lang="en", case_id=case_id)
    store.cases.list()
    store.close()

    def cli(stdin, *args):
        sys.stdin = io.StringIO(stdin)
        code = main(["--data-dir", str(data), *args])
        assert code == 0, (args, code)

    both = passphrase + "\\n" + export_pw + "\\n"
    cli(both, "export", "--format", "json", "--encrypt", "-o", str(out / "cases.json.enc"))
    cli(both, "export", "--format", "csv", "--encrypt", "-o", str(out / "cases.csv.enc"))
    cli(passphrase + "\\n", "backup", "-o", str(out / "store.fsbackup"))
    cli(both, "report", case_id, "--encrypt", "-o", str(out / "referral.pdf"))
    cli(both, "report", case_id, "--encrypt", "--redacted", "-o", str(out / "redacted.pdf"))
    cli(passphrase + "\\n", "audit", "verify")
    cli(passphrase + "\\n", "check")
    print("flow done")
    """
)


def _needles(marker: str) -> list[tuple[str, bytes]]:
    found = []
    for variant in {marker, marker.casefold(), marker.upper()}:
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            found.append((f"{variant!r} as {encoding}", variant.encode(encoding)))
    return found


@pytest.mark.slow
def test_no_marker_reaches_the_disk_in_clear(tmp_path: Path) -> None:
    data, out, tmp = tmp_path / "data", tmp_path / "out", tmp_path / "tmp"
    out.mkdir()
    tmp.mkdir()
    token = secrets.token_hex(4)
    markers = {
        "name": f"Canaryname{token} Fakeperson",
        "answer": f"CanaryAnswer{token} Жанна 王芳",
        "note": f"Canarynote{token} Ñandú",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(
        TMPDIR=str(tmp),
        TEMP=str(tmp),
        TMP=str(tmp),
        SQLITE_TMPDIR=str(tmp),
        SCREENING_DEV="1",
        FIELDSCREEN_KDF_PROFILE="fast",
        FIELDSCREEN_DATA_DIR=str(data),
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            FLOW,
            str(data),
            str(out),
            markers["name"],
            markers["answer"],
            markers["note"],
            PASSPHRASE,
            EXPORT_PASSWORD,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "flow done" in done.stdout

    files = [p for root in (data, out, tmp) for p in root.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"fieldscreen.db", "keyslots.json", "cases.json.enc", "store.fsbackup"} <= names
    assert any(p.suffix == ".log" for p in files)
    for path in files:
        blob = path.read_bytes()
        for what, marker in markers.items():
            for label, needle in _needles(marker.split()[0]):
                assert needle not in blob, f"{what} marker ({label}) found in {path}"
    for what, marker in markers.items():
        assert marker.split()[0] not in done.stderr, f"{what} marker on stderr"

    # Positive control: the markers did go into the exports, encrypted.
    exported, _ = decrypt_export((out / "cases.json.enc").read_bytes(), EXPORT_PASSWORD)
    for marker in markers.values():
        assert marker.split()[0].encode() in exported

    plain = sqlite3.connect(data / "fieldscreen.db")
    with pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT name FROM sqlite_master").fetchall()
    plain.close()
