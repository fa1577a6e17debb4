"""Where FieldScreen may write a file the user named: never over its own data (issue #13).

Every command and screen that writes a user-chosen file (export, backup, report, XLSForm,
decrypted export, screenshots) asks :func:`check_output_target` first, and the core services
(``Store.backup``, ``Store.export``, ``write_case_report``) ask again before writing, so no
face can bypass it. Refused, with ``ErrorCode.OUTPUT_TARGET`` (an ``InputError``: CLI exit 2):

* a path inside the data folder (after resolving symlinks), or the data folder itself;
* an existing file that is the same file as one in the data folder (a hard link);
* an existing target that is not a regular file (a device such as ``/dev/null``, a FIFO, a
  socket, a folder), or, with ``folder=True``, not a folder.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from screening.errors import ErrorCode, InputError


def _refuse(path: Path, why: str) -> InputError:
    return InputError(f"refusing to write {path}: {why}", code=ErrorCode.OUTPUT_TARGET)


def _same_file_in(folder: Path, st: os.stat_result) -> Path | None:
    """A file under ``folder`` that is the same inode as ``st`` (a hard link), if any."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            candidate = Path(root) / name
            try:
                other = candidate.stat()
            except OSError:
                continue
            if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
                return candidate
    return None


def check_output_target(path: Path | str, data_dir: Path | str, *,
                        folder: bool = False) -> Path:
    """Return ``path`` (user-expanded) if FieldScreen may write it; raise InputError if not.

    ``folder``: the target is a folder to write files into (screenshots), not a file.
    Nothing is created or changed.
    """
    target = Path(path).expanduser()
    data = Path(data_dir).expanduser()
    try:
        data_real = data.resolve()
        real = target.resolve()  # follows symlinks, also a final component that is one
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise _refuse(target, f"it cannot be checked ({exc})") from None
    checks = ((Path(os.path.abspath(target)), Path(os.path.abspath(data)), "it is"),
              (real, data_real, "it leads (through a symbolic link) to a place"))
    for candidate, root, how in checks:
        if candidate == root or root in candidate.parents:
            raise _refuse(target, f"{how} inside FieldScreen's data folder ({data}); "
                                  "choose a place outside it")
    try:
        st = target.stat()
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise _refuse(target, f"it cannot be checked ({exc.strerror or exc})") from None
    if folder:
        if not stat.S_ISDIR(st.st_mode):
            raise _refuse(target, "it exists and is not a folder")
        return target
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else \
            "not a regular file (a device, pipe or socket)"
        raise _refuse(target, f"it is {kind}; name a regular file")
    if st.st_nlink > 1 and data_real.is_dir():
        twin = _same_file_in(data_real, st)
        if twin is not None:
            raise _refuse(target, f"it is the same file as the store's {twin.name} "
                                  "(a hard link into the data folder)")
    return target


__all__ = ["check_output_target"]
