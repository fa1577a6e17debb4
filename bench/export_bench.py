"""Exports and backups of generated stores (issue #19): time and peak memory at 1k/10k/100k.

Each operation runs in a fresh child process (``--child``) on a private copy of the generated
store (``bench.bigstore``), so one measurement's memory never shows in the next. The child
opens the store (Argon2id unlock: 256 MiB), then resets its peak-RSS counter
(``/proc/self/clear_refs``) before the operation, so ``peak`` is the high-water mark of the
export or backup itself (resident memory of the open process included), not the KDF's.
Where the counter cannot be reset the whole process's ``ru_maxrss`` is reported instead
(``peak_kind``). Memory is flat when the 100k:10k ratio of ``peak`` stays near 1.

Outputs are written in the work folder (``--work``, default a new temporary folder) and
deleted after each measurement: a plaintext JSON export of 100,000 cases is several GB.

    python bench/export_bench.py [--sizes 1000,10000,100000] [--quick] [--ops json,csv,...]
                                 [--work DIR] [--json]

A size whose generated store is not complete is skipped (``--generate`` builds it, once).
Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SCREENING_DEV", "1")

from bench.bigstore import CACHE, GENERATOR_VERSION, PASSPHRASE, big_store, copy_store  # noqa: E402

SIZES = (1000, 10000, 100000)
OPS = ("json", "csv", "odk", "json-encrypted", "backup")
EXPORT_PASSWORD = "export password for the bench, harbour lights 2026"


def _status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset this process's VmHWM (Linux >= 4.0: "5" to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return _status_kib("VmHWM") is not None


def _run_op(ws: Any, op: str, out: Path) -> Path:
    store = ws.store
    if op == "backup":
        return Path(store.backup(out / "bench.fsbackup").path)
    if op == "odk":
        from screening.xlsform import store_export

        target = out / "bench-odk.zip"
        writer = getattr(store_export, "write_odk_zip", None)
        if writer is not None:  # streamed (issue #19)
            store.export(target, "odk", plaintext_ok=True,
                         writer=lambda s, ids, f: writer(s, ids, f, catalog=ws.catalog))
        else:  # before issue #19: the whole zip in memory
            store.export(target, "odk", plaintext_ok=True,
                         builder=lambda s, ids: store_export.build_odk_zip(
                             s, ids, catalog=ws.catalog))
        return target
    fmt = op.removesuffix("-encrypted")
    target = out / f"bench.{fmt}"
    if op.endswith("-encrypted"):
        store.export(target, fmt, password=EXPORT_PASSWORD)
    else:
        store.export(target, fmt, plaintext_ok=True)
    return target


def child(op: str, data_dir: Path, out: Path) -> dict[str, Any]:
    from screening.workspace import Workspace

    ws = Workspace(data_dir).open(PASSPHRASE)
    try:
        if op == "odk":
            ws.catalog  # noqa: B018 - loaded before the measurement, as the CLI has it
        rss_open = _status_kib("VmRSS") or 0
        reset = _reset_peak()
        start = time.perf_counter()
        made = _run_op(ws, op, out)
        seconds = time.perf_counter() - start
        peak = _status_kib("VmHWM") if reset else None
        if peak is None:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    finally:
        ws.close()
    return {"op": op, "seconds": seconds, "peak_kib": peak, "open_rss_kib": rss_open,
            "peak_kind": "operation" if reset else "process", "bytes": made.stat().st_size}


def _store_for(size: int, generate: bool) -> Path | None:
    folder = CACHE / f"store-{size}-v{GENERATOR_VERSION}"
    if (folder / "COMPLETE").exists() or generate:
        return big_store(size)
    return None  # never start (or clobber) a generation that another process is running


def measure(sizes: list[int], ops: list[str], work: Path, generate: bool,
            progress: bool) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for size in sizes:
        source = _store_for(size, generate)
        if source is None:
            results.append({"size": size, "skipped": "generated store not complete"})
            if progress:
                print(f"{size:,}: skipped (generated store not complete)", file=sys.stderr)
            continue
        copy = work / f"store-{size}"
        shutil.rmtree(copy, ignore_errors=True)
        copy_store(source, copy)
        try:
            for op in ops:
                out = work / f"out-{size}-{op}"
                out.mkdir(mode=0o700)
                try:
                    proc = subprocess.run(
                        [sys.executable, str(Path(__file__).resolve()), "--child", op,
                         str(copy), str(out)],
                        cwd=ROOT, capture_output=True, text=True, check=False)
                    if proc.returncode != 0:
                        row = {"size": size, "op": op, "error": proc.stderr.strip()[-400:]}
                    else:
                        row = {"size": size, **json.loads(proc.stdout)}
                finally:
                    shutil.rmtree(out, ignore_errors=True)
                results.append(row)
                if progress:
                    print(_line(row), file=sys.stderr, flush=True)
        finally:
            shutil.rmtree(copy, ignore_errors=True)
    return results


def _line(row: dict[str, Any]) -> str:
    head = f"{row['size']:>7,} {row.get('op', ''):<15}"
    if "error" in row:
        return f"{head} FAILED: {row['error']}"
    if "skipped" in row:
        return f"{head} skipped: {row['skipped']}"
    return (f"{head} {row['seconds']:8.1f} s  peak {row['peak_kib'] / 1024:7.0f} MB "
            f"(open {row['open_rss_kib'] / 1024:.0f} MB, {row['peak_kind']})  "
            f"{row['bytes'] / 1e6:8.0f} MB written")


def ratios(results: list[dict[str, Any]], big: int = 100000,
           small: int = 10000) -> dict[str, dict[str, float]]:
    """100k:10k ratios of time and peak memory, per operation measured at both sizes."""
    by = {(r["size"], r["op"]): r for r in results if "seconds" in r}
    out: dict[str, dict[str, float]] = {}
    for (size, op), row in by.items():
        other = by.get((small, op))
        if size == big and other:
            out[op] = {"time": row["seconds"] / other["seconds"],
                       "peak": row["peak_kib"] / other["peak_kib"]}
    return out


NAMES = {"json": "export JSON", "csv": "export CSV", "odk": "export ODK",
         "json-encrypted": "export JSON encrypted", "backup": "backup"}


def contract_rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of `make bench`'s growth table (bench/growth_table.py's contract): seconds
    shown in s, peak memory in MiB."""
    rows: list[dict[str, Any]] = []
    for r in results:
        if "seconds" not in r:
            continue
        name = NAMES.get(r["op"], r["op"])
        rows.append({"name": f"{name}: time", "size": r["size"], "samples": [r["seconds"]],
                     "unit": "s", "goal": ""})
        rows.append({"name": f"{name}: peak RSS", "size": r["size"], "unit": "MB",
                     "samples": [r["peak_kib"] / 1024], "goal": "flat",
                     "note": "" if r["peak_kind"] == "operation" else "whole process"})
    return rows


