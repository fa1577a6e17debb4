"""SIGKILL at random moments never loses an acknowledged answer nor damages the database."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from storehelp import PASSPHRASE, meta

from screening.store import Store

WRITER = Path(__file__).with_name("crash_writer.py")
ROOT = Path(__file__).resolve().parents[2]
KILLS = 60
BUDGET_S = 50.0


def _spawn(data_dir: Path, interview_id: str, run: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(data_dir), interview_id, run],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=os.environ.copy(),  # PYTEST_CURRENT_TEST + fast KDF profile
    )
    assert proc.stdin is not None
    proc.stdin.write(PASSPHRASE + "\n")
    proc.stdin.flush()
    return proc


@pytest.mark.slow
def test_sigkill_never_loses_an_acknowledged_answer(data_dir: Path, store: Store) -> None:
    case_id = store.cases.create()
    interview_id = store.interviews.create(case_id, meta())
    store.close()
    rng = random.Random(20260307)
    acked: set[str] = set()
    last_shared = 0
    kills = mid_open_kills = 0
    started = time.monotonic()
    while kills < KILLS and time.monotonic() - started < BUDGET_S:
        proc = _spawn(data_dir, interview_id, str(kills))
        assert proc.stdout is not None
        if rng.random() < 0.2:
            # Kill somewhere in start-up: import, unlock, migration check, "store.opened".
            time.sleep(rng.uniform(0.0, 0.4))
            mid_open_kills += 1
        else:
            first = proc.stdout.readline()
            assert first == "ready\n", proc.stderr.read() if proc.stderr else first
            time.sleep(rng.uniform(0.0, 0.05))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL, err
        for line in out.splitlines(keepends=True):
            if not line.endswith("\n") or line == "ready\n":
                continue  # a line cut by the kill was never fully acknowledged
            text = line.rstrip("\n")
            if text.startswith("shared="):
                last_shared = max(last_shared, int(text.split("=", 1)[1]))
            else:
                acked.add(text)
        kills += 1
    assert kills >= KILLS, f"only {kills} kills in {BUDGET_S} s"
    assert len(acked) > 100  # the writers did real work between kills

    with Store.open(data_dir, PASSPHRASE) as reopened:
        assert reopened.integrity_check() == []
        assert reopened.audit.verify() == (True, None)
        answers = reopened.interviews.load_answers(interview_id)
        missing = acked - set(answers)
        assert not missing, f"{len(missing)} acknowledged answers lost, e.g. {sorted(missing)[:3]}"
        for item in rng.sample(sorted(acked), 20):
            assert len(reopened.interviews.answer_history(interview_id, item)) == 1
        if last_shared:
            # A save may commit and be killed before acknowledging: never older than acked.
            assert answers["shared"].value >= last_shared
