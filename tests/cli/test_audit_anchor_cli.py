"""`fieldscreen audit verify --against FILE` (issue #13), as an administrator runs it.

Someone with the passphrase can rewrite the audit trail and even re-sign the key file, so
nothing on the laptop shows it. The anchors that left the laptop (an export, a backup, a
number copied from a printed packet) still do.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from screening.paths import resource_path
from screening.store import AuditAnchor
from tests.attacker import rewrite_history
from tests.reports.pdftools import pdftotext

from .helpers import PASSPHRASE, run_cli

EXPORT_PASSWORD = "export tangerine lighthouse 77"


@pytest.fixture
def handed_out(tmp_path: Path) -> tuple[Path, dict[str, Path], str]:
    """A store with an interviewed case, and the files that left it: backup, encrypted and
    JSON export, a plaintext and an encrypted referral packet."""
    data = tmp_path / "data"
    done = run_cli("init", data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    answers = json.loads(resource_path("demo", "answers.json").read_text())["answers"]
    answers_file = tmp_path / "answers.json"
    answers_file.write_text(json.dumps({"consent": {"given": True, "scope": ["screening"]},
                                        "answers": answers}), encoding="utf-8")
    done = run_cli("interview", "--instrument", "adult_indicators", "--lang", "en",
                   "--answers", str(answers_file), "--json", data_dir=data,
                   stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    case = str(json.loads(done.stdout)["case_id"])
    files = {"backup": tmp_path / "b.fsbackup", "encrypted": tmp_path / "cases.json.enc",
             "json": tmp_path / "cases.json", "packet": tmp_path / "hotline.pdf",
             "encrypted packet": tmp_path / "hotline-encrypted.pdf"}
    steps = [
        (("backup", "-o", str(files["backup"])), PASSPHRASE + "\n"),
        (("export", "--encrypt", "-o", str(files["encrypted"])),
         f"{PASSPHRASE}\n{EXPORT_PASSWORD}\n"),
        (("export", "-o", str(files["json"])), PASSPHRASE + "\n"),
        (("report", case, "--variant", "redacted", "--plaintext", "-o", str(files["packet"])),
         PASSPHRASE + "\n"),
        (("report", case, "--variant", "redacted", "--encrypt", "-o",
          str(files["encrypted packet"])), f"{PASSPHRASE}\n{EXPORT_PASSWORD}\n"),
    ]
    for args, stdin in steps:
        done = run_cli(*args, data_dir=data, stdin=stdin)
        assert done.returncode == 0, done.stderr
    # What an officer copies from a printed packet's footer.
    printed = re.search(r"Audit anchor: (\d+:[0-9a-f]{16})", pdftotext(files["packet"]))
    assert printed is not None
    typed = printed.group(1)
    exported = AuditAnchor.from_json(json.loads(files["json"].read_text())["audit_anchor"])
    assert AuditAnchor.parse(typed).entry_id > exported.entry_id  # made later, anchored later
    return data, files, typed


def _verify(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # The PDF password is read only for an encrypted packet, after the passphrase.
    return run_cli("audit", "verify", *args, data_dir=data,
                   stdin=f"{PASSPHRASE}\n{EXPORT_PASSWORD}\n")


def test_every_file_that_left_the_laptop_carries_an_anchor_that_verifies(
    handed_out: tuple[Path, dict[str, Path], str],
) -> None:
    data, files, typed = handed_out
    assert b"audit_anchor" in files["encrypted"].read_bytes().split(b"\n")[1]  # in the clear
    for kind, path in files.items():
        done = _verify(data, "--against", str(path))
        assert done.returncode == 0, (kind, done.stderr)
        assert "found; the history up to entry" in done.stdout
        assert "audit trail intact" in done.stdout
    done = _verify(data, "--anchor", typed)
    assert done.returncode == 0, done.stderr


def test_history_rewritten_with_the_passphrase_is_caught_by_an_anchor_that_left(
    handed_out: tuple[Path, dict[str, Path], str],
) -> None:
    data, files, typed = handed_out
    rewrite_history(data, PASSPHRASE, drop_action="case.created", resign_keyfile=True)
    plain = _verify(data)
    assert plain.returncode == 0 and "audit trail intact" in plain.stdout  # fooled
    assert "warning" not in plain.stderr  # the key file was re-signed: fooled too
    for path in files.values():
        done = _verify(data, "--against", str(path))
        assert done.returncode == 1, done.stderr
        assert "does not match the audit trail" in done.stderr
        assert "Traceback" not in done.stderr
    assert _verify(data, "--anchor", typed).returncode == 1


def test_a_file_without_an_anchor_or_a_mistyped_anchor_is_bad_input(
    handed_out: tuple[Path, dict[str, Path], str], tmp_path: Path,
) -> None:
    data, _files, _typed = handed_out
    other = tmp_path / "notes.txt"
    other.write_text("nothing here")
    done = _verify(data, "--against", str(other))
    assert done.returncode == 2 and "holds no audit anchor" in done.stderr
    done = _verify(data, "--anchor", "12:xyz")
    assert done.returncode == 2 and "1234:3f9a1c2b7d4e99aa" in done.stderr
    for hostile in ("99999999999999999999999:0123456789abcdef", "0:0123456789abcdef"):
        done = _verify(data, "--anchor", hostile)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000)
    done = _verify(data, "--against", str(deep))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    done = _verify(data, "--against", str(tmp_path / "missing.pdf"))
    assert done.returncode == 2 and "no such file" in done.stderr


def test_signs_of_tampering_are_printed_when_the_cli_opens_the_store(
    handed_out: tuple[Path, dict[str, Path], str],
) -> None:
    data, _files, _typed = handed_out
    rewrite_history(data, PASSPHRASE, drop_action="case.created")  # key file not re-signed
    done = run_cli("cases", "list", data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    assert "warning: the audit trail was rewritten" in done.stderr
