"""The benchmark report (`make bench`): one table, real code paths, baselines in the same run.

Each row is measured several times; the table gives the median and p95/p99 and, where there
is one, the baseline measured in the same run. The table is printed and written to
docs/performance.md with the date and the machine. Not a test: it asserts nothing.

GUI rows run in a child process (bench/gui_bench.py --json), so Qt never shares this
process with the core measurements.

Issue #19 adds two tables (bench/growth_table.py): how each cost grows with the store (1k,
10k and 100k generated cases, bench/bigstore.py) and the cold paths, from child scripts that
print the row contract described there. Options: ``--quick`` (smaller main rows, growth at
1k and 10k only, no doc), ``--sizes 1000,10000``, ``--only main,growth,cold``, ``--no-doc``.
The doc keeps its hand-written text: only the blocks between ``<!-- bench:... -->`` markers
are rewritten.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SCREENING_DEV", "1")  # lets the bench seed stores with the cheap KDF

from bench.growth_table import (  # noqa: E402
    explain,
    group,
    render_cold,
    render_growth,
    replace_section,
    run_scripts,
)
from bench.store_bench import bare_inserts  # noqa: E402
from screening.engine.session import InterviewSession  # noqa: E402
from screening.instruments import find_instrument, list_instruments  # noqa: E402
from screening.instruments.loader import load_instrument_text  # noqa: E402
from screening.paths import resource_path  # noqa: E402
from screening.store import InterviewMeta, PersonInfo, Store  # noqa: E402
from screening.workspace import Workspace  # noqa: E402
from tests.factories import stored_interview  # noqa: E402

PASSPHRASE = "benchmark passphrase harbour 2026"
GIVEN = ("Ana", "María", "Олена", "李", "فاطمة", "Nguyễn", "Jean", "Amira", "Samuel", "Zoë")
FAMILY = ("González", "Иванова", "小梅", "الزهراء", "Thị Lan", "Moreau", "Haddad", "Okafor")


@dataclass
class Row:
    name: str
    samples: list[float]  # seconds
    goal: str = ""
    baseline: list[float] | None = None
    baseline_name: str = ""
    unit: str = "ms"

    def cells(self) -> list[str]:
        ordered = sorted(self.samples)
        med = statistics.median(ordered)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

        if self.unit == "MB":
            fmt = lambda v: f"{v:.0f} MB"  # noqa: E731
        else:
            fmt = lambda v: f"{v * 1000:.2f} ms" if v < 0.1 else f"{v * 1000:.0f} ms"  # noqa: E731
        base = ""
        if self.baseline:
            bmed = statistics.median(self.baseline)
            base = f"{self.baseline_name} {fmt(bmed)} (x{med / bmed:.2f})"
        return [self.name, fmt(med), fmt(pct(0.95)), fmt(pct(0.99)), str(len(ordered)), base,
                self.goal]


def timed(fn: Callable[[], object], n: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def _seed_store(folder: Path, cases: int, answers_per_case: int) -> Store:
    """A store with ``cases`` synthetic cases, each with one interview of answers."""
    os.environ["FIELDSCREEN_KDF_PROFILE"] = "fast"
    try:
        store, _ = Store.create(folder, PASSPHRASE)
    finally:
        del os.environ["FIELDSCREEN_KDF_PROFILE"]
    from screening.engine.storage import AnswerRecord

    rng = random.Random(7)
    conn = store._handle.conn  # bench-only: no per-row fsync while seeding
    conn.execute("PRAGMA synchronous = OFF")
    for n in range(cases):
        name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)} {n}"
        case_id = store.cases.create(person=PersonInfo(name=name))
        interview = store.interviews.create(
            case_id, InterviewMeta("adult_indicators", "1", "sha256:" + "0" * 64, "ar", "en"))
        for q in range(answers_per_case):
            store.interviews.save_answer(interview, AnswerRecord(
                f"q{q}", rng.choice(("yes", "no")), None, "ar", "2026-03-07T10:00:00Z"))
    conn.execute("PRAGMA synchronous = FULL")
    return store


def bench_core(work: Path, quick: bool) -> list[Row]:
    rows: list[Row] = []
    n = 150 if quick else 400
    # 1. One answer through the engine (validation, relevance, history, audit) and the store.
    loaded = find_instrument("adult_indicators")
    os.environ["FIELDSCREEN_KDF_PROFILE"] = "fast"
    store, _ = Store.create(work / "save", PASSPHRASE)
    del os.environ["FIELDSCREEN_KDF_PROFILE"]
    case_id = store.cases.create()
    interview = store.interviews.create(case_id, InterviewMeta(
        loaded.instrument.id, loaded.instrument.version, loaded.content_hash, "ar", "en"))
    session = InterviewSession(loaded.instrument, loaded.content_hash, store.interviews, interview,
                               respondent_language="ar", officer_language="en")
    values = iter(["yes", "no"] * n * 2)
    save = timed(lambda: session.answer("job_differs", next(values)), n, warmup=5)
    bare = bare_inserts(work, n)
    rows.append(Row("answer save: engine + store", save, "< 2 ms, <= 3x bare",
                    bare, "bare insert"))
    store.close()

    # 2. Unlock with the default Argon2id parameters (what an officer waits for).
    Store.create(work / "unlock", PASSPHRASE)[0].close()

    def unlock() -> None:
        Store.open(work / "unlock", PASSPHRASE).close()

    rows.append(Row("unlock (Argon2id + open)", timed(unlock, 3 if quick else 5, warmup=0),
                    "0.3-1 s"))

    # 3. Instrument load and validation.
    shipped = max(list_instruments(), key=lambda r: r.path.stat().st_size if r.path else 0)
    text = shipped.path.read_text(encoding="utf-8") if shipped.path else ""
    rows.append(Row(f"load+validate {shipped.instrument.id}",
                    timed(lambda: load_instrument_text(text, "x.yaml"), 10), ""))
    big = _generated_instrument(500)
    rows.append(Row("load+validate generated 500 items",
                    timed(lambda: load_instrument_text(big, "g.yaml"), 5), ""))

    # 4. Store with 10,000 cases: search, export, backup.
    cases = 2000 if quick else 10_000
    big_store = _seed_store(work / "big", cases, 10)
    terms = iter(["gonzalez", "мария", "小梅", "haddad", "zoe", "olena"] * 200)
    rows.append(Row(f"store search, {cases:,} cases",
                    timed(lambda: big_store.cases.search(next(terms)), 100), "< 20 ms"))

    def export() -> None:
        big_store.export(work / "export.csv", "csv", plaintext_ok=True)

    rows.append(Row(f"export {cases:,} interviews to CSV", timed(export, 3, warmup=0), ""))
    rows.append(Row(f"backup of a {cases:,}-case store",
                    timed(lambda: big_store.backup(work / "b.fsbackup"), 3, warmup=0), ""))
    big_store.close()
    return rows


def _generated_instrument(items: int) -> str:
    lines = [
        "format: fieldscreen-instrument/1", "id: generated", 'version: "1"',
        "title: {en: Generated}", "population: any", "purpose: {en: Benchmark}",
        "provenance: {source_framework: none, citation: none, authored_by: bench, "
        "wording: generated}",
        "validation: {status: draft}", "source_language: en",
        "languages: {en: {name: English, status: source}}",
        "choice_lists:", "  yes_no:", '    - {name: "yes", label: {en: "Yes"}}',
        '    - {name: "no", label: {en: "No"}}', "sections:",
    ]
    for s in range(items // 25):
        lines += [f"  - name: s{s}", f"    title: {{en: Section {s}}}", "    items:"]
        for i in range(25):
            n = s * 25 + i
            rel = f', relevant: "${{q{n - 1}}} != \'no\'"' if n else ""
            lines.append(f"      - {{name: q{n}, type: yes_no, text: {{en: Question {n}}}{rel}}}")
    lines += ["indicators:"] + [
        f"  - {{name: i{k}, domain: x, label: {{en: I{k}}}, when: \"${{q{k * 10}}} = 'yes'\"}}"
        for k in range(items // 10)
    ]
    lines += ["outcome:", "  rule: any", "  labels:", "    refer_urgent: {en: u}",
              "    refer: {en: r}", "    incomplete: {en: i}", "    no_indicators: {en: n}"]
    return "\n".join(lines) + "\n"


def bench_reports(work: Path) -> list[Row]:
    from screening.reports import build_referral_pdf
    from screening.reports.service import build_case_packet

    os.environ["FIELDSCREEN_KDF_PROFILE"] = "fast"
    store, _ = Store.create(work / "report", PASSPHRASE)
    del os.environ["FIELDSCREEN_KDF_PROFILE"]
    demo = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))
    answers = dict(demo["answers"])
    ws = Workspace(store.data_dir).adopt(store)
    result = stored_interview(ws, "adult_indicators", answers, lang="ar", officer_lang="en")
    packet = build_case_packet(ws, result["case_id"], lang="en")
    out = work / "referral.pdf"
    plain = timed(lambda: build_referral_pdf(packet, out, password=None, allow_plaintext=True),
                  21, warmup=3)
    enc = timed(lambda: build_referral_pdf(packet, out, password="bench pdf"), 21, warmup=1)
    store.close()
    from pypdf import PdfReader

    pages = len(PdfReader(out, password="bench pdf").pages)
    from tests.reports.samples import make_packet

    sample = make_packet("en", "ar")  # the 3-page, two-script packet the goal speaks of
    s_plain = timed(lambda: build_referral_pdf(sample, out, password=None,
                                               allow_plaintext=True), 21, warmup=3)
    s_enc = timed(lambda: build_referral_pdf(sample, out, password="bench pdf"), 21)
    s_pages = len(PdfReader(out, password="bench pdf").pages)
    return [
        Row(f"referral PDF, sample {s_pages} pages, en+ar", s_plain, "< 150 ms"),
        Row(f"referral PDF, sample {s_pages} pages, AES-256", s_enc, "< 150 ms warm",
            s_plain, "unencrypted"),
        Row(f"referral PDF, demo case {pages} pages, en+ar", plain, ""),
        Row(f"referral PDF, demo case {pages} pages, AES-256", enc, "", plain, "unencrypted"),
    ]


def bench_gui(quick: bool) -> list[Row]:
    script = ROOT / "bench" / "gui_bench.py"
    if not script.exists():
        return []
    args = [sys.executable, str(script), "--json"]
    if quick:
        args += ["--cases", "2000", "--runs", "5"]
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=False,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    if done.returncode != 0:
        print("GUI benchmark failed:\n" + done.stderr[-2000:], file=sys.stderr)
        return []
    data = json.loads(done.stdout.strip().splitlines()[-1])
    rows = []
    for entry in data["rows"]:
        rows.append(Row(entry["name"], entry["samples"], entry.get("goal", ""),
                        unit=entry.get("unit", "ms")))
    return rows


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:  # the page cache decides whether a large store is read from memory or disk
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        ram = f"{kib / 2**20:.0f} GiB RAM, "
    except (OSError, IndexError, ValueError):
        pass
    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, "
            f"{ram}Python {platform.python_version()}")


def render(rows: list[Row]) -> list[str]:
    header = ["measure", "median", "p95", "p99", "runs", "baseline (same run)", "goal"]
    table = [header, *[r.cells() for r in rows]]
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cells) + " |" for cells in table[1:]]
    return out


INTRO = (
    "Each row is the real code path (engine, SQLCipher store, ReportLab, Qt widgets); "
    "baselines are measured in the same run. The disk here fsyncs in about 0.2 ms; "
    "laptop disks are often 1-10 ms, which moves the save and unlock rows, not the "
    "ratios. The GUI's peak RSS includes Argon2id's 256 MiB, held for the 0.4 s of "
    "the unlock only; the app then runs at the RSS of the row above it. "
    "The send rows (issue #18) post to ODK Central running on this same machine "
    "(tests/server/central.py, PostgreSQL included; bench/server_bench.py), so they "
    "measure FieldScreen plus Central without a network; the client-cost rows are "
    "FieldScreen's own work per submission.")

GROWTH_INTRO = (
    "Each size is a store generated once per machine by `bench/bigstore.py` and cached in "
    "`.cache/bench/` (N cases, 1.5 N interviews of about 60 answers each written through the "
    "real repositories with their history and audit chain, names in six scripts, the default "
    "Argon2id; generating the 100,000-case store takes from minutes to an hour, once). "
    "Figures are medians. "
    "Unlock, the page check, store search and the core RSS come from `bench/growth.py`, "
    "every sample a fresh process; the GUI rows from `bench/caselist_bench.py`; exports and "
    "backup from `bench/export_bench.py`, each run a fresh process whose peak RSS is read "
    "by its parent. The database file is in the OS page cache when measured (warm disk); a "
    "laptop reading a large store from its disk for the first time pays the disk's speed "
    "on the page check, export and backup rows. `make bench BENCH_ARGS=--quick` skips the "
    "100,000-case store (and writes no doc).")

COLD_INTRO = (
    "Cold: each sample a new process started for it (`bench/cold_bench.py`), so it pays "
    "imports, font registration and first-use set-up; warm: the same operation repeated in "
    "one process. The OS file cache is warm in both (the machine is not rebooted between "
    "samples).")


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=(
        "The benchmark report. Writes docs/performance.md unless --quick or --no-doc."))
    parser.add_argument("--quick", action="store_true",
                        help="smaller main rows, growth at 1k and 10k only; no doc")
    parser.add_argument("--sizes", help="growth sizes, e.g. 1000,10000 (default: "
                        "1000,10000,100000; --quick: 1000,10000)")
    parser.add_argument("--only", default="main,growth,cold",
                        help="which tables, comma-separated: main, growth, cold")
    parser.add_argument("--no-doc", action="store_true", help="print only")
    args = parser.parse_args(argv)
    args.parts = {p.strip() for p in args.only.split(",") if p.strip()}
    if args.parts - {"main", "growth", "cold"}:
        parser.error("--only takes main, growth, cold")
    default = "1000,10000" if args.quick else "1000,10000,100000"
    try:
        args.size_list = sorted({int(s) for s in (args.sizes or default).split(",") if s})
    except ValueError:
        parser.error("--sizes takes case counts, e.g. 1000,10000")
    return args


def _span(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def _load() -> str:
    try:
        return f"load average {os.getloadavg()[0]:.1f} at the start"
    except OSError:
        return "load average unknown"


def main(argv: list[str]) -> int:
    args = _parse(argv)
    began = time.perf_counter()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = f"Measured by `make bench` on {stamp}: {machine()}; {_load()}."
    sections: dict[str, str] = {}
    if "main" in args.parts:
        with tempfile.TemporaryDirectory(prefix="fieldscreen-bench-") as tmp:
            work = Path(tmp)
            from bench.expr_bench import bench_expressions
            from bench.handover_bench import bench_handover
            from bench.server_bench import bench_server

            rows = (bench_core(work, args.quick) + bench_reports(work) + bench_handover(work)
                    + bench_expressions(args.quick) + bench_server(work, args.quick)
                    + bench_gui(args.quick))
        lines = render(rows)
        print("\n".join(lines))
        sections["main"] = header + "\n\n" + INTRO
        sections["main-table"] = "\n".join(lines)
    took_main = time.perf_counter() - began
    took: dict[str, float] = {}
    if args.parts & {"growth", "cold"}:
        sections.update(_growth_and_cold(args, header, took))
    parts = ([f"the main table {_span(took_main)}"] if "main" in args.parts else []) + [
        f"{name} {_span(secs)}" for name, secs in took.items()]
    timing = f"This run took {_span(time.perf_counter() - began)} in all: {', '.join(parts)}."
    print("\n" + timing)
    if "growth" in sections:
        sections["growth"] += "\n\n" + timing
    if args.quick or args.no_doc:
        return 0
    doc = ROOT / "docs" / "performance.md"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n"
    titles = {"main": "", "main-table": "", "growth": "## How cost grows: 1,000 to 100,000 "
              "cases (issue #19)", "cold": "## Cold paths (issue #19)"}
    for name, body in sections.items():
        text = replace_section(text, name, body, titles[name])
    doc.write_text(text, encoding="utf-8")
    print(f"written to {doc.relative_to(ROOT)}")
    return 0


def _growth_and_cold(args: argparse.Namespace, header: str,
                     took: dict[str, float]) -> dict[str, str]:
    raw, problems, times = run_scripts(args.size_list, growth="growth" in args.parts,
                                cold="cold" in args.parts)
    took.update(times)
    growth, cold = group(raw)
    out: dict[str, str] = {}
    missing = "".join(f"\n\n*{p}.*" for p in problems)
    if "growth" in args.parts:
        table = render_growth(growth, args.size_list)
        print("\n" + "\n".join(table))
        paragraph = explain(growth, args.size_list)
        if paragraph:
            print("\n" + paragraph)
        out["growth"] = "\n\n".join(
            p for p in (header, GROWTH_INTRO, "\n".join(table), paragraph) if p) + missing
    if "cold" in args.parts:
        table = render_cold(cold)
        print("\n" + "\n".join(table))
        out["cold"] = header + "\n\n" + COLD_INTRO + "\n\n" + "\n".join(table) + missing
    for problem in problems:
        print(problem, file=sys.stderr)
    return out


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
