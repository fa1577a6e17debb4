"""Encrypted store benchmark (``make bench`` / ``python -m bench``): prints a table.

Not a test: numbers depend on the disk. Goals from the store issue: ``save_answer`` within 3x
a bare SQLCipher single-row committed insert with the same pragmas (WAL, synchronous=FULL) and
under 2 ms median; search over 10,000 cases under 20 ms; unlock with the default Argon2id
parameters between 0.3 and 1 s.

``--quick`` uses fewer rounds (for a smoke run).

``cipher_memory_security`` (issue #13) is process-wide and cannot be switched off again
once a connection turned it on, so its cost is measured in child processes, ON and OFF
alternating: ``--saves-only on|off N`` prints one median.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlcipher3

from screening.engine.storage import AnswerRecord
from screening.store import InterviewMeta, PersonInfo, Store
from screening.store.keys import DEFAULT_KDF, derive_kek

PASSPHRASE = "benchmark walrus tangerine 2026"
ANSWER = "Me dijeron que el trabajo era legal но паспорт забрали 护照 on arrival, 12 words"
GIVEN = ["María", "José", "Анна", "Мария", "Fatima", "Nguyễn", "王", "李", "Ali", "Chen", "Olga"]
FAMILY = ["González", "Ivanova", "Haddad", "Trần", "小明", "芳", "Kowalski", "Silva", "Petrov"]


def _stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1000, p99 * 1000


def _timed(fn: Callable[[], object], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def bare_inserts(folder: Path, n: int) -> list[float]:
    """A bare sqlcipher3 connection, raw key, the store's pragmas: BEGIN; INSERT; COMMIT."""
    conn = sqlcipher3.connect(str(folder / "bare.db"), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{secrets.token_hex(32)}'\"")
    for pragma in (
        "temp_store = MEMORY",
        "journal_mode = WAL",
        "synchronous = FULL",
        "foreign_keys = ON",
        "secure_delete = ON",
    ):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute(
        "CREATE TABLE answers (id INTEGER PRIMARY KEY, session_id TEXT, question TEXT,"
        " answer TEXT, ts TEXT)"
    )
    counter = iter(range(10**9))

    def insert() -> None:
        i = next(counter)
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO answers (session_id, question, answer, ts) VALUES (?, ?, ?, ?)",
            ("s1", f"q{i}", ANSWER, "2026-03-07T10:00:00Z"),
        )
        conn.execute("COMMIT")

    samples = _timed(insert, n)
    conn.close()
    return samples


def store_saves(store: Store, n: int) -> list[float]:
    case_id = store.cases.create()
    interview_id = store.interviews.create(
        case_id, InterviewMeta("bench", "1", "sha256:x", "es", "en")
    )
    counter = iter(range(10**9))

    def save() -> None:
        i = next(counter)
        store.interviews.save_answer(
            interview_id,
            AnswerRecord(f"q{i % 60}", ANSWER, None, "es", "2026-03-07T10:00:00Z"),
        )

    return _timed(save, n)


def populate(store: Store, count: int, rng: random.Random) -> None:
    # Bench-only shortcut: skip the per-case fsync while filling 10,000 cases.
    store._handle.conn.execute("PRAGMA synchronous = OFF")
    for _ in range(count):
        name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)} {rng.randint(1, 9999)}"
        store.cases.create(person=PersonInfo(name=name, aliases=(rng.choice(GIVEN),)))
    store._handle.conn.execute("PRAGMA synchronous = FULL")


def saves_only(mode: str, n: int) -> float:
    """Median save_answer (ms) in this process, with cipher_memory_security ``mode``."""
    from screening.store import connection

    connection.MEMORY_SECURITY = f"PRAGMA cipher_memory_security = {mode.upper()}"
    os.environ["FIELDSCREEN_KDF_PROFILE"] = "fast"
    os.environ["SCREENING_DEV"] = "1"
    with tempfile.TemporaryDirectory(prefix="fieldscreen-bench-") as tmp:
        store, _ = Store.create(Path(tmp) / "data", PASSPHRASE)
        on = store._handle.conn.execute("PRAGMA cipher_memory_security").fetchone()[0]
        assert str(on) == ("1" if mode == "on" else "0"), on
        samples = store_saves(store, n)
        store.close()
    return statistics.median(samples) * 1000


