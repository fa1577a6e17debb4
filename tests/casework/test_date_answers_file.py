"""Dates with their precision through the command line (issue #14): the answers file takes
"2025-02", "about 2023" and a date in the calendar the instrument names; the store keeps the
precision; the ODK export writes ODK's YYYY-MM-DD with the precision beside it; the packet
prints each date at its precision."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.cli.helpers import PASSPHRASE, run_cli
from tests.factories import instrument_yaml
from tests.reports.pdftools import one_line, pdftotext

SECTIONS = """\
- name: journey
  title: {en: Journey, ar: الرحلة}
  items:
    - name: arrival
      type: date
      text: {en: "When did you arrive?", ar: "متى وصلت؟"}
    - name: left_home
      type: date
      text: {en: "When did you leave home?", ar: "متى غادرت بيتك؟"}
    - name: job_start
      type: date
      text: {en: "When did the job start?", ar: "متى بدأ العمل؟"}
      appearance: persian
    - name: documents_taken
      type: date
      text: {en: "When were your papers taken?", ar: "متى أُخذت أوراقك؟"}
"""
OUTCOME = """\
outcome:
  rule: any
  labels:
    refer_urgent: {en: urgent, ar: عاجل}
    refer: {en: refer, ar: إحالة}
    incomplete: {en: incomplete, ar: غير مكتمل}
    no_indicators: {en: none, ar: لا شيء}
"""
ANSWERS = {
    "arrival": "2025-02",
    "left_home": "about 2023",
    "job_start": {"given": "1403-11-26", "calendar": "persian", "note": "synthetic note"},
    "documents_taken": {"value": "2024-06-10", "approximate": True},
}


def _ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def instrument(tmp_path: Path) -> Path:
    path = tmp_path / "dates_form.yaml"
    path.write_text(instrument_yaml(SECTIONS, id="dates_form", languages=("en", "ar"),
                                   outcome=OUTCOME),
                    encoding="utf-8")
    return path


def _interview(tmp_path: Path, data: Path, instrument: Path,
               answers: dict) -> subprocess.CompletedProcess:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"consent": {"given": True, "scope": ["screening", "referral"]},
                                "person": {"name": "Dana Synthetic-Dates"},
                                "answers": answers}), encoding="utf-8")
    return run_cli("interview", "--instrument", str(instrument), "--lang", "en", "--answers",
                   str(path), "--json", data_dir=data, stdin=PASSPHRASE + "\n")


def test_the_answers_file_takes_dates_to_their_precision(tmp_path: Path,
                                                         instrument: Path) -> None:
    data = tmp_path / "data"
    _ok(run_cli("init", data_dir=data, stdin=PASSPHRASE + "\n"))
    result = json.loads(_ok(_interview(tmp_path, data, instrument, ANSWERS)))
    stored = result["answers"]
    assert stored["arrival"] == {"value": "2025-02", "precision": "month", "approximate": False}
    assert stored["left_home"] == {"value": "2023", "precision": "year", "approximate": True}
    assert stored["job_start"] == {"value": "2025-02-14", "precision": "day",
                                   "approximate": False, "calendar": "persian",
                                   "given": "1403-11-26"}
    assert stored["documents_taken"] == {"value": "2024-06-10", "precision": "day",
                                         "approximate": True}
    case = result["case_id"]

    # ODK's date column holds YYYY-MM-DD (a month's first day); the precision is beside it
    out = tmp_path / "odk.zip"
    _ok(run_cli("export", "--format", "odk", "-o", str(out), data_dir=data,
                stdin=PASSPHRASE + "\n"))
    archive = zipfile.ZipFile(out)
    main = next(n for n in archive.namelist() if n.endswith("/dates_form.csv"))
    [row] = list(csv.DictReader(io.StringIO(archive.read(main).decode("utf-8-sig"))))
    col = {k.rsplit("-", 1)[-1]: v for k, v in row.items()}
    assert (col["arrival"], col["arrival_precision"], col["arrival_approximate"]) == \
        ("2025-02-01", "month", "false")
    assert (col["left_home"], col["left_home_precision"], col["left_home_approximate"]) == \
        ("2023-01-01", "year", "true")
    assert (col["job_start"], col["job_start_precision"], col["job_start_persian"]) == \
        ("2025-02-14", "day", "1403-11-26")
    dictionary = next(n for n in archive.namelist() if n.endswith("dictionary.csv"))
    described = archive.read(dictionary).decode("utf-8-sig")
    assert "arrival_precision" in described and "job_start_persian" in described

    # the packet prints each date at its precision, not as a made-up first day
    pdf = tmp_path / "packet.pdf"
    _ok(run_cli("report", case, "-o", str(pdf), "--plaintext", "--lang", "en", data_dir=data,
                stdin=PASSPHRASE + "\n"))
    text = one_line(pdftotext(pdf))
    assert "February 2025" in text and "about 2023" in text
    assert "1403-11-26 (Persian calendar)" in text
    assert "about Jun 10, 2024" in text
    assert "2025-02-01" not in text and "Jan 1, 2023" not in text

    # a minimal packet keeps dates only to the month, these too
    minimal = tmp_path / "minimal.pdf"
    _ok(run_cli("report", case, "-o", str(minimal), "--plaintext", "--lang", "en",
                "--variant", "minimal", data_dir=data, stdin=PASSPHRASE + "\n"))
    text = one_line(pdftotext(minimal))
    assert "about June 2024" in text and "Jun 10" not in text
    assert "1403-11 (Persian calendar)" in text and "1403-11-26" not in text


@pytest.mark.parametrize(("answer", "says"), [
    ("last winter", "YYYY-MM-DD, YYYY-MM or YYYY"),
    ("2025-02-30", "not a real date"),
    ({"given": "1403-11-26", "calendar": "islamic"}, "not the islamic calendar"),
])
def test_a_date_that_is_not_one_stops_the_run(tmp_path: Path, instrument: Path, answer: object,
                                              says: str) -> None:
    data = tmp_path / "data"
    _ok(run_cli("init", data_dir=data, stdin=PASSPHRASE + "\n"))
    done = _interview(tmp_path, data, instrument, {**ANSWERS, "job_start": answer})
    assert done.returncode == 2, done.stderr
    assert "error: item 'job_start':" in done.stderr and says in done.stderr
    assert "Traceback" not in done.stderr
