"""GUI benchmark: start-up to the unlock window, next question, pause, case search over 10,000
cases.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_bench.py [--cases N] [--runs N]``.
Prints figures; it is not a test and asserts nothing. Goals (issue #5, this machine):
start-up under 0.8 s, next question under 50 ms, case search under 100 ms; issue #14: pause
under 16 ms (one frame), start-up still under 0.8 s with the shipped fonts registered.

* start-up: wall time from spawning ``fieldscreen --data-dir DIR`` (the real entry point:
  argument parsing, entry-point lookup, logging, QApplication, translations, the window) to
  the first pass of the event loop with the unlock screen shown, over an existing store.
* next question: in one process, the real interview screen over a real SQLCipher store:
  choosing an option (saved and fsynced) then Next, until the new item is laid out;
  ``adult_indicators`` with Arabic for the respondent and English for the officer.
* pause: Ctrl+P pressed (a real key event through the application's event filter) on an
  interview item with a typed, unsaved answer and the urgent banner showing, until the neutral
  pause screen has been painted (its first paint event); then, separately, the whole pause
  including saving the typed answer and recording the break, which happens after the paint.
* case search: ``CaseListModel.set_search`` (store full-text query plus model reset) over
  N synthetic cases; the 250 ms typing debounce is not included.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SCREENING_DEV", "1")  # the fast KDF below is for seeding only


PASSPHRASE = "correct horse battery staple 42"
NAMES = ("Ana María González", "МАРИЯ Иванова", "李小梅", "فاطمة الزهراء", "Nguyễn Thị Lan",
         "Jean-Baptiste Moreau", "Amira Haddad", "Olena Kovalenko", "Samuel Okafor")

PROBE = textwrap.dedent("""
    import sys
    import PySide6.QtWidgets as widgets
    from PySide6.QtCore import QTimer

    _exec = widgets.QApplication.exec

    def probe(app):
        def ready():
            window = widgets.QApplication.activeWindow() or next(
                w for w in widgets.QApplication.topLevelWidgets() if w.isVisible())
            page = window.stack.currentWidget()
            print("READY", type(page).__name__, flush=True)
            app.quit()
        QTimer.singleShot(0, ready)
        return _exec()

    widgets.QApplication.exec = probe
    from screening.cli.main import main
    sys.exit(main(["--data-dir", sys.argv[1]]))
