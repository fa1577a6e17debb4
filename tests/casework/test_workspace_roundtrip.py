"""Issue #12's proof, as an administrator scripts it: an imported XLSForm, installed in the
workspace, used for an interview, reported, exported, backed up and restored into a NEW data
folder on "another laptop", where the report, the export and the catalog still work."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

from screening.store import decrypt_export
from tests.cli.helpers import PASSPHRASE, run_cli
from tests.reports.pdftools import pdftotext

HERE = Path(__file__).parent
FORM = HERE / "agency_screen.md"
NAME = "Rania Synthetic-Example"
PDF_PASSWORD = "lantern orchard pdf 2026"
EXPORT_PASSWORD = "export juniper harbour 31"


def _ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def _answers(tmp_path: Path) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({
        "consent": {"given": True, "scope": ["screening", "referral"], "language": "ar"},
        "person": {"name": NAME, "date_of_birth": "1991-03-04", "contact": "+962 79 555 0101",
                   "aliases": ["Rainbow Example"]},
        "context": {"interpreter": "ar", "location": "Example checkpoint"},
        "answers": {"paid_fee": "yes", "hours": 14, "employer_town": "Exampletown"},
    }, ensure_ascii=False), encoding="utf-8")
    return path


def _odk_csv(path: Path) -> str:
    plain, content = decrypt_export(path.read_bytes(), EXPORT_PASSWORD)
    assert content == "odk"
    archive = zipfile.ZipFile(io.BytesIO(plain))
    [name] = [n for n in archive.namelist() if n.endswith("/agency_screen.csv")]
    return archive.read(name).decode("utf-8-sig")


def test_import_install_interview_report_export_backup_restore(tmp_path: Path) -> None:
    first = tmp_path / "laptop-1"
    _ok(run_cli("init", data_dir=first, stdin=PASSPHRASE + "\n"))
    _ok(run_cli("instruments", "import", str(FORM), "--install", data_dir=first,
                stdin=PASSPHRASE + "\n"))
    # Nothing about the installed form sits in plaintext in the data folder.
    for path in first.rglob("*"):
        if path.is_file():
            assert b"agency_screen" not in path.read_bytes(), path.name
    listed = json.loads(_ok(run_cli("instruments", "list", "--json", data_dir=first,
                                    stdin=PASSPHRASE + "\n")))
    assert {"id": "agency_screen", "origin": "installed"}.items() <= {
        k: v for r in listed if r["id"] == "agency_screen" for k, v in r.items()}.items()

    result = json.loads(_ok(run_cli(
        "interview", "--instrument", "agency_screen", "--lang", "ar", "--officer-lang", "en",
        "--answers", str(_answers(tmp_path)), "--json", data_dir=first,
        stdin=PASSPHRASE + "\n")))
    reference = json.loads(_ok(run_cli("cases", "list", "--json", data_dir=first,
                                       stdin=PASSPHRASE + "\n")))[0]["reference"]
    assert result["answers"] == {"paid_fee": "yes", "hours": 14, "employer_town": "Exampletown"}

    pdf = tmp_path / "referral.pdf"
    _ok(run_cli("report", reference, "--encrypt", "-o", str(pdf), data_dir=first,
                stdin=f"{PASSPHRASE}\n{PDF_PASSWORD}\n"))
    assert pdftotext(pdf, check=False) == ""  # encrypted
    text = pdftotext(pdf, password=PDF_PASSWORD)
    assert NAME in text and "How many hours a day do you work?" in text

    export = tmp_path / "odk.zip.enc"
    _ok(run_cli("export", "--format", "odk", "--encrypt", "-o", str(export), data_dir=first,
                stdin=f"{PASSPHRASE}\n{EXPORT_PASSWORD}\n"))
    assert "Exampletown" in _odk_csv(export)

    backup = tmp_path / "laptop-1.fsbackup"
    _ok(run_cli("backup", "-o", str(backup), data_dir=first, stdin=PASSPHRASE + "\n"))

    # Another laptop: a new, empty data folder; the form file is not there.
    second = tmp_path / "laptop-2"
    _ok(run_cli("restore", str(backup), data_dir=second, stdin=PASSPHRASE + "\n"))
    listed = json.loads(_ok(run_cli("instruments", "list", "--json", data_dir=second,
                                    stdin=PASSPHRASE + "\n")))
    assert [r["origin"] for r in listed if r["id"] == "agency_screen"] == ["installed"]
    again = tmp_path / "referral-2.pdf"
    _ok(run_cli("report", reference, "--encrypt", "-o", str(again), data_dir=second,
                stdin=f"{PASSPHRASE}\n{PDF_PASSWORD}\n"))
    assert "How many hours a day do you work?" in pdftotext(again, password=PDF_PASSWORD)
    export2 = tmp_path / "odk-2.zip.enc"
    _ok(run_cli("export", "--format", "odk", "--encrypt", "-o", str(export2), data_dir=second,
                stdin=f"{PASSPHRASE}\n{EXPORT_PASSWORD}\n"))
    assert "Exampletown" in _odk_csv(export2)


def test_an_interview_run_from_a_file_stays_reportable_after_the_file_is_gone(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    _ok(run_cli("init", data_dir=data, stdin=PASSPHRASE + "\n"))
    instrument = tmp_path / "agency.yaml"
    _ok(run_cli("instruments", "import", str(FORM), "-o", str(instrument)))
    result = json.loads(_ok(run_cli(
        "interview", "--instrument", str(instrument), "--lang", "en", "--answers",
        str(_answers(tmp_path)), "--json", data_dir=data, stdin=PASSPHRASE + "\n")))
    instrument.unlink()  # the file is gone; the store kept the text the interview used
    pdf = tmp_path / "r.pdf"
    _ok(run_cli("report", result["case_id"], "--plaintext", "-o", str(pdf), data_dir=data,
                stdin=PASSPHRASE + "\n"))
    assert "Did you pay a fee for the job?" in pdftotext(pdf)
    # Not installed by the interview: the catalog lists only what the team installed.
    listed = json.loads(_ok(run_cli("instruments", "list", "--json", data_dir=data,
                                    stdin=PASSPHRASE + "\n")))
    assert "agency_screen" not in {r["id"] for r in listed}


def test_remove_keeps_the_text_an_interview_used(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _ok(run_cli("init", data_dir=data, stdin=PASSPHRASE + "\n"))
    _ok(run_cli("instruments", "import", str(FORM), "--install", data_dir=data,
                stdin=PASSPHRASE + "\n"))
    result = json.loads(_ok(run_cli(
        "interview", "--instrument", "agency_screen", "--lang", "en", "--answers",
        str(_answers(tmp_path)), "--json", data_dir=data, stdin=PASSPHRASE + "\n")))
    removed = run_cli("instruments", "remove", "agency_screen@2026.1", data_dir=data,
                      stdin=PASSPHRASE + "\n")
    assert removed.returncode == 0 and "stays in the store" in removed.stdout
    listed = json.loads(_ok(run_cli("instruments", "list", "--json", data_dir=data,
                                    stdin=PASSPHRASE + "\n")))
    assert "agency_screen" not in {r["id"] for r in listed}
    pdf = tmp_path / "r.pdf"
    _ok(run_cli("report", result["case_id"], "--plaintext", "-o", str(pdf), data_dir=data,
                stdin=PASSPHRASE + "\n"))
    assert "Which town is the workplace in?" in pdftotext(pdf)
    again = run_cli("instruments", "remove", "agency_screen@2026.1", data_dir=data,
                    stdin=PASSPHRASE + "\n")
    assert again.returncode == 2 and "no installed instrument" in again.stderr
    shipped = run_cli("instruments", "remove", "adult_indicators@2.0.0", data_dir=data,
                      stdin=PASSPHRASE + "\n")
    assert shipped.returncode == 2 and "shipped" in shipped.stderr
