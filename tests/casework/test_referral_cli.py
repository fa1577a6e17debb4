"""`fieldscreen directory` and `fieldscreen referrals`: the CLI chooses services under the
same consent rules as the app, and the packet shows what it chose."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from screening.paths import resource_path
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE, run_cli
from tests.reports.pdftools import pdftotext

REASON = "The person asked the officer to report the employer (synthetic)"


def _ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def _case(tmp_path: Path, data: Path, scope: list[str]) -> str:
    answers = json.loads(resource_path("demo", "answers.json").read_text())["answers"]
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"consent": {"given": True, "scope": scope},
                                "person": {"name": "Lena Synthetic-Referral"},
                                "answers": answers}), encoding="utf-8")
    out = _ok(run_cli("interview", "--instrument", "adult_indicators", "--lang", "en",
                      "--answers", str(path), "--json", data_dir=data, stdin=PASSPHRASE + "\n"))
    return str(json.loads(out)["case_id"])


def _choose(tmp_path: Path, data: Path, case: str,
            services: list[dict]) -> subprocess.CompletedProcess:
    path = tmp_path / "referrals.json"
    path.write_text(json.dumps({"services": services, "narrative": "Synthetic narrative."}),
                    encoding="utf-8")
    return run_cli("referrals", "set", case, "--file", str(path), data_dir=data,
                   stdin=PASSPHRASE + "\n")


def test_directory_import_lands_in_the_store_and_lists(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _ok(run_cli("init", data_dir=data, stdin=PASSPHRASE + "\n"))
    csv = tmp_path / "team.csv"
    rows = resource_path("referrals", "us.csv").read_text(encoding="utf-8")
    csv.write_text(rows.replace("Example shelter", "Riverside Example Shelter"), encoding="utf-8")
    _ok(run_cli("directory", "import", str(csv), data_dir=data, stdin=PASSPHRASE + "\n"))
    for path in data.rglob("*"):
        if path.is_file():
            assert b"Riverside" not in path.read_bytes()
    listed = json.loads(_ok(run_cli("directory", "list", "--json", data_dir=data,
                                    stdin=PASSPHRASE + "\n")))
    assert any("Riverside Example Shelter" in r["name"] for r in listed)
    bad = tmp_path / "bad.csv"
    bad.write_text(rows.splitlines()[0] + "\nx,us,,Broken,not_a_kind\n", encoding="utf-8")
    done = run_cli("directory", "import", str(bad), data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 2 and "bad.csv" in done.stderr and "Traceback" not in done.stderr


def test_referral_outside_the_consent_needs_a_reason_and_shows_on_the_packet(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    _ok(run_cli("init", data_dir=data, stdin=PASSPHRASE + "\n"))
    case = _case(tmp_path, data, ["screening", "referral"])
    listed = json.loads(_ok(run_cli("directory", "list", "--case", case, "--json",
                                    data_dir=data, stdin=PASSPHRASE + "\n")))
    police = next(r["id"] for r in listed if r["kind"] == "law_enforcement")
    assert not next(r for r in listed if r["id"] == police)["within_consent"]
    refused = _choose(tmp_path, data, case, [{"id": "us-nhth"}, {"id": police}])
    assert refused.returncode == 2 and "consent does not cover 'law_enforcement'" in \
        refused.stderr
    unknown = _choose(tmp_path, data, case, [{"id": "no-such-service"}])
    assert unknown.returncode == 2 and "no service 'no-such-service'" in unknown.stderr
    _ok(_choose(tmp_path, data, case, [{"id": "us-nhth", "reason": "advice"},
                                       {"id": police, "override_reason": REASON}]))
    shown = json.loads(_ok(run_cli("referrals", "show", case, "--json", data_dir=data,
                                   stdin=PASSPHRASE + "\n")))
    assert shown["consent_scope"] == ["screening", "referral"]
    assert [s["override_reason"] for s in shown["services"]] == [None, REASON]
    with Workspace(data).open(PASSPHRASE) as ws:
        [entry] = [e for e in ws.store.audit.entries() if e.action == "referral.override"]
        assert entry.detail["reason"] == REASON and entry.detail["service_id"] == police
    pdf = tmp_path / "packet.pdf"
    _ok(run_cli("report", case, "--plaintext", "-o", str(pdf), data_dir=data,
                stdin=PASSPHRASE + "\n"))
    text = " ".join(pdftotext(pdf).split())
    assert "outside the person's consent" in text and "report the employer" in text
