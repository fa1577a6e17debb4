"""The store's command line, run as administrators run it: subprocess, stdin, exit codes."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
import sqlcipher3

from screening.store import PersonInfo, Store
from screening.store.keys import SLOT_PASSPHRASE, KeySlots

from .helpers import PASSPHRASE, run_cli

NEW_PASSPHRASE = "violet tugboat marmalade 1987"
EXPORT_PASSWORD = "export tangerine lighthouse 77"
RECOVERY = re.compile(r"([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}")


def _hashes(folder: Path) -> dict[str, str]:
    """Each file's hash; the key file's failed-attempt count (which a wrong passphrase is
    supposed to raise) left out."""
    def state(p: Path) -> bytes:
        if p.name != "keyslots.json":
            return p.read_bytes()
        doc = json.loads(p.read_bytes())
        doc.pop("attempts", None)
        return json.dumps(doc, sort_keys=True).encode()

    return {
        p.name: hashlib.sha256(state(p)).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def _init(data: Path) -> str:
    done = run_cli("init", data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def initialised(data: Path) -> str:
    return _init(data)


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")  # for stores made in this process


def test_init_reads_the_passphrase_from_stdin_and_prints_the_recovery_key(data: Path) -> None:
    recovery_key = _init(data)
    assert RECOVERY.fullmatch(recovery_key)
    assert (data / "fieldscreen.db").exists() and (data / "keyslots.json").exists()
    again = run_cli("init", data_dir=data, stdin=PASSPHRASE + "\n")
    assert again.returncode == 1 and "already exists" in again.stderr
    opened = run_cli("--data-dir", str(data), "recovery-key", "new", stdin=PASSPHRASE + "\n")
    assert opened.returncode == 0 and RECOVERY.fullmatch(opened.stdout.strip())


def test_init_refuses_a_weak_passphrase(data: Path) -> None:
    done = run_cli("init", data_dir=data, stdin="password1\n")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "too weak" in done.stderr
    assert not (data / "keyslots.json").exists()


def test_wrong_passphrase_exits_3_with_one_line_and_changes_nothing(
    data: Path, initialised: str
) -> None:
    before = _hashes(data)
    done = run_cli("cases", "list", data_dir=data, stdin="not the passphrase\n")
    assert done.returncode == 3
    assert done.stderr == "error: wrong passphrase\n"
    assert done.stdout == ""
    assert _hashes(data) == before


def test_missing_store_and_missing_passphrase(data: Path, tmp_path: Path) -> None:
    done = run_cli("cases", "list", data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 1 and "fieldscreen init" in done.stderr
    assert not data.exists()
    _init(data)
    empty = run_cli("cases", "list", data_dir=data, stdin="")
    assert empty.returncode == 2 and "standard input" in empty.stderr


def test_cases_new_list_show_search_delete(data: Path, initialised: str) -> None:
    made = run_cli("cases", "new", "--json", data_dir=data, stdin=PASSPHRASE + "\n")
    assert made.returncode == 0, made.stderr
    reference = json.loads(made.stdout)["reference"]
    with Store.open(data, PASSPHRASE) as store:
        named = store.cases.create(person=PersonInfo(name="Jiménez Fakeperson"))
    listed = run_cli("cases", "list", "--json", data_dir=data, stdin=PASSPHRASE + "\n")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert {r["reference"] for r in rows} >= {reference}
    assert set(rows[0]) == {
        "id",
        "reference",
        "status",
        "created_at",
        "updated_at",
        "interviews",
        "name",
        "received_from",  # issue #15: who handed a received case over (null here)
        "sent",  # issue #18: its place in the agency-server send queue (null here)
    }
    assert rows[0]["received_from"] is None
    found = run_cli("cases", "search", "--json", data_dir=data, stdin=PASSPHRASE + "\njimenez\n")
    assert [r["id"] for r in json.loads(found.stdout)] == [named]
    shown = run_cli(
        "cases", "show", reference.lower(), "--json", data_dir=data, stdin=PASSPHRASE + "\n"
    )
    assert json.loads(shown.stdout)["reference"] == reference
    refused = run_cli("cases", "delete", reference, data_dir=data, stdin=PASSPHRASE + "\n")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    deleted = run_cli("cases", "delete", reference, "--yes", data_dir=data, stdin=PASSPHRASE + "\n")
    assert deleted.returncode == 0, deleted.stderr
    gone = run_cli("cases", "show", reference, data_dir=data, stdin=PASSPHRASE + "\n")
    assert gone.returncode == 2 and "no such case" in gone.stderr


def test_export_plain_warns_encrypted_round_trips(
    data: Path, initialised: str, tmp_path: Path
) -> None:
    with Store.open(data, PASSPHRASE) as store:
        store.cases.create(person=PersonInfo(name="Export Fakeperson"))
    plain = tmp_path / "plain.json"
    done = run_cli("export", "-o", str(plain), data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    assert "NOT encrypted" in done.stderr
    assert b"Export Fakeperson" in plain.read_bytes()

    enc = tmp_path / "cases.csv.enc"
    done = run_cli(
        "export",
        "--format",
        "csv",
        "--encrypt",
        "-o",
        str(enc),
        data_dir=data,
        stdin=f"{PASSPHRASE}\n{EXPORT_PASSWORD}\n",
    )
    assert done.returncode == 0, done.stderr
    assert "NOT encrypted" not in done.stderr and "(csv, encrypted)" in done.stderr
    assert enc.read_bytes().startswith(b"FIELDSCREEN-EXPORT 1\n")
    out = tmp_path / "cases.csv"
    wrong = run_cli("export-decrypt", str(enc), "-o", str(out), stdin="wrong password\n")
    assert wrong.returncode == 3 and not out.exists()
    done = run_cli("export-decrypt", str(enc), "-o", str(out), stdin=EXPORT_PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().decode("utf-8-sig").startswith("case_reference,")


def test_backup_and_restore(data: Path, initialised: str, tmp_path: Path) -> None:
    with Store.open(data, PASSPHRASE) as store:
        case_id = store.cases.create()
    backup = tmp_path / "store.fsbackup"
    done = run_cli("backup", "-o", str(backup), data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    elsewhere = tmp_path / "elsewhere"
    done = run_cli("restore", str(backup), data_dir=elsewhere, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    with Store.open(elsewhere, PASSPHRASE) as restored:
        assert [c.id for c in restored.cases.list()] == [case_id]

    before = _hashes(data)
    refused = run_cli("restore", str(backup), data_dir=data, stdin=PASSPHRASE + "\n")
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert _hashes(data) == before
    broken = tmp_path / "broken.fsbackup"
    broken.write_bytes(backup.read_bytes()[:-100])
    bad = run_cli("restore", str(broken), "--force", data_dir=data, stdin=PASSPHRASE + "\n")
    assert bad.returncode == 1 and "not a usable FieldScreen backup" in bad.stderr
    assert _hashes(data) == before
    forced = run_cli("restore", str(backup), "--force", data_dir=data, stdin=PASSPHRASE + "\n")
    assert forced.returncode == 0, forced.stderr
    assert "pre-restore" in forced.stderr


def test_restore_of_an_altered_backup_exits_2(
    data: Path, initialised: str, tmp_path: Path
) -> None:
    backup = tmp_path / "store.fsbackup"
    done = run_cli("backup", "-o", str(backup), data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    raw = backup.read_bytes()
    magic_end = raw.index(b"\n") + 1
    header_end = raw.index(b"\n", magic_end) + 1
    header = json.loads(raw[magic_end:header_end])
    header["keyslots"]["slots"] = [
        s for s in header["keyslots"]["slots"] if s["kind"] != "recovery"
    ]
    line = json.dumps(header, sort_keys=True).encode("ascii") + b"\n"
    backup.write_bytes(raw[:magic_end] + line + raw[header_end:])
    before = _hashes(data)
    bad = run_cli("restore", str(backup), "--force", data_dir=data, stdin=PASSPHRASE + "\n")
    assert bad.returncode == 2, bad.stderr
    assert "the backup was altered" in bad.stderr
    assert "internal error" not in bad.stderr
    assert _hashes(data) == before


def test_restore_of_a_legacy_backup_needs_the_flag(
    data: Path, initialised: str, tmp_path: Path
) -> None:
    backup = tmp_path / "store.fsbackup"
    done = run_cli("backup", "-o", str(backup), data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    raw = backup.read_bytes()
    magic_end = raw.index(b"\n") + 1
    header_end = raw.index(b"\n", magic_end) + 1
    header = json.loads(raw[magic_end:header_end])
    header["version"] = 1
    line = json.dumps(header, sort_keys=True).encode("ascii") + b"\n"
    backup.write_bytes(b"FIELDSCREEN-BACKUP 1\n" + line + raw[header_end + 65 :])
    elsewhere = tmp_path / "elsewhere"
    refused = run_cli("restore", str(backup), data_dir=elsewhere, stdin=PASSPHRASE + "\n")
    assert refused.returncode == 2 and "--legacy-unauthenticated" in refused.stderr
    assert not (elsewhere / "fieldscreen.db").exists()
    done = run_cli("restore", str(backup), "--legacy-unauthenticated", data_dir=elsewhere,
                   stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    assert "not authenticated" in done.stderr


def test_audit_verify_names_the_first_broken_entry(data: Path, initialised: str) -> None:
    for _ in range(3):
        assert run_cli("cases", "new", data_dir=data, stdin=PASSPHRASE + "\n").returncode == 0
    ok = run_cli("audit", "verify", data_dir=data, stdin=PASSPHRASE + "\n")
    assert ok.returncode == 0 and "intact" in ok.stdout
    listed = run_cli("audit", "list", "--json", data_dir=data, stdin=PASSPHRASE + "\n")
    assert [e["action"] for e in json.loads(listed.stdout)][:4] == [
        "store.created",
        "store.locked",
        "store.opened",
        "case.created",
    ]

    key, _ = KeySlots.load(data / "keyslots.json").unlock(SLOT_PASSPHRASE, PASSPHRASE)
    raw = sqlcipher3.connect(str(data / "fieldscreen.db"), isolation_level=None)
    raw.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    raw.execute("UPDATE audit SET action = 'case.deleted' WHERE id = 3")
    raw.close()
    altered = run_cli("audit", "verify", data_dir=data, stdin=PASSPHRASE + "\n")
    assert altered.returncode == 1
    assert "audit trail broken at entry 3" in altered.stderr

    raw = sqlcipher3.connect(str(data / "fieldscreen.db"), isolation_level=None)
    raw.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    raw.execute("UPDATE audit SET action = 'case.created' WHERE id = 3")  # repaired ...
    raw.execute("DELETE FROM audit WHERE id = 2")  # ... and another entry removed
    raw.close()
    deleted = run_cli("audit", "verify", data_dir=data, stdin=PASSPHRASE + "\n")
    assert deleted.returncode == 1
    assert "audit trail broken at entry 2" in deleted.stderr
    check = run_cli("check", data_dir=data, stdin=PASSPHRASE + "\n")
    assert check.returncode == 1 and "entry 2" in check.stderr


def test_passphrase_change_and_recovery(data: Path, initialised: str) -> None:
    done = run_cli("passphrase", "change", data_dir=data, stdin=f"{PASSPHRASE}\n{NEW_PASSPHRASE}\n")
    assert done.returncode == 0, done.stderr
    old = run_cli("cases", "list", data_dir=data, stdin=PASSPHRASE + "\n")
    assert old.returncode == 3
    new = run_cli("check", data_dir=data, stdin=NEW_PASSPHRASE + "\n")
    assert new.returncode == 0, new.stderr
    # Forgotten passphrase: the recovery key sets a new one.
    done = run_cli(
        "passphrase",
        "change",
        "--recovery-key",
        data_dir=data,
        stdin=f"{initialised.lower()}\n{PASSPHRASE}\n",
    )
    assert done.returncode == 0, done.stderr
    assert run_cli("check", data_dir=data, stdin=PASSPHRASE + "\n").returncode == 0


def test_repeated_wrong_passphrases_say_they_wait(data: Path, initialised: str) -> None:
    """The CLI says it waits; how long it really sleeps is checked with a fake clock in
    tests/store/test_store_throttle.py (a wall-time assert here was flaky under load)."""
    # Four failures: the fifth attempt waits 2 s from the last one, far more than a CLI
    # start takes even on a loaded machine (after three it was 1 s, and a slow start could
    # use it all up before the CLI looked).
    for _ in range(4):
        assert run_cli("check", data_dir=data, stdin="wrong guess\n").returncode == 3
    done = run_cli("check", data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    assert re.search(r"waiting [12] s after earlier wrong passphrases", done.stderr)


def test_newer_store_is_refused_untouched(data: Path, initialised: str) -> None:
    key, _ = KeySlots.load(data / "keyslots.json").unlock(SLOT_PASSPHRASE, PASSPHRASE)
    raw = sqlcipher3.connect(str(data / "fieldscreen.db"), isolation_level=None)
    raw.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    raw.execute("PRAGMA user_version = 42")
    raw.close()
    before = _hashes(data)
    done = run_cli("cases", "list", data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 1
    assert "newer FieldScreen" in done.stderr and done.stderr.count("\n") == 1
    assert _hashes(data) == before


def test_rekey_prints_a_new_recovery_key_and_checks_both_passphrases(
    data: Path, initialised: str
) -> None:
    wrong = run_cli("rekey", data_dir=data, stdin=f"wrong guess\n{NEW_PASSPHRASE}\n")
    assert wrong.returncode == 3
    weak = run_cli("rekey", data_dir=data, stdin=f"{PASSPHRASE}\nshort\n")
    assert weak.returncode == 2
    done = run_cli("rekey", data_dir=data, stdin=f"{PASSPHRASE}\n{NEW_PASSPHRASE}\n")
    assert done.returncode == 0, done.stderr
    recovery_key = done.stdout.strip()
    assert RECOVERY.fullmatch(recovery_key) and recovery_key != initialised
    assert "no longer open the CURRENT store" in done.stderr
    assert "destroy old backups" in done.stderr
    assert run_cli("check", data_dir=data, stdin=PASSPHRASE + "\n").returncode == 3
    assert run_cli("check", data_dir=data, stdin=NEW_PASSPHRASE + "\n").returncode == 0
    by_key = run_cli(
        "audit", "verify", "--recovery-key", data_dir=data, stdin=recovery_key + "\n"
    )
    if by_key.returncode == 2 and "unrecognized" in by_key.stderr:  # no --recovery-key there
        by_key = run_cli(
            "passphrase", "change", "--recovery-key", data_dir=data,
            stdin=f"{recovery_key}\n{NEW_PASSPHRASE}\n",
        )
    assert by_key.returncode == 0, by_key.stderr
    verify = run_cli("audit", "verify", data_dir=data, stdin=NEW_PASSPHRASE + "\n")
    assert verify.returncode == 0, verify.stderr


def test_data_dir_may_come_after_the_command(tmp_path: Path) -> None:
    """The README says every command takes --data-dir; scripts write it after the command
    too ("fieldscreen init --data-dir X" was "unrecognized arguments", exit 2)."""
    folder = tmp_path / "after"
    done = run_cli("init", "--data-dir", str(folder), stdin=PASSPHRASE + "\n" + PASSPHRASE + "\n",
                   env={"FIELDSCREEN_DATA_DIR": str(tmp_path / "not-this-one")})
    assert done.returncode == 0, done.stderr
    assert (folder / "fieldscreen.db").exists() and not (tmp_path / "not-this-one").exists()
    listed = run_cli("cases", "list", "--json", "--data-dir", str(folder),
                     stdin=PASSPHRASE + "\n")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
    before = run_cli("--data-dir", str(folder), "cases", "list", "--json",
                     stdin=PASSPHRASE + "\n")  # before the command: as it always was
    assert before.returncode == 0 and json.loads(before.stdout) == []
