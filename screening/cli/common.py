"""What every store-using command shares: the data folder, reading secrets, opening the store.

Secrets are read with ``getpass`` (no echo) when standard input is a terminal. Otherwise each
secret is one line of standard input, trailing newline removed, read in the order the command
asks for them (for example: store passphrase, then export password). Confirmation prompts are
skipped when reading from a pipe. Secrets never come from arguments or the environment: those
end up in shell history and process listings.
"""

from __future__ import annotations

import argparse
import getpass
import math
import sys
from pathlib import Path

from screening.errors import ErrorCode, InputError, StoreError
from screening.paths import default_data_dir
from screening.store import Store
from screening.workspace import Workspace


def data_dir_from(args: argparse.Namespace) -> Path:
    """``--data-dir``, else ``$FIELDSCREEN_DATA_DIR``, else the platform's user data folder."""
    given = getattr(args, "data_dir", None)
    return Path(given).expanduser() if given else default_data_dir()


def stdin_is_tty() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _read_stdin_line(what: str) -> str:
    if sys.stdin is None:  # started without standard input (e.g. from a desktop launcher)
        raise InputError(f"expected the {what} on standard input", code=ErrorCode.BAD_INPUT)
    line = sys.stdin.readline()
    if not line:
        raise InputError(f"expected the {what} on standard input", code=ErrorCode.BAD_INPUT)
    if line.endswith("\n"):
        line = line[:-1]
    if line.endswith("\r"):
        line = line[:-1]
    return line


def read_passphrase(prompt: str = "Passphrase: ", *, confirm: bool = False) -> str:
    """Read a secret: without echo from a terminal, else one line from standard input."""
    if not stdin_is_tty():
        return _read_stdin_line(prompt.strip().rstrip(":").lower() or "passphrase")
    secret = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat to confirm: ") != secret:
        raise InputError("the two entries differ", code=ErrorCode.BAD_INPUT)
    return secret


def read_line(prompt: str) -> str:
    """Read one line of ordinary (echoed) input; kept out of argv because it may be a name."""
    if stdin_is_tty():
        return input(prompt)
    return _read_stdin_line(prompt.strip().rstrip(":").lower() or "input")


def check_output_folder(path: Path) -> None:
    """Refuse, before the passphrase is asked, a file in a folder that does not exist."""
    folder = Path(path).expanduser().parent
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder for {Path(path).name}",
                         code=ErrorCode.BAD_INPUT)


def check_output(args: argparse.Namespace, path: Path, *, folder: bool = False) -> Path:
    """Refuse, before any passphrase is asked, a target inside the data folder, over one of
    its files (also through a symlink or hard link) or onto a device (exit 2)."""
    target = Workspace(data_dir_from(args)).check_output(path, folder=folder)
    if not folder:
        check_output_folder(target)
    return target


def require_store(data_dir: Path) -> None:
    if not Store.exists(data_dir):
        raise StoreError(
            f"no FieldScreen store in {data_dir}; create one with `fieldscreen init`",
            code=ErrorCode.STORE_NOT_INITIALISED,
        )


def open_workspace(args: argparse.Namespace) -> Workspace:
    """The workspace of ``args`` (its data folder), unlocked; use it as a context manager."""
    return Workspace(data_dir_from(args)).adopt(open_store(args))


def open_store(args: argparse.Namespace) -> Store:
    """Open the store of ``args`` after reading its passphrase (or recovery key, when the
    command has ``--recovery-key`` set). Waits, saying so, after repeated wrong passphrases."""
    data_dir = data_dir_from(args)
    require_store(data_dir)
    use_recovery = bool(getattr(args, "recovery_key", False))
    secret = read_passphrase("Recovery key: " if use_recovery else "Passphrase: ")
    delay = Store.unlock_delay(data_dir)
    if delay > 0:
        print(
            f"waiting {math.ceil(delay)} s after earlier wrong passphrases ...",
            file=sys.stderr,
            flush=True,
        )
    if use_recovery:
        store = Store.open_with_recovery_key(data_dir, secret)
    else:
        store = Store.open(data_dir, secret)
    for warning in store.warnings:  # found by the checks at open; also in the audit trail
        print(f"warning: {warning.message}", file=sys.stderr, flush=True)
    return store
