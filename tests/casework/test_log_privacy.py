"""Plaintext metadata: the log folder and keyslots.json name no case, interview or report,
and do not tell when the passphrase was changed."""

from __future__ import annotations

import json
import re
from pathlib import Path

from screening.log import redact_identifiers
from screening.paths import resource_path
from tests.cli.helpers import PASSPHRASE, run_cli

NEW_PASSPHRASE = "new passphrase walrus lantern 9"


def test_redact_identifiers() -> None:
    text = ("case=de01b09034f04ebcb90b6bcc73b38d74 iv=ffa7d271-67eb-4158-bbcb-cd61de957185 "
            "ref=FS-2026-AWY1F sha256:" + "ab" * 32 + " incident 1a2b3c4d")
    assert redact_identifiers(text) == "case=[id] iv=[id] ref=[id] [id] incident 1a2b3c4d"


def test_logs_and_key_file_hold_no_case_details(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_cli("init", data_dir=data, stdin=PASSPHRASE + "\n").returncode == 0
    doc = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))
    doc["consent"] = {"given": True, "scope": ["screening", "referral"]}
    doc["person"] = {"name": "Log Privacy Fakename"}
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(doc), encoding="utf-8")
    done = run_cli("interview", "--instrument", "adult_indicators", "--lang", "en",
                   "--answers", str(answers), "--json", data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    case_id, interview_id = result["case_id"], result["interview_id"]
    listed = json.loads(run_cli("cases", "list", "--json", data_dir=data,
                                stdin=PASSPHRASE + "\n").stdout)
    reference = listed[0]["reference"]
    pdf = tmp_path / "referral-report.pdf"
    done = run_cli("report", case_id, "-o", str(pdf), "--plaintext", data_dir=data,
                   stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    done = run_cli("passphrase", "change", data_dir=data,
                   stdin=f"{PASSPHRASE}\n{NEW_PASSPHRASE}\n")
    assert done.returncode == 0, done.stderr

    logs = "".join(p.read_text(encoding="utf-8") for p in (data / "logs").rglob("*")
                   if p.is_file())
    assert logs, "the CLI wrote no log at all"
    for secret in (case_id, interview_id, reference, pdf.name, "Fakename",
                   case_id.replace("-", "")):
        assert secret not in logs, secret
    assert not re.search(r"[0-9a-f]{32}|sha256", logs)  # no id or report hash of any kind
    assert "passphrase" not in logs.lower()

    keyslots = (data / "keyslots.json").read_text(encoding="ascii")
    for secret in (case_id, interview_id, reference):
        assert secret not in keyslots
    assert "created_at" not in keyslots
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}", keyslots)  # no time of the change
