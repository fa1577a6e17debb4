"""`python -m bench` (`make bench`): the benchmark report; see bench/suite.py.

`python -m bench --quick` runs smaller sizes (no 100,000-case store) and does not rewrite
docs/performance.md; `--sizes`, `--only main,growth,cold` and `--no-doc` narrow a run
(`python -m bench --help`). The individual scripts (store_bench.py, report_bench.py,
gui_bench.py, expr_bench.py, growth.py, ...) also run on their own.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.suite import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
