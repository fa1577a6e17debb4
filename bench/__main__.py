"""`python -m bench` (`make bench`): run every ``bench/*_bench.py`` script in turn.

Benchmarks print figures; they are not tests and assert nothing. Extra arguments are passed
to each script (e.g. ``python -m bench --quick``).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    if str(here.parent) not in sys.path:
        sys.path.insert(0, str(here.parent))
    status = 0
    for script in sorted(here.glob("*_bench.py")):
        module = importlib.import_module(f"bench.{script.stem}")
        status |= int(module.main(argv) or 0)
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
