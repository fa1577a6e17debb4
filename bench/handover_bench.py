"""Recipient-key hand-over times (issue #15): prints medians; `make bench` includes the rows.

The demo case (adult_indicators, the demo answers, Arabic interview, English report) in one
warm process: hand-over = the full referral PDF built in memory, the case's data, the
container, age encryption for one X25519 recipient and the atomic write; receive = read,
age decryption, every check (manifest, case.json, instrument hash, embedded data, answers)
and the import as a new case in a second store, in one transaction. Goal: < 200 ms warm each.

Run on its own: `python bench/handover_bench.py`.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SCREENING_DEV", "1")  # lets the bench seed stores with the cheap KDF

from bench.suite import PASSPHRASE, Row, timed  # noqa: E402
from screening.casework.handover import (  # noqa: E402
    Recipient,
    open_packet,
    read_packet,
    receive_referral,
    send_referral,
)
from screening.handover.keys import create_identity, read_identity_file, unlock_identities  # noqa: E402
from screening.paths import resource_path  # noqa: E402
from screening.store import PersonInfo  # noqa: E402
from screening.workspace import Workspace  # noqa: E402
from tests.factories import stored_interview  # noqa: E402

GOAL = "< 200 ms warm"


def _workspace(folder: Path) -> Workspace:
    os.environ["FIELDSCREEN_KDF_PROFILE"] = "fast"
    try:
        ws = Workspace(folder)
        ws.create(PASSPHRASE)
    finally:
        del os.environ["FIELDSCREEN_KDF_PROFILE"]
    return ws


def bench_handover(work: Path, runs: int = 21) -> list[Row]:
    sender = _workspace(work / "handover-officer")
    receiver = _workspace(work / "handover-caseworker")
    demo = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))
    done = stored_interview(sender, "adult_indicators", dict(demo["answers"]), lang="ar",
                            officer_lang="en", person=PersonInfo(name="Synthetic Bench"))
    key = create_identity(work / "agency.key")
    identities = unlock_identities(read_identity_file(key.path))
    packet = work / "referral.age"

    def send() -> None:
        send_referral(sender, done["case_id"], Recipient(key.public_key), packet, lang="en")

    def receive() -> None:
        # The same packet each run: imported again on purpose (the first run would
        # otherwise be the only one; a repeat is refused by default).
        receive_referral(receiver, open_packet(read_packet(packet), identities, receiver),
                         again=True)

    sent = timed(send, runs, warmup=2)
    received = timed(receive, runs, warmup=2)
    size = packet.stat().st_size // 1024
    sender.close()
    receiver.close()
    return [
        Row(f"hand-over packet, demo case (PDF + data, age), {size} KiB", sent, GOAL),
        Row("receive a hand-over packet, demo case (checks + import)", received, GOAL),
    ]


def main() -> None:
    from bench.suite import render

    with tempfile.TemporaryDirectory(prefix="fieldscreen-bench-") as tmp:
        rows = bench_handover(Path(tmp))
    print("\n".join(render(rows)))


if __name__ == "__main__":
    main()
