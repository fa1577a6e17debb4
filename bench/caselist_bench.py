"""Case list benchmark at 10,000 and 100,000 cases (issue #19): the store's queries, the lazy
list model, the cases page as the officer sees it, unlock to the list shown, and the app's
memory with the list showing.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/caselist_bench.py [--cases N ...]
[--runs N] [--json]``. Prints figures (median of the runs; the first run of each, which
warms the page cache, is dropped); it is not a test and asserts nothing. Goals at 100,000
cases: store search < 20 ms; GUI search, full list, sort and status filter < 100 ms each;
RSS < 300 MB with the list shown after unlock.

It uses the generated stores of ``bench/bigstore.py`` (``cached_store``: never generates
one) and works on a private copy of the smaller ones; the 100,000-case store (5.7 GB) is
opened where it is, which adds a few audit rows to it.

* store: ``store.cases.count`` / ``page`` (first and last window of 200, in every order) /
  ``position`` / ``search`` (the store bench's queries, limit 50).
* model: ``CaseListModel.set_search`` / ``set_status`` / ``sort`` until the first row is read.
* page: the same through the real cases page (1366x768, shown): the view laid out and its
  visible rows painted (``QWidget.grab``), as the officer sees the change.
* unlock: in a fresh process, ``AppViewModel.unlock`` (the real Argon2id) until the cases
  page has painted its rows; the time after the store opened is reported on its own, since
  the store's unlock is measured elsewhere.
* RSS: VmRSS of that process with the list shown (its peak includes Argon2id's 256 MiB).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

RESULTS: list[dict[str, object]] = []  # for --json (bench/suite.py's table)
STORE_QUERIES = ("gonzalez", "мария", "小明", "王 芳", "fatima haddad", "fs-20", "zzzz", "qx",
                 "象")
GUI_QUERIES = ("gonzalez", "мария", "小梅", "李", "fs-20", "2026-", "nobody")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def timed(action: Callable[[], object], runs: int,
          before: Callable[[], object] | None = None) -> list[float]:
    """``action`` timed ``runs`` times, ``before`` (untimed) ahead of each; one more run
    first warms the page cache: the figures are the officer's second look, not the first."""
    out = []
    for n in range(runs + 1):
        if before is not None:
            before()
        start = time.perf_counter()
        action()
        if n:
            out.append(time.perf_counter() - start)
    return out


def record(label: str, values: list[float], goal: float | None, cases: int,
           unit: str = "ms") -> None:
    name = f"{label} ({cases:,} cases)"
    row: dict[str, object] = {"name": name, "cases": cases, "samples": list(values),
                              "goal": f"< {goal:g} {unit}" if goal is not None else ""}
    if unit != "ms":
        row["unit"] = unit
    RESULTS.append(row)
    med = statistics.median(values)
    if unit == "ms":
        verdict = "" if goal is None else ("ok" if med * 1000 < goal else "OVER GOAL")
        print(f"  {label:<52} median {ms(med)}  max {ms(max(values))}  {verdict}")
    else:
        verdict = "" if goal is None else ("ok" if med < goal else "OVER GOAL")
        print(f"  {label:<52} {med:8.0f} {unit}  {verdict}")


def open_store(data_dir: Path) -> Any:
    from bench.bigstore import PASSPHRASE
    from screening.store import Store

    return Store.open(data_dir, PASSPHRASE)


