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
        return UnlockThrottle(data_dir / "unlock-state.json", clock=fake.clock, sleep=fake.sleep)

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


def test_state_file_holds_a_counter_and_a_time_only(store: Store, data_dir: Path) -> None:
    store.close()
    with pytest.raises(WrongPassphrase):
        Store.open(data_dir, "Maria wrong guess 1990")
    doc = json.loads((data_dir / "unlock-state.json").read_text())
    assert set(doc) == {"failures", "last_failure"}
    assert doc["failures"] == 1


def test_clock_set_backwards_does_not_extend_the_wait(tmp_path: Path) -> None:
    fake = FakeTime()
    throttle = UnlockThrottle(tmp_path / "state.json", clock=fake.clock, sleep=fake.sleep)
    for _ in range(4):
        throttle.record_failure()
    fake.now -= 10_000
    assert throttle.remaining() == delay_after(4)


def test_damaged_state_file_does_not_reset_the_counter(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{garbage")
    fake = FakeTime()
    throttle = UnlockThrottle(path, clock=fake.clock, sleep=fake.sleep)
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
    assert UnlockThrottle(data_dir / "unlock-state.json").failures == 0
