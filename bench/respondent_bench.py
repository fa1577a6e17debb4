"""GUI benchmark: the next question with the respondent view open (issue #14, goal < 50 ms).

Run alone: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/respondent_bench.py [--runs N]``;
``make bench`` runs it through ``bench/gui_bench.py`` (its rows join the one table). Prints
figures; not a test, it asserts nothing.

In one process, the real interview screen over a real SQLCipher store, ``adult_indicators``
with Arabic for the person and English for the officer, and the respondent view (the second
window, Ctrl+Shift+R) open: choosing an option (saved and fsynced) then Next, until both
windows show the new item; then, separately, the same with both windows repainted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SCREENING_DEV", "1")  # the fast KDF below is for seeding only

from bench.gui_bench import start_interview, summary, unlocked_window  # noqa: E402


def _pump() -> None:
    from PySide6.QtCore import QEventLoop  # noqa: TID251  (a GUI bench, like gui_bench.py)

    QEventLoop().processEvents()


def bench_respondent_next(runs: int) -> None:
    window = unlocked_window()
    answer_next: list[float] = []
    painted: list[float] = []
    for _run in range(runs):
        start_interview(window)
        page = window.interview_page
        page.respondent.set_on(True)  # Ctrl+Shift+R
        person = page.respondent.window
        assert person is not None
        _pump()
        while window.stack.currentWidget() is page and page.view is not None:
            widget = page.answer_widget
            start = time.perf_counter()
            if widget is not None and page.view.kind in ("yes_no", "single_choice",
                                                         "observation"):
                widget.choose(2)
            elif widget is not None and page.view.kind == "integer":
                widget.edit.setText("9")
                page._edited()
            page.go_next()
            _pump()
            answer_next.append(time.perf_counter() - start)
            if window.stack.currentWidget() is page and len(painted) < 30:
                start = time.perf_counter()
                page.go_back()
                page.go_next()
                window.grab()
                person.grab()
                painted.append((time.perf_counter() - start) / 2)
        window.go_cases()
    print(f"next question with the respondent view open (adult_indicators, ar/en, {runs} "
          f"interview(s), {len(answer_next)} moves)")
    summary("respondent view open: answer + Next", answer_next, 0.05)
    summary("respondent view open: per move, both repainted", painted, 0.05)
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    bench_respondent_next(args.runs)


if __name__ == "__main__":
    main()
