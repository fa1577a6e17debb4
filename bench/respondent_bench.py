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
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SCREENING_DEV", "1")  # the fast KDF below is for seeding only

from bench.gui_bench import PASSPHRASE, summary  # noqa: E402


def _pump() -> None:
    from PySide6.QtCore import QEventLoop  # noqa: TID251  (a GUI bench, like gui_bench.py)

    QEventLoop().processEvents()


def bench_respondent_next(runs: int) -> None:
    os.environ["FIELDSCREEN_KDF_PROFILE"] = "fast"
    from PySide6.QtWidgets import QApplication  # noqa: TID251

    from app.main import application, build_window
    from app.windows.main_window import MainWindow
    from screening.store import Store

    application()
    data_dir = Path(tempfile.mkdtemp(prefix="fs-bench-")) / "data"
    Store.create(data_dir, PASSPHRASE)[0].close()
    window = build_window(data_dir, "en")
    assert isinstance(window, MainWindow)
    window.resize(1366, 768)
    window.show()
    window.app_vm.workspace.adopt(Store.open(data_dir, PASSPHRASE))
    window.app_vm.unlocked.emit()
    answer_next: list[float] = []
    painted: list[float] = []
    for _run in range(runs):
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
                widget.edit.setText("9")  # type: ignore[attr-defined]
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