def _machine() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=3, metavar=("OP", "DATA_DIR", "OUT"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--quick", action="store_true", help="skip 100,000")
    parser.add_argument("--ops", default=",".join(OPS))
    parser.add_argument("--work", type=Path, help="folder for store copies and outputs")
    parser.add_argument("--generate", action="store_true",
                        help="generate a missing store (minutes for 100,000)")
    parser.add_argument("--json", action="store_true", help="results as JSON on stdout")
    args = parser.parse_args(argv)
    if args.child:
        op, data_dir, out = args.child
        print(json.dumps(child(op, Path(data_dir), Path(out))))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.quick:
        sizes = [s for s in sizes if s < 100000]
    ops = [o for o in args.ops.split(",") if o]
    unknown = set(ops) - set(OPS)
    if unknown:
        parser.error(f"unknown operation(s): {', '.join(sorted(unknown))}")
    work = args.work or Path(tempfile.mkdtemp(prefix="fieldscreen-export-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        results = measure(sizes, ops, work, args.generate, progress=not args.json)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    ratio = ratios(results)
    doc = {"machine": _machine(), "results": results, "ratio_100k_10k": ratio,
           "rows": contract_rows(results)}
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        for op, r in ratio.items():
            print(f"100k:10k {op:<15} time x{r['time']:.1f}  peak memory x{r['peak']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
