"""Entry point of the frozen (PyInstaller) build.

The source install finds the desktop app through the `fieldscreen.gui` entry point; a
frozen build has no package metadata to look that up in, so it passes the app explicitly.
The app is imported only when the GUI starts, so CLI commands don't pay Qt's start-up.
"""

import argparse
import multiprocessing
import sys


def _gui(args: argparse.Namespace) -> int:
    from app.main import run

    return run(args)


if __name__ == "__main__":
    multiprocessing.freeze_support()
    from screening.cli.main import main

    sys.exit(main(gui=_gui))
