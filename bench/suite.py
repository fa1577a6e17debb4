"""The benchmark report (`make bench`): one table, real code paths, baselines in the same run.

Each row is measured several times; the table gives the median and p95/p99 and, where there
is one, the baseline measured in the same run. The table is printed and written to
docs/performance.md with the date and the machine. Not a test: it asserts nothing.

GUI rows run in a child process (bench/gui_bench.py --json), so Qt never shares this
process with the core measurements.
"""

from __future__ import annotations

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
    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}")


def render(rows: list[Row]) -> list[str]:
    header = ["measure", "median", "p95", "p99", "runs", "baseline (same run)", "goal"]
    table = [header, *[r.cells() for r in rows]]
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cells) + " |" for cells in table[1:]]
    return out


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    with tempfile.TemporaryDirectory(prefix="fieldscreen-bench-") as tmp:
        work = Path(tmp)
        from bench.expr_bench import bench_expressions
        from bench.handover_bench import bench_handover
        from bench.server_bench import bench_server

        rows = (bench_core(work, quick) + bench_reports(work) + bench_handover(work)
                + bench_expressions(quick) + bench_server(work, quick) + bench_gui(quick))
    lines = render(rows)
    print("\n".join(lines))
    if not quick:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        doc = ROOT / "docs" / "performance.md"
        doc.write_text(
            "# Performance\n\n"
            f"Measured by `make bench` on {stamp}: {machine()}.\n"
            "\n"
            "Each row is the real code path (engine, SQLCipher store, ReportLab, Qt widgets); "
            "baselines are measured in the same run. The disk here fsyncs in about 0.2 ms; "
            "laptop disks are often 1-10 ms, which moves the save and unlock rows, not the "
            "ratios. The GUI's peak RSS includes Argon2id's 256 MiB, held for the 0.4 s of "
            "the unlock only; the app then runs at the RSS of the row above it. "
            "The send rows (issue #18) post to ODK Central running on this same machine "
            "(tests/server/central.py, PostgreSQL included; bench/server_bench.py), so they "
            "measure FieldScreen plus Central without a network; the client-cost rows are "
            "FieldScreen's own work per submission.\n\n"
            + "\n".join(lines) + "\n",
            encoding="utf-8",
        )
        print(f"\nwritten to {doc.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
