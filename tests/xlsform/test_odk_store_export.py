"""`fieldscreen export --format odk`: stored interviews in ODK Central / Kobo shape."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from screening.instruments import find_instrument
from screening.paths import resource_path
from screening.store import Store, decrypt_export
from tests.cli.helpers import PASSPHRASE, run_cli
from tests.factories import stored_interview


@pytest.fixture
def stored(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[dict]]:
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    store, _ = Store.create(data_dir, PASSPHRASE)
    results = []
    with store:
        for name in ("answers.json", "safety_triage_answers.json"):
            demo = json.loads(resource_path("demo", name).read_text(encoding="utf-8"))
            results.append(stored_interview(store, demo["instrument"], demo["answers"],
                                            lang=demo.get("language", "en")))
    return data_dir, results


def test_odk_export_zip(stored: tuple[Path, list[dict]], tmp_path: Path) -> None:
    data_dir, results = stored
    out = tmp_path / "odk.zip.enc"
    done = run_cli("export", "--format", "odk", "--encrypt", "-o", str(out), data_dir=data_dir,
                   stdin=f"{PASSPHRASE}\nodk export password 1\n")
    assert done.returncode == 0, done.stderr
    plain, content = decrypt_export(out.read_bytes(), "odk export password 1")
    assert content == "odk"
    archive = zipfile.ZipFile(io.BytesIO(plain))
    names = set(archive.namelist())
    adult = find_instrument("adult_indicators").instrument
    main_csv = f"adult_indicators-{adult.version}/adult_indicators.csv"
    assert main_csv in names and "README.txt" in names
    assert f"adult_indicators-{adult.version}/adult_indicators-dictionary.csv" in names
    rows = list(csv.DictReader(io.StringIO(archive.read(main_csv).decode("utf-8-sig"))))
    [row] = rows
    assert row["KEY"] == f"uuid:{results[0]['interview_id']}"
    recruitment = next(k for k in row if k.endswith("-job_differs"))
    assert row[recruitment] == "yes"
    harmed = next(k for k in row if k.endswith("-harmed"))
    assert row[harmed] == "" and row[harmed + "_special"] == "refused"
    assert row["SubmissionDate"].endswith("Z")
    safety = [n for n in names if n.startswith("safety_triage-") and n.endswith(".json")]
    assert safety


def test_odk_export_plaintext_warns(stored: tuple[Path, list[dict]], tmp_path: Path) -> None:
    data_dir, _ = stored
    out = tmp_path / "odk.zip"
    done = run_cli("export", "--format", "odk", "-o", str(out), data_dir=data_dir,
                   stdin=f"{PASSPHRASE}\n")
    assert done.returncode == 0 and "NOT encrypted" in done.stderr
    assert zipfile.is_zipfile(out)
