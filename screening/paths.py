"""Where things live: bundled resources (source tree or PyInstaller bundle) and user data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from screening.errors import InputError

APP_NAME = "FieldScreen"
DATA_DIR_ENV = "FIELDSCREEN_DATA_DIR"


def dev_or_test() -> bool:
    """Development or a test run: the only places where weakening test doubles (plaintext
    in-memory store, cheap key derivation) are allowed to run."""
    return bool(os.environ.get("SCREENING_DEV") or os.environ.get("PYTEST_CURRENT_TEST"))


def resource_root() -> Path:
    """The folder holding ``resources/`` and ``translations/``.

    Frozen: the PyInstaller bundle directory. Otherwise: the source tree this package sits in
    (the project is installed editable; resources are data, not Python modules).
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    return resource_root().joinpath("resources", *parts)


def instruments_dir() -> Path:
    return resource_path("instruments")


def translations_dir() -> Path:
    return resource_root() / "translations"


def default_data_dir() -> Path:
    """The user's data folder: ``$FIELDSCREEN_DATA_DIR`` or the platform's user data dir."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except (FileExistsError, NotADirectoryError):
        raise InputError(f"{path} is not a folder: choose a folder for FieldScreen's data "
                         "(--data-dir or FIELDSCREEN_DATA_DIR)") from None
    try:
        path.chmod(0o700)
    except OSError:  # not ours to change (e.g. a shared mount): the files inside stay 0600
        pass
    return path