def memory_security_cost(n: int, rounds: int = 3) -> dict[str, list[float]]:
    medians: dict[str, list[float]] = {"off": [], "on": []}
    for _ in range(rounds):
        for mode in ("off", "on"):
            done = subprocess.run(
                [sys.executable, "-m", "bench.store_bench", "--saves-only", mode, str(n)],
                capture_output=True, text=True, check=True,
            )
            medians[mode].append(float(done.stdout.strip()))
    return medians


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="store_bench")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--saves-only", nargs=2, metavar=("on|off", "N"))
    args = parser.parse_args(argv)
    if args.saves_only:
        print(f"{saves_only(args.saves_only[0], int(args.saves_only[1])):.4f}")
        return 0
    saves = 300 if args.quick else 2000
    cases = 2000 if args.quick else 10_000
    rounds = 2
    os.environ.pop("FIELDSCREEN_KDF_PROFILE", None)  # measure the real default KDF
    rng = random.Random(7)
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="fieldscreen-bench-") as tmp:
        folder = Path(tmp)
        kdf = _timed(lambda: derive_kek(PASSPHRASE, b"0" * 16, DEFAULT_KDF), 3)
        store, _ = Store.create(folder / "data", PASSPHRASE)
        store.close()
        unlock = []
        for _ in range(3):
            start = time.perf_counter()
            Store.open(folder / "data", PASSPHRASE).close()
            unlock.append(time.perf_counter() - start)
        bare: list[float] = []
        ours: list[float] = []
        store = Store.open(folder / "data", PASSPHRASE)
        for r in range(rounds):  # alternate, so disk noise hits both alike
            (folder / "bare.db").unlink(missing_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(str(folder / "bare.db") + suffix).unlink(missing_ok=True)
            bare += bare_inserts(folder, saves // rounds)
            ours += store_saves(store, saves // rounds)
            del r
        populate(store, cases, rng)
        # "qx" and "象" are short misses: a scan of every case (the worst case).
        queries = [
            "gonzalez",
            "мария",
            "小明",
            "王 芳",
            "fatima haddad",
            "fs-20",
            "zzzz",
            "qx",
            "象",
        ]
        search = []
        per_query: dict[str, tuple[float, int]] = {}
        for query in queries:
            store.cases.search(query)  # warm the page cache once per query
            samples = _timed(functools.partial(store.cases.search, query), 30)
            per_query[query] = (statistics.median(samples) * 1000, len(store.cases.search(query)))
            search += samples
        listing = _timed(lambda: store.cases.list(limit=50), 30)
        list_all = _timed(store.cases.list, 5)
        store.close()

    b_med, b_p99 = _stats(bare)
    s_med, s_p99 = _stats(ours)
    rows.append(("bare sqlcipher3 INSERT+COMMIT", f"{b_med:.3f}", f"{b_p99:.3f}", f"n={len(bare)}"))
    rows.append(
        (
            "store.interviews.save_answer",
            f"{s_med:.3f}",
            f"{s_p99:.3f}",
            f"n={len(ours)}, {s_med / b_med:.2f}x bare (goal <= 3x, < 2 ms)",
        )
    )
    k_med, _ = _stats(kdf)
    u_med, u_max = _stats(unlock)
    rows.append(
        (
            "Argon2id default KDF",
            f"{k_med:.0f}",
            "",
            f"t={DEFAULT_KDF.time_cost}, "
            f"m={DEFAULT_KDF.memory_kib // 1024} MiB, p={DEFAULT_KDF.parallelism}",
        )
    )
    rows.append(("Store.open (unlock)", f"{u_med:.0f}", f"{u_max:.0f}", "goal 300-1000 ms"))
    q_med, q_p99 = _stats(search)
    rows.append(
        (
            f"store.cases.search, {cases} cases",
            f"{q_med:.3f}",
            f"{q_p99:.3f}",
            f"{len(queries)} queries x 30 (goal < 20 ms)",
        )
    )
    worst = max(per_query, key=lambda q: per_query[q][0])
    rows.append(
        (
            f"  slowest query {worst!r}",
            f"{per_query[worst][0]:.3f}",
            "",
            f"{per_query[worst][1]} hits (limit 50)",
        )
    )
    security = memory_security_cost(saves // 4)
    off, on = statistics.median(security["off"]), statistics.median(security["on"])
    rows.append((
        "save_answer, cipher_memory_security OFF", f"{off:.3f}", "",
        f"medians of {len(security['off'])} child runs x {saves // 4}",
    ))
    rows.append((
        "save_answer, cipher_memory_security ON", f"{on:.3f}", "",
        f"+{on - off:.3f} ms ({on / off:.2f}x); ON is what FieldScreen uses",
    ))
    l_med, l_p99 = _stats(listing)
    rows.append((f"cases.list(limit=50), {cases}", f"{l_med:.3f}", f"{l_p99:.3f}", ""))
    a_med, a_p99 = _stats(list_all)
    rows.append((f"cases.list() all {cases}", f"{a_med:.1f}", f"{a_p99:.1f}", ""))

    print(
        f"\nEncrypted store benchmark ({sys.platform}, {os.cpu_count()} CPUs, SQLite "
        f"{sqlcipher3.sqlite_version} with SQLCipher; times in ms)"
    )
    header = ("operation", "median", "p99/max", "notes")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