""")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


RESULTS: list[dict[str, object]] = []  # for --json (bench/suite.py's single table)


def summary(label: str, values: list[float], goal: float) -> None:
    RESULTS.append({"name": f"GUI: {label}", "samples": list(values),
                    "goal": f"< {goal * 1000:.0f} ms"})
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    verdict = "ok" if statistics.median(values) < goal else "OVER GOAL"
    print(f"  {label:<44} median {ms(statistics.median(values))}  p95 {ms(p95)}  "
          f"min {ms(values[0])}  max {ms(values[-1])}  (goal {goal * 1000:.0f} ms: {verdict})")


def bench_startup(runs: int) -> None:
    from screening.store import Store

    data_dir = Path(tempfile.mkdtemp(prefix="fs-bench-")) / "data"
    env = {k: v for k, v in os.environ.items() if k != "FIELDSCREEN_KDF_PROFILE"}
    Store.create(data_dir, PASSPHRASE)[0].close()
    times = []
    page = ""
    for _ in range(runs + 1):  # the first run warms the OS caches and is dropped
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", PROBE, str(data_dir)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                env=env)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        elapsed = time.perf_counter() - start
        proc.wait(timeout=30)
        if not line.startswith("READY"):
            raise SystemExit("start-up probe failed: " + line)
        page = line.split()[1]
        times.append(elapsed)
    print(f"start-up to the unlock window ({runs} runs, screen shown: {page})")
    summary("process start -> unlock window shown", times[1:], 0.8)


def _pump() -> None:
    from PySide6.QtCore import QEventLoop

    QEventLoop().processEvents()


def unlocked_window() -> Any:
    """The app's main window (1366x768, shown) on a new store with the fast KDF, unlocked;
    the shared start of the interview benches."""
    os.environ["FIELDSCREEN_KDF_PROFILE"] = "fast"
    from app.main import application, build_window
    from screening.store import Store

    application()
    data_dir = Path(tempfile.mkdtemp(prefix="fs-bench-")) / "data"
    store, _key = Store.create(data_dir, PASSPHRASE)
    store.close()
    window = build_window(data_dir, "en")
    window.resize(1366, 768)
    window.show()
    window.app_vm.workspace.adopt(Store.open(data_dir, PASSPHRASE))
    window.app_vm.unlocked.emit()
    return window


def start_interview(window: Any) -> None:
    """A new synthetic case and an adult_indicators interview (Arabic person, English
    officer), consent given, as an officer clicks through it."""
    from PySide6.QtWidgets import QApplication

    window.cases_page.new_case()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if w.objectName() == "newCaseDialog" and w.isVisible())
    dialog.name.setText("Bench Person")  # type: ignore[attr-defined]
    dialog.accept()  # type: ignore[attr-defined]
    setup = window.setup_page
    card = next(c for c in setup.cards if c.card.id == "adult_indicators")
    card.radio.setChecked(True)
    setup.respondent.setCurrentIndex(max(0, setup.respondent.findData("ar")))
    setup.officer.setCurrentIndex(max(0, setup.officer.findData("en")))
    setup.next_button.click()
    window.consent_page.agrees.setChecked(True)
    window.consent_page.start_button.click()


def bench_next_question(runs: int) -> None:
    window = unlocked_window()
    answer_next: list[float] = []
    next_only: list[float] = []
    back_only: list[float] = []
    repaint: list[float] = []
    for _run in range(runs):
        start_interview(window)
        page = window.interview_page
        _pump()
        while window.stack.currentWidget() is page:
            widget = page.answer_widget
            start = time.perf_counter()
            if widget is not None and page.view.kind in ("yes_no", "single_choice",
                                                         "observation"):
                widget.choose(2)
                page.go_next()
                _pump()
                answer_next.append(time.perf_counter() - start)
            elif widget is not None and page.view.kind == "integer":
                widget.edit.setText("9")
                page._edited()
                page.go_next()
                _pump()
                answer_next.append(time.perf_counter() - start)
            else:
                page.go_next()
                _pump()
                next_only.append(time.perf_counter() - start)
            if window.stack.currentWidget() is page and len(repaint) < 20:
                start = time.perf_counter()
                page.go_back()
                page.go_next()
                window.grab()
                repaint.append((time.perf_counter() - start) / 2)
            if window.stack.currentWidget() is page and len(back_only) < 40:
                start = time.perf_counter()
                page.go_back()
                _pump()
                back_only.append(time.perf_counter() - start)
                page.go_next()
                _pump()
        window.go_cases()
    print(f"next question (adult_indicators, ar/en, {runs} interview(s), "
          f"{len(answer_next)} answers)")
    summary("choose an option (saved, fsynced) + Next", answer_next, 0.05)
    if next_only:
        summary("Next on a note", next_only, 0.05)
    summary("Back (Alt+Left)", back_only, 0.05)
    summary("per move, including a full window repaint", repaint, 0.05)
    window.close()


def bench_pause(runs: int) -> None:
    os.environ["FIELDSCREEN_KDF_PROFILE"] = "fast"
    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app import demo
    from app.main import application, build_window
    from screening.store import Store
    from screening.workspace import Workspace

    application()
    data_dir = Path(tempfile.mkdtemp(prefix="fs-bench-")) / "data"
    with Workspace(data_dir) as ws:
        ws.create(PASSPHRASE)
        demo.install_demo_instrument(ws)
    window = build_window(data_dir, "en")
    window.resize(1366, 768)
    window.show()
    window.app_vm.workspace.adopt(Store.open(data_dir, PASSPHRASE))
    window.app_vm.unlocked.emit()
    window.cases_page.new_case()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if w.objectName() == "newCaseDialog" and w.isVisible())
    dialog.name.setText("Bench Person")  # type: ignore[attr-defined]
    dialog.accept()  # type: ignore[attr-defined]
    setup = window.setup_page
    card = next(c for c in setup.cards if c.card.id == demo.DEMO_ID)
    card.radio.setChecked(True)
    setup.respondent.setCurrentIndex(max(0, setup.respondent.findData("ar")))
    setup.next_button.click()
    window.consent_page.agrees.setChecked(True)
    window.consent_page.start_button.click()
    page = window.interview_page
    while page.view is not None and page.view.key != "danger_now":
        page.go_next()
        if page.view is not None and page.view.key == "hours":
            page.answer_widget.edit.setText("9")  # type: ignore[union-attr]
            page._edited()
    page.answer_widget.choose(1)  # type: ignore[union-attr]  # the urgent banner
    page.go_next()
    painted: list[float] = []

    class FirstPaint(QObject):
        def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not painted:
                painted.append(time.perf_counter())
            return False

    probe = FirstPaint()
    window.pause_screen.installEventFilter(probe)
    to_screen: list[float] = []
    whole: list[float] = []
    for _ in range(runs * 5):
        page.note_button.setChecked(True)
        page.note.setPlainText("Typed, not saved yet (bench)")
        page._note_edited()
        _pump()
        painted.clear()
        target = QApplication.focusWidget() or window
        start = time.perf_counter()
        QTest.keyClick(target, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
        end = time.perf_counter()
        if not painted or window.stack.currentWidget() is not window.pause_screen:
            raise SystemExit("the pause screen did not show")
        to_screen.append(painted[0] - start)
        whole.append(end - start)
        window.resume()
        _pump()
    print(f"pause (demo interview, ar/en, urgent banner, a typed note; {len(to_screen)} pauses)")
    summary("Ctrl+P -> neutral screen painted", to_screen, 0.016)
    summary("Ctrl+P -> paused, typed note saved, break noted", whole, 0.05)
    window.close()


def bench_search(count: int, runs: int) -> None:
    os.environ["FIELDSCREEN_KDF_PROFILE"] = "fast"
    from PySide6.QtCore import Qt

    from app.main import application
    from app.viewmodels.app_vm import AppViewModel
    from app.viewmodels.case_list_model import CaseListModel
    from screening.store import PersonInfo, Store

    application()
    data_dir = Path(tempfile.mkdtemp(prefix="fs-bench-")) / "data"
    store, _key = Store.create(data_dir, PASSPHRASE)
    start = time.perf_counter()
    for i in range(count):
        store.cases.create(person=PersonInfo(name=f"{NAMES[i % len(NAMES)]} {i}"))
    print(f"case list over {count:,} cases (seeded in {time.perf_counter() - start:.1f} s, "
          "one transaction per case)")
    app_vm = AppViewModel(data_dir)
    app_vm.workspace.adopt(store)
    model = CaseListModel(app_vm)
    reference = store.cases.list(limit=1)[0].reference
    queries = ["gonzalez", "мария", "小梅", reference, reference[-3:], "2026-", "nobody"]
    for query in queries:
        times = []
        for _ in range(runs):
            model.set_search("")  # a change every run (see below)
            t = time.perf_counter()
            model.set_search(query)
            model.index(0, 1).data()
            times.append(time.perf_counter() - t)
        summary(f"search {query!r} -> {model.rowCount():,} rows", times, 0.1)
    # Each run changes the list and reads its first row: a lazy model fetches on demand, so
    # a change that is not read (or no change at all) would time nothing.
    times = []
    for _ in range(runs):
        model.set_search("nobody")
        t = time.perf_counter()
        model.set_search("")
        model.index(0, 1).data()
        times.append(time.perf_counter() - t)
    summary(f"full list (no search) -> {model.rowCount():,} rows", times, 0.1)
    times = []
    for n in range(runs):
        order = (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder)[n % 2]
        t = time.perf_counter()
        model.sort(1, order)
        model.index(0, 1).data()
        times.append(time.perf_counter() - t)
    summary("sort the full list by name", times, 0.1)
    store.close()


RSS_PROBE = textwrap.dedent("""
    import resource, sys, time
    from pathlib import Path
    from PySide6.QtCore import QEventLoop
    from app.main import application, build_window

    app = application()
    window = build_window(Path(sys.argv[1]), "en")
    window.resize(1366, 768)
    window.show()
    window.app_vm.unlock(sys.argv[2])
    loop = QEventLoop()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        loop.processEvents()
        if (window.stack.currentWidget() is window.cases_page
                and window.cases_vm.model.rowCount() >= int(sys.argv[3])):
            break
        time.sleep(0.01)
    else:
        raise SystemExit("the case list never showed")
    for _ in range(20):  # let the table lay out and paint
        loop.processEvents()
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text()
                  .splitlines() if ":" in line)
    now = int(status["VmRSS"].split()[0]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(now, peak)
""")


def bench_rss(count: int) -> None:
    """Peak RSS of the real app, unlocked, showing the case list of ``count`` cases."""
    os.environ["FIELDSCREEN_KDF_PROFILE"] = "fast"
    from screening.store import PersonInfo, Store

    data_dir = Path(tempfile.mkdtemp(prefix="fs-bench-")) / "data"
    store, _key = Store.create(data_dir, PASSPHRASE)
    for i in range(count):
        store.cases.create(person=PersonInfo(name=f"{NAMES[i % len(NAMES)]} {i}"))
    store.close()
    # The real key derivation (Argon2id, 256 MiB) at unlock, as an officer's laptop runs it.
    env = {k: v for k, v in os.environ.items()
           if k not in ("FIELDSCREEN_KDF_PROFILE", "SCREENING_DEV")}
    done = subprocess.run([sys.executable, "-c", RSS_PROBE, str(data_dir), PASSPHRASE,
                           str(count)], cwd=ROOT, capture_output=True, text=True, check=False,
                          env=env)
    if done.returncode != 0:
        raise SystemExit("RSS probe failed: " + done.stderr[-1500:])
    now_mb, peak_mb = (float(x) for x in done.stdout.strip().splitlines()[-1].split())
    RESULTS.append({"name": f"GUI: RSS showing {count:,} cases (after unlock)",
                    "samples": [now_mb], "goal": "< 300 MB", "unit": "MB"})
    RESULTS.append({"name": "GUI: peak RSS incl. Argon2id at unlock",
                    "samples": [peak_mb], "goal": "", "unit": "MB"})
    print(f"  RSS of the app showing {count:,} cases: {now_mb:.0f} MB, peak {peak_mb:.0f} MB "
          "(the peak includes Argon2id's 256 MiB during unlock)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", choices=("startup", "next", "pause", "search", "rss",
                                           "respondent"))
    parser.add_argument("--json", action="store_true",
                        help="print the figures as one JSON line (progress goes to stderr)")
    args = parser.parse_args()
    real_stdout = sys.stdout
    if args.json:
        sys.stdout = sys.stderr
    import platform

    import PySide6

    print(f"FieldScreen GUI benchmark · Python {platform.python_version()} · PySide6 "
          f"{PySide6.__version__} · {os.cpu_count()} CPUs · QT_QPA_PLATFORM="
          f"{os.environ.get('QT_QPA_PLATFORM')}")
    if args.only in (None, "startup"):
        bench_startup(args.runs)
    if args.only in (None, "next"):
        bench_next_question(max(1, args.runs // 3))
    if args.only in (None, "pause"):
        bench_pause(args.runs)
    if args.only in (None, "respondent"):  # issue #14: the second window open
        from bench.respondent_bench import bench_respondent_next

        bench_respondent_next(max(1, args.runs // 3))
    if args.only in (None, "search"):
        bench_search(args.cases, args.runs)
    if args.only in (None, "rss"):
        bench_rss(args.cases)
    if args.json:
        real_stdout.write(json.dumps({"rows": RESULTS}) + "\n")


if __name__ == "__main__":
    main()
