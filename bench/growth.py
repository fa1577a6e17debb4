"""The store's own growth rows (issue #19): size, unlock, the full page check, search, save.

Run: ``.venv/bin/python bench/growth.py [--json] [--sizes 1000,10000,100000] [--runs N]``.
Uses the generated stores of bench/bigstore.py (built once per machine). Every sample is a
fresh child process (``--child``), so unlock pays its imports' warm state only, never a
previous unlock's SQLite page cache, and the RSS figure is that process's alone. The first
child per size is a warm-up (it absorbs a pending migration and reads the file into the OS
cache once) and also times ``PRAGMA cipher_integrity_check``, the check unlock ran before
#19. Each measured child also saves 100 answers on a new case, then deletes that case. Output
for the suite: the row contract of bench/growth_table.py (the last stdout line).
Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SCREENING_DEV", "1")

from bench.bigstore import PASSPHRASE, big_store, size_on_disk  # noqa: E402

SIZES = (1000, 10_000, 100_000)
TERMS = ("gonzalez", "мария", "小梅", "haddad", "zoe", "nguyen", "शर्मा", "fs-2026")
LOCK_WAIT_S = 300  # another bench may hold the cached store for a while


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _open(data_dir: Path) -> Any:
    """Store.open, waiting (not failing) while another process has the cached store open."""
    from screening.errors import ErrorCode, StoreError
    from screening.store import Store

    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            start = time.perf_counter()
            store = Store.open(data_dir, PASSPHRASE)
            return store, time.perf_counter() - start
        except StoreError as exc:
            if exc.code != ErrorCode.STORE_LOCKED or time.monotonic() > deadline:
                raise
            time.sleep(1)


def child(data_dir: Path, *, warmup: bool, search_runs: int) -> dict[str, Any]:
    """One unlock in this (fresh) process, then what it measures on that open store."""
    from screening.store.keys import KeySlots

    out: dict[str, Any] = {"kdf": 0.0}
    unwrap = KeySlots.unlock

    def timed_unlock(self: KeySlots, kind: str, secret: str) -> Any:
        """The KDF (and key unwrap) inside this very unlock, timed: the rest is the open."""
        start = time.perf_counter()
        try:
            return unwrap(self, kind, secret)
        finally:
            out["kdf"] += time.perf_counter() - start

    KeySlots.unlock = timed_unlock  # type: ignore[method-assign]
    try:
        store, out["unlock"] = _open(data_dir)
    finally:
        KeySlots.unlock = unwrap  # type: ignore[method-assign]
    try:
        opened = time.perf_counter()
        out["rss_unlocked"] = _status_mib("VmRSS")
        check = getattr(store, "page_check", None)
        if check is not None:  # issue #19 (H1): the full HMAC check runs after unlock
            out["page_check_state"] = check.wait()
            out["page_check"] = time.perf_counter() - opened
        if warmup:
            with store._handle.read("bench: the unlock check before #19") as conn:
                start = time.perf_counter()
                damaged = conn.execute("PRAGMA cipher_integrity_check").fetchall()
                out["pragma_check"] = time.perf_counter() - start
            out["pragma_damaged"] = len(damaged)
        else:
            samples = []
            for _ in range(search_runs):
                for term in TERMS:
                    start = time.perf_counter()
                    store.cases.search(term)
                    samples.append(time.perf_counter() - start)
            out["search"] = samples
            out["save"] = _saves(store)
        out["rss_after"] = _status_mib("VmRSS")
    finally:
        store.close()
    return out


def _saves(store: Any, n: int = 100) -> list[float]:
    """``save_answer`` (one fsynced transaction each) on a new case of the big store; the
    case is then deleted for real, so the cached store keeps its content (the audit trail
    gains the entries, as any use of the store does)."""
    from screening.engine.storage import AnswerRecord
    from screening.store import InterviewMeta

    case_id = store.cases.create()
    try:
        interview = store.interviews.create(case_id, InterviewMeta(
            "adult_indicators", "1", "sha256:" + "0" * 64, "ar", "en"))
        samples = []
        for q in range(n):
            record = AnswerRecord(f"q{q % 40}", ("no", "yes")[q % 2], None, "ar",
                                  "2026-03-07T10:00:00Z")
            start = time.perf_counter()
            store.interviews.save_answer(interview, record)
            samples.append(time.perf_counter() - start)
    finally:
        store.cases.delete(case_id)
    return samples


def _spawn(data_dir: Path, *, warmup: bool, search_runs: int) -> dict[str, Any]:
    args = [sys.executable, str(Path(__file__).resolve()), "--child", str(data_dir),
            "--search-runs", str(search_runs)] + (["--warmup"] if warmup else [])
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"growth child failed on {data_dir}:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(size: int, runs: int) -> list[dict[str, Any]]:
    data_dir = big_store(size)
    print(f"growth: {size:,} cases ({data_dir})", file=sys.stderr, flush=True)
    first = _spawn(data_dir, warmup=True, search_runs=0)
    children = [_spawn(data_dir, warmup=False, search_runs=5) for _ in range(runs)]

    def row(name: str, samples: list[float], unit: str = "ms", goal: str = "",
            note: str = "") -> dict[str, Any]:
        entry: dict[str, Any] = {"name": name, "size": size, "samples": samples, "unit": unit,
                                 "goal": goal}
        if note:
            entry["note"] = note
        return entry

    rows = [
        row("size on disk", [size_on_disk(data_dir) / 2**20], "MB"),
        row("unlock: KDF + open", [c["unlock"] for c in children], goal="< 1.5 s"),
        row("unlock: of which the KDF (Argon2id)", [c["kdf"] for c in children]),
        row("unlock: of which the open (after the KDF)",
            [c["unlock"] - c["kdf"] for c in children]),
    ]
    if "page_check" in children[0]:
        states = sorted({c["page_check_state"] for c in children})
        rows.append(row("full page check (background, after unlock)",
                        [c["page_check"] for c in children], "s",
                        note="" if states == ["ok"] else "state: " + ", ".join(states)))
    else:
        rows.append(row("full page check (background, after unlock)", [], "s",
                        note="not measured: this Store has no page_check"))
    rows.append(row("PRAGMA cipher_integrity_check (in unlock before #19)",
                    [first["pragma_check"]], "s",
                    note="" if first["pragma_damaged"] == 0 else "damaged pages reported"))
    rows.append(row("store search", [s for c in children for s in c["search"]],
                    goal="< 20 ms"))
    rows.append(row("answer save: store, fsynced", [s for c in children for s in c["save"]],
                    goal="< 2 ms"))
    rows.append(row("core RSS after unlock (no GUI)", [c["rss_unlocked"] for c in children],
                    "MB"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="growth", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON line for bench/suite.py")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--runs", type=int, default=3, help="unlock children per size")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--warmup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--search-runs", type=int, default=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, warmup=args.warmup, search_runs=args.search_runs)))
        return 0
    rows: list[dict[str, Any]] = []
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        rows += measure(size, max(1, args.runs))
    for r in rows:
        med = statistics.median(r["samples"]) if r["samples"] else float("nan")
        shown = f"{med:.0f} MB" if r["unit"] == "MB" else f"{med * 1000:.1f} ms"
        print(f"  {r['size']:>7,}  {r['name']:<52} {shown}  {r.get('note', '')}",
              file=sys.stderr)
    if args.json:
        print(json.dumps({"rows": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
