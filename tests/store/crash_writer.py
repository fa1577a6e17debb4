"""Child process for the SIGKILL test: saves answers forever, acknowledging each on stdout.

Usage: python crash_writer.py DATA_DIR INTERVIEW_ID RUN  (passphrase on stdin).
A line ``<item>`` or ``shared=<n>`` is printed only after ``save_answer`` returned, i.e. after
the store acknowledged it as durable. The parent kills this process at random moments.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from screening.engine.storage import AnswerRecord
from screening.store import Store


def main() -> None:
    data_dir, interview_id, run = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    tag = f"r{run}"
    store = Store.open(data_dir, sys.stdin.readline().rstrip("\n"))
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        padding = "x" * random.randint(0, 3000)  # some saves span several pages
        if n % 4 == 0:
            value = run * 1_000_000 + n  # grows across runs: the newest save is the largest
            store.interviews.save_answer(
                interview_id,
                AnswerRecord("shared", value, None, "en", "2026-03-07T10:00:00Z", note=padding),
            )
            sys.stdout.write(f"shared={value}\n")
        else:
            item = f"{tag}_{n}"
            store.interviews.save_answer(
                interview_id,
                AnswerRecord(item, f"value {n} {padding}", None, "en", "2026-03-07T10:00:00Z"),
            )
            sys.stdout.write(item + "\n")
        sys.stdout.flush()
        if n % 7 == 0:
            store.interviews.save_position(interview_id, f"{tag}_{n}")


if __name__ == "__main__":
    main()
