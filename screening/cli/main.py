"""`fieldscreen` entry point: argument parsing, error-to-exit-code mapping, GUI start.

Exit codes are a public interface (administrators script them):
0 success, 1 failure that is not the user's input, 2 bad input, 3 wrong passphrase.
Errors print one clear line (or one per problem) on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path

from screening.buildinfo import version_line
from screening.errors import (
    AnswerError,
    ErrorCode,
    InputError,
    ScreeningError,
    WrongPassphrase,
)
from screening.hardening import harden
from screening.log import safe_traceback, setup_logging
from screening.workspace import WorkspaceLayout

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_WRONG_PASSPHRASE = 3


def _command_modules() -> list[object]:
    # Each module contributes subcommands through `register(subparsers)`.
    from screening import selfcheck
    from screening.cli import (
        handover_cmds,
        instrument_cmds,
        interview_cmds,
        officer_cmds,
        referral_cmds,
        report_cmds,
        server_cmds,
    )

    modules: list[object] = [instrument_cmds, interview_cmds, report_cmds, referral_cmds,
                             handover_cmds, officer_cmds, server_cmds, selfcheck]
    try:
        from screening.cli import store_cmds
    except ImportError:  # pragma: no cover - only while the store is being built
        pass
    else:
        modules.append(store_cmds)
    return modules


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldscreen",
        description="FieldScreen: offline, encrypted trafficking-indicator screening. "
        "With no command, starts the desktop app.",
    )
    parser.add_argument("--version", action="version", version=version_line())
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder holding the encrypted store (default: $FIELDSCREEN_DATA_DIR or the "
        "platform's user data folder)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        module.register(sub)  # type: ignore[attr-defined]
    gui = sub.add_parser("gui", help="start the desktop app")
    gui.add_argument("--screenshots", type=Path, metavar="DIR", help=argparse.SUPPRESS)
    gui.add_argument("--lang", help=argparse.SUPPRESS)
    gui.set_defaults(func=_run_gui)
    _data_dir_everywhere(parser)
    return parser


def _data_dir_everywhere(parser: argparse.ArgumentParser) -> None:
    """``--data-dir`` before or after the command (``fieldscreen cases list --data-dir X``),
    as the README promises. Each command's copy defaults to SUPPRESS, so leaving it out there
    keeps the value given before the command."""
    for action in parser._actions:  # argparse keeps its subcommands here, and nowhere public
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for child in dict.fromkeys(action.choices.values()):
            if "--data-dir" not in child._option_string_actions:
                child.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                                   help=argparse.SUPPRESS)
            _data_dir_everywhere(child)


GuiRunner = Callable[[argparse.Namespace], int]
_gui_runner: GuiRunner | None = None


def _find_gui() -> GuiRunner | None:
    """The desktop app registers itself as a `fieldscreen.gui` entry point.

    The core never imports the app (the design card's dependency rule): it only looks up
    whoever registered, so the CLI keeps working where Qt is not installed.
    """
    if _gui_runner is not None:
        return _gui_runner
    for entry in entry_points(group="fieldscreen.gui"):
        runner: GuiRunner = entry.load()
        return runner
    return None


def _run_gui(args: argparse.Namespace) -> int:
    if getattr(args, "lang", None) and args.lang.lower() == "all":
        # every UI language, a folder each: for the screenshot walk only
        if not getattr(args, "screenshots", None):
            raise InputError("--lang all: only with --screenshots DIR (a folder per UI "
                             "language); the app itself opens in one language")
        args.lang = "all"
    elif getattr(args, "lang", None):  # a UI language: zh-CN, pt-BR...; unknown: exit 2
        from screening.i18n.tags import REPORT_LANGUAGES, normalize_language

        args.lang = normalize_language(args.lang, REPORT_LANGUAGES, what="UI language")
    try:
        runner = _find_gui()
    except ImportError as exc:
        from screening.syscheck import check

        print(check() or f"error: the desktop app cannot start: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    if runner is None:
        print("error: the desktop app is not installed; the command line still works "
              "(see `fieldscreen --help`)", file=sys.stderr)
        return EXIT_FAILURE
    return int(runner(args))


def _app_only(argv: Sequence[str]) -> argparse.Namespace | None:
    """``fieldscreen`` or ``fieldscreen --data-dir DIR``: the desktop app, parsed without
    building the subcommands (their modules load the instruments, the expression engine and
    more, which the app's first window does not need; issue #19). Anything else, ``--help``
    included, goes through the full parser, so both paths give the same result."""
    if not argv:
        given = None
    elif len(argv) == 2 and argv[0] == "--data-dir" and argv[1][:1] not in ("", "-"):
        given = argv[1]
    elif len(argv) == 1 and argv[0].startswith("--data-dir=") and len(argv[0]) > 11:
        given = argv[0].removeprefix("--data-dir=")
    else:
        return None
    return argparse.Namespace(data_dir=Path(given) if given else None, command=None,
                              func=_run_gui, screenshots=None, lang=None)


def main(argv: Sequence[str] | None = None, *, gui: GuiRunner | None = None) -> int:
    """Run the command line. ``gui``: how to start the desktop app (frozen builds pass it)."""
    from screening.cli.common import data_dir_from

    global _gui_runner
    if gui is not None:
        _gui_runner = gui
    harden()  # no core dumps, no ptrace by other processes (best effort; see hardening.py)
    os.umask(0o077)  # every file we create is private to the officer's account
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _app_only(argv) or build_parser().parse_args(argv)
    data_dir = data_dir_from(args)
    # Log to the data folder only once a store lives there; never print tracebacks.
    setup_logging(WorkspaceLayout(data_dir).logs if data_dir.is_dir() else None)
    if not getattr(args, "func", None):
        args.func = _run_gui
        args.screenshots = None
        args.lang = None
    try:
        return int(args.func(args))
    except WrongPassphrase as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return EXIT_WRONG_PASSPHRASE
    except AnswerError as exc:
        print(f"error: item '{exc.item}': {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ScreeningError as exc:
        if exc.code == ErrorCode.STORE_NOT_FOUND:  # a case or interview the user named
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except OSError as exc:
        # A file or folder problem the core did not anticipate: say which, plainly.
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("interrupted; every answer saved so far is kept", file=sys.stderr)
        return 130
    except Exception as exc:
        incident = uuid.uuid4().hex[:8]
        # Type and code locations only: an exception's message could quote an answer.
        trace = safe_traceback(type(exc), exc.__traceback__)
        log.error("unexpected error, incident %s\n%s", incident, trace)
        if os.environ.get("FIELDSCREEN_DEBUG"):  # for developers: code locations only
            print(trace, file=sys.stderr)
        print(
            f"error: unexpected internal error (incident {incident}); nothing saved was lost",
            file=sys.stderr,
        )
        return EXIT_FAILURE


if __name__ == "__main__":
    raise SystemExit(main())
