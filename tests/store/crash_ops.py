"""Child process for the leftover test: one backup or one restore, killed by the parent.

Usage: python crash_ops.py backup DATA_DIR OUT_FILE   (passphrase on stdin)
       python crash_ops.py restore DATA_DIR BACKUP_FILE
Prints ``ready`` when the operation starts and ``done`` when it returned, then waits to be
killed. The parent sends SIGKILL at a random moment, often in the middle of the operation.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from screening.store import Store


def main() -> None:
    op, data_dir, target = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    passphrase = sys.stdin.readline().rstrip("\n")
    if op == "backup":
        store = Store.open(data_dir, passphrase)
        print("ready", flush=True)
        while True:  # back to back, so a kill lands in a backup more often than not
            store.backup(target)
    else:
        print("ready", flush=True)
        store, _kept = Store.restore(data_dir, target, passphrase, force=True)
        store.close()
    print("done", flush=True)
    time.sleep(60)


if __name__ == "__main__":
    main()
