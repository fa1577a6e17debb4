"""`fieldscreen officer show|set` (issue #15 review): the officer's profile that full referral
packets print (name, agency, phone, e-mail) had no command line. It is the same setting the
app's Settings › Profile edits (tests/gui/test_gui_parity.py); phone and e-mail are checked,
and a bad one is exit 2 saying what is wrong, before any passphrase is asked."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from screening.workspace import Workspace

from .helpers import PASSPHRASE, run_cli

PROFILE = {"name": "Officer Synthetic-Profile", "agency": "Synthetic Border Unit",
           "location": "Synthetic Crossing", "hotline": "+00 123 456",
           "phone": "+962 6 555 0100", "email": "officer.synthetic@example.org"}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    done = run_cli("init", data_dir=folder, stdin=PASSPHRASE + "\n" + PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    return folder


def _ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def _officer(data: Path, *args: str, stdin: str = PASSPHRASE + "\n"
             ) -> subprocess.CompletedProcess:
    return run_cli("officer", *args, data_dir=data, stdin=stdin)


def _stored(data: Path) -> dict:
    with Workspace(data).open(PASSPHRASE) as ws:
        return ws.preferences.officer_profile().to_json()


def test_set_then_show_and_fields_left_out_keep_their_value(data: Path) -> None:
    args = [x for key, value in PROFILE.items() for x in (f"--{key}", value)]
    printed = json.loads(_ok(_officer(data, "set", *args, "--json")))
    assert printed == PROFILE == _stored(data)
    assert json.loads(_ok(_officer(data, "show", "--json"))) == PROFILE
    text = _ok(_officer(data, "show"))
    assert "phone:" in text and PROFILE["phone"] in text and PROFILE["email"] in text
    # One field changed; the others keep their value; "" clears one.
    _ok(_officer(data, "set", "--agency", "Synthetic Shelter", "--email", ""))
    assert _stored(data) == {**PROFILE, "agency": "Synthetic Shelter", "email": ""}
    # The app's store audits the change by key only, as every setting.
    with Workspace(data).open(PASSPHRASE) as ws:
        changed = [e.detail for e in ws.store.audit.entries() if e.action == "settings.changed"
                   and e.detail.get("key") == "officer_profile"]
    assert changed == [{"key": "officer_profile"}] * 2


def test_a_file_sets_the_same_keys_and_options_win(data: Path, tmp_path: Path) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({**PROFILE, "phone": "٠٧٩ ٥٥٥ ١٢٣٤"}), encoding="utf-8")
    _ok(_officer(data, "set", "--file", str(profile), "--name", "Officer From-Option"))
    # Arabic-Indic digits are kept as 0-9: one form on every packet.
    assert _stored(data) == {**PROFILE, "phone": "079 555 1234",
                             "name": "Officer From-Option"}
    profile.write_text(json.dumps({"name": "x", "rank": "sergeant"}), encoding="utf-8")
    done = _officer(data, "set", "--file", str(profile), stdin="")
    assert done.returncode == 2 and "unknown profile field 'rank'" in done.stderr
    profile.write_text("{not json", encoding="utf-8")
    done = _officer(data, "set", "--file", str(profile), stdin="")
    assert done.returncode == 2 and "profile.json, line 1: not a JSON file" in done.stderr
    assert _stored(data)["name"] == "Officer From-Option"


@pytest.mark.parametrize(("option", "value", "says"), [
    ("--phone", "call the office", "phone: 'c' is not part of a phone number"),
    ("--phone", "12345", "phone: a phone number has 6 to 15 digits"),
    ("--phone", "0790+5551234", "phone: + may only come first"),
    ("--email", "officer.example.org", "email: an e-mail address has one @"),
    ("--email", "officer@example", "email: after the @ comes a domain with a dot"),
    ("--email", "officer @example.org", "email: an e-mail address has no spaces"),
    ("--name", "Officer\nSynthetic", "name: one line of text"),
])
def test_a_bad_phone_or_email_is_exit_2_saying_what_is_wrong(
        data: Path, option: str, value: str, says: str) -> None:
    # Empty standard input: the check comes before the passphrase is asked.
    done = _officer(data, "set", "--agency", "Changed Agency", option, value, stdin="")
    assert done.returncode == 2, done.stderr
    assert says in done.stderr and "Traceback" not in done.stderr
    assert _stored(data)["agency"] == ""  # nothing saved


def test_nothing_to_set_is_exit_2(data: Path) -> None:
    done = _officer(data, "set", stdin="")
    assert done.returncode == 2 and "nothing to change" in done.stderr
