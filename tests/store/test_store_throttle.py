"""The growing delay after wrong passphrases, with a fake clock (no real waiting)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from storehelp import PASSPHRASE

from screening.errors import WrongPassphrase
from screening.store import Store, UnlockThrottle
from screening.store.throttle import MAX_DELAY, delay_after


class FakeTime:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def test_schedule_grows_and_is_capped() -> None:
    assert [delay_after(n) for n in range(7)] == [0, 0, 0, 1, 2, 4, 8]
    assert delay_after(50) == MAX_DELAY


def test_wrong_passphrases_make_later_attempts_wait(store: Store, data_dir: Path) -> None:
    store.close()
    fake = FakeTime()

    def throttle() -> UnlockThrottle:  # a fresh object each time: the state is on disk
        return UnlockThrottle(data_dir / "keyslots.json", clock=fake.clock, sleep=fake.sleep)

    for _ in range(5):
        with pytest.raises(WrongPassphrase):
            Store.open(data_dir, "wrong passphrase here", throttle=throttle())
    assert fake.slept == [1.0, 2.0]  # attempts 4 and 5 waited
    assert throttle().failures == 5
    fake.now += 3  # time passes while the officer thinks: only the rest is waited
    Store.open(data_dir, PASSPHRASE, throttle=throttle()).close()
    assert fake.slept == [1.0, 2.0, 1.0]
    assert throttle().failures == 0
    assert throttle().remaining() == 0


def test_the_count_holds_numbers_and_a_time_only(store: Store, data_dir: Path) -> None:
    store.close()
    with pytest.raises(WrongPassphrase):
        Store.open(data_dir, "Maria wrong guess 1990")
    doc = json.loads((data_dir / "keyslots.json").read_text())
    assert set(doc["attempts"]) == {"in_a_row", "total", "last_failed"}
    assert (doc["attempts"]["in_a_row"], doc["attempts"]["total"]) == (1, 1)
    assert "Maria" not in json.dumps(doc)


def test_failed_unlocks_survive_deleting_files_and_reach_the_audit_trail(
    store: Store, data_dir: Path
) -> None:
    """Issue #13: deleting unlock-state.json used to reset the count and hide the guesses."""
    store.close()
    for _ in range(3):
        with pytest.raises(WrongPassphrase):
            Store.open(data_dir, "a wrong guess at the keyboard")
    for name in ("unlock-state.json",):  # what an attacker deleted before
        (data_dir / name).unlink(missing_ok=True)
    assert UnlockThrottle(data_dir / "keyslots.json").failures == 3
    with Store.open(data_dir, PASSPHRASE) as opened:
        failed = [e for e in opened.audit.entries() if e.action == "unlock.failed"]
        assert [e.detail for e in failed] == [{"attempts": 3}]
        assert opened.warnings == ()
    with Store.open(data_dir, PASSPHRASE) as again:  # counted once, not at every unlock
        assert [e.action for e in again.audit.entries()].count("unlock.failed") == 1


def test_lowering_the_count_by_hand_is_noticed(store: Store, data_dir: Path) -> None:
    store.close()
    for _ in range(2):
        with pytest.raises(WrongPassphrase):
            Store.open(data_dir, "a wrong guess at the keyboard")
    Store.open(data_dir, PASSPHRASE).close()  # the anchor now remembers a total of 2
    keyfile = data_dir / "keyslots.json"
    doc = json.loads(keyfile.read_text())
    doc["attempts"] = {"in_a_row": 0, "total": 0, "last_failed": 0}
    keyfile.write_text(json.dumps(doc))
    with Store.open(data_dir, PASSPHRASE) as opened:
        assert [w.code for w in opened.warnings] == ["unlock_count_reset"]
        codes = [e.detail.get("code") for e in opened.audit.entries()
                 if e.action == "store.integrity_warning"]
        assert codes == ["unlock_count_reset"]


def test_an_older_unlock_state_file_is_merged_once(store: Store, data_dir: Path) -> None:
    store.close()
    (data_dir / "unlock-state.json").write_text('{"failures": 4, "last_failure": 0}')
    with Store.open(data_dir, PASSPHRASE) as opened:
        failed = [e.detail for e in opened.audit.entries() if e.action == "unlock.failed"]
        assert failed == [{"attempts": 4}]
    assert not (data_dir / "unlock-state.json").exists()
    assert UnlockThrottle(data_dir / "keyslots.json").total == 4


def test_clock_set_backwards_does_not_extend_the_wait(tmp_path: Path) -> None:
    fake = FakeTime()
    throttle = UnlockThrottle(tmp_path / "state.json", clock=fake.clock, sleep=fake.sleep)
    for _ in range(4):
        throttle.record_failure()
    fake.now -= 10_000
    assert throttle.remaining() == delay_after(4)


def test_damaged_legacy_state_file_does_not_reset_the_counter(tmp_path: Path) -> None:
    path = tmp_path / "unlock-state.json"
    path.write_text("{garbage")
    fake = FakeTime()
    throttle = UnlockThrottle(tmp_path / "keyslots.json", clock=fake.clock, sleep=fake.sleep)
    assert throttle.failures >= 3
    assert throttle.remaining() > 0


def test_the_cli_really_sleeps_the_rest_of_the_delay(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What `fieldscreen check` does after three wrong passphrases, in-process, with a fake
    clock behind the default throttle (no wall-time measurement, so no flakiness)."""
    import argparse
    import types

    from screening.cli import common
    from screening.store import throttle as throttle_module

    store.close()
    fake = FakeTime()
    monkeypatch.setattr(throttle_module, "time",
                        types.SimpleNamespace(time=fake.clock, sleep=fake.sleep))
    for _ in range(3):
        with pytest.raises(WrongPassphrase):
            Store.open(data_dir, "wrong passphrase here")
    assert fake.slept == []  # the first three attempts are free
    fake.now += 0.25  # the officer takes a moment to type again
    monkeypatch.setattr(common, "read_passphrase", lambda prompt: PASSPHRASE)
    args = argparse.Namespace(data_dir=data_dir, recovery_key=False)
    common.open_store(args).close()
    assert fake.slept == [0.75]  # the rest of the 1 s delay, really slept
    assert "waiting 1 s after earlier wrong passphrases" in capsys.readouterr().err
    assert UnlockThrottle(data_dir / "keyslots.json").failures == 0
