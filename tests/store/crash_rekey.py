"""Child process for the rekey kill test: open with one passphrase, rekey to another.

Usage: python crash_rekey.py DATA_DIR   (current passphrase, then the new one, on stdin)
Prints ``ready`` once the store is open and ``done`` when rekey returned, then waits to be
killed. The parent sends SIGKILL at a random moment, often in the middle of the rekey.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from screening.store import Store


def main() -> None:
    data_dir = Path(sys.argv[1])
    current = sys.stdin.readline().rstrip("\n")
    new = sys.stdin.readline().rstrip("\n")
    store = Store.open(data_dir, current)
    print("ready", flush=True)
    store.rekey(new)
    print("done", flush=True)
    time.sleep(60)


if __name__ == "__main__":
    main()