def bench_store(store: Any, cases: int, runs: int) -> None:
    if not hasattr(store.cases, "page"):  # the code before issue #19: the whole list
        print("store queries (before issue #19: no count/page/position)")
        record("store: list every case (cases list)", timed(store.cases.list, max(1, runs // 2)),
               None, cases)
        _searches(store, cases, runs)
        return
    from screening.store.caselist import SORTS

    n = store.cases.count()
    print(f"store queries over {n:,} cases")
    record("store: count", timed(store.cases.count, runs), 20, cases)
    record("store: count, status screened",
           timed(lambda: store.cases.count(status="screened"), runs), 20, cases)
    first: list[float] = []
    last: list[float] = []
    where: list[float] = []
    for sort in SORTS:
        for descending in (True, False):
            first += timed(partial(store.cases.page, offset=0, limit=200, sort=sort,
                                   descending=descending), runs)
            last += timed(partial(store.cases.page, offset=n - 200, limit=200, sort=sort,
                                  descending=descending), runs)
        case_id = store.cases.page(offset=n - 1, limit=1, sort=sort)[0].id
        where += timed(partial(store.cases.position, case_id, sort=sort), runs)
    record("store: page of 200, first, any order", first, 20, cases)
    record("store: page of 200, last, any order", last, 20, cases)
    record("store: position of the last case, any order", where, 20, cases)
    record("store: list every case (cases list)", timed(store.cases.list, max(1, runs // 2)),
           None, cases)
    _searches(store, cases, runs)


def _searches(store: Any, cases: int, runs: int) -> None:
    searches: list[float] = []
    for query in STORE_QUERIES:
        samples = timed(partial(store.cases.search, query), runs)
        searches += samples
        print(f"    search {query!r:<16} median {ms(statistics.median(samples))}"
              f"  {len(store.cases.search(query))} hits")
    record("store: cases.search (limit 50)", searches, 20, cases)


def _pump() -> None:
    from PySide6.QtWidgets import QApplication  # noqa: TID251  (a GUI bench, like gui_bench.py)

    QApplication.processEvents()


def bench_gui(data_dir: Path, cases: int, runs: int) -> None:
    from PySide6.QtCore import Qt  # noqa: TID251  (a GUI bench, like gui_bench.py)

    from app.main import application, build_window

    application()
    window = build_window(data_dir, "en")
    window.resize(1366, 768)
    window.show()
    window.app_vm.workspace.adopt(open_store(data_dir))
    window.app_vm.unlocked.emit()
    window.guard.disarm()  # minutes of benching are no officer's idle minutes: no auto-lock
    _pump()
    page = window.cases_page
    model = window.cases_vm.model
    print(f"case list over {model.rowCount():,} cases")

    def through_model(action: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            action()
            model.index(0, 1).data()
        return run

    def through_page(action: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            action()
            _pump()
            page.table.viewport().grab()  # the visible rows painted
        return run

    for label, wrap in (("model", through_model), ("page", through_page)):
        search: list[float] = []
        for query in GUI_QUERIES:
            samples = timed(wrap(partial(model.set_search, query)), runs,
                            before=lambda: model.set_search(""))
            search += samples
            print(f"    {label} search {query!r:<10} median {ms(statistics.median(samples))}"
                  f"  {model.rowCount():,} rows")
        record(f"GUI {label}: search", search, 100, cases)
        record(f"GUI {label}: full list (search cleared)",
               timed(wrap(lambda: model.set_search("")), runs,
                     before=lambda: model.set_search("gonzalez")), 100, cases)
        sorts: list[float] = []
        for column in range(model.columnCount()):
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                if (column, order) != (5, Qt.SortOrder.DescendingOrder):
                    sorts += timed(wrap(partial(page.table.sortByColumn, column, order)), runs,
                                   before=partial(page.table.sortByColumn, 5,
                                                  Qt.SortOrder.DescendingOrder))
        record(f"GUI {label}: sort by a column (header)", sorts, 100, cases)
        page.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)
        record(f"GUI {label}: status filter", timed(
            wrap(lambda: model.set_status("screened")), runs,
            before=lambda: model.set_status(None)), 100, cases)
        model.set_status(None)
        record(f"GUI {label}: scroll to the end", timed(
            wrap(page.table.scrollToBottom), runs, before=page.table.scrollToTop), 100, cases)
        page.table.scrollToTop()
        if model.rowCount() != cases:
            raise SystemExit(f"the list lost its cases ({model.rowCount():,} rows)")
    window.app_vm.lock()
    window.close()


UNLOCK_PROBE = textwrap.dedent("""
    import resource, sys, time
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from app.main import application, build_window

    app = application()
    window = build_window(Path(sys.argv[1]), "en")
    window.resize(1366, 768)
    window.show()
    QApplication.processEvents()
    opened = []
    window.app_vm.unlocked.connect(lambda: opened.append(time.perf_counter()))
    start = time.perf_counter()
    window.app_vm.unlock(sys.argv[2])
    deadline = time.monotonic() + 600
    model = window.cases_vm.model
    while time.monotonic() < deadline:
        QApplication.processEvents()
        if (window.stack.currentWidget() is window.cases_page
                and model.rowCount() >= int(sys.argv[3])):
            break
        time.sleep(0.001)
    else:
        raise SystemExit("the case list never showed")
    window.cases_page.table.viewport().grab()
    shown = time.perf_counter()
    for _ in range(20):
        QApplication.processEvents()
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text()
                  .splitlines() if ":" in line)
    now = int(status["VmRSS"].split()[0]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(shown - start, shown - (opened[0] if opened else start), now, peak)
""")


def bench_unlock(data_dir: Path, cases: int, runs: int) -> None:
    from bench.bigstore import PASSPHRASE

    env = {k: v for k, v in os.environ.items()
           if k not in ("FIELDSCREEN_KDF_PROFILE", "SCREENING_DEV")}
    total: list[float] = []
    after: list[float] = []
    rss: list[float] = []
    peak: list[float] = []
    for _ in range(max(1, runs // 2)):
        done = subprocess.run([sys.executable, "-c", UNLOCK_PROBE, str(data_dir), PASSPHRASE,
                               str(cases)], cwd=ROOT, capture_output=True, text=True,
                              check=False, env=env)
        if done.returncode != 0:
            raise SystemExit("unlock probe failed: " + done.stderr[-1500:])
        values = [float(x) for x in done.stdout.strip().splitlines()[-1].split()]
        total.append(values[0])
        after.append(values[1])
        rss.append(values[2])
        peak.append(values[3])
    print(f"unlock to the case list shown, fresh process ({len(total)} runs)")
    record("GUI: unlock (Argon2id + open) to the list shown", total, None, cases)
    record("GUI: store opened to the list shown", after, 100, cases)
    record("GUI: RSS with the list shown, after unlock", rss, 300, cases, unit="MB")
    record("GUI: peak RSS (Argon2id's 256 MiB at unlock)", peak, None, cases, unit="MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", choices=("store", "gui", "unlock"))
    parser.add_argument("--data-dir", type=Path,
                        help="measure this store (of the one --cases size) instead")
    parser.add_argument("--json", action="store_true",
                        help="print the figures as one JSON line (progress goes to stderr)")
    args = parser.parse_args()
    real_stdout = sys.stdout
    if args.json:
        sys.stdout = sys.stderr
    from bench.bigstore import cached_store, copy_store

    for cases in args.cases:
        source = args.data_dir or cached_store(cases)
        if source is None:
            print(f"no generated {cases:,}-case store yet (python -m bench.bigstore {cases}):"
                  " skipped")
            continue
        tmp = None
        data_dir = source
        # A private copy; the 100k one (5.7 GB) is opened where it is.
        if cases <= 10_000 and not args.data_dir:
            tmp = Path(tempfile.mkdtemp(prefix="fs-caselist-"))
            data_dir = copy_store(source, tmp / "data")
        try:
            if args.only in (None, "store"):
                store = open_store(data_dir)
                try:
                    bench_store(store, cases, args.runs)
                finally:
                    store.close()
            if args.only in (None, "gui"):
                bench_gui(data_dir, cases, args.runs)
            if args.only in (None, "unlock"):
                bench_unlock(data_dir, cases, args.runs)
        finally:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        real_stdout.write(json.dumps({"rows": RESULTS}) + "\n")


if __name__ == "__main__":
    main()
