"""`fieldscreen` alone (or with only ``--data-dir``) starts the app without building the
subcommands (issue #19); everything else still goes through the full parser, so help,
versions and mistakes read as before."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import run_cli


def test_help_still_lists_every_command() -> None:
    done = run_cli("--help")
    assert done.returncode == 0, done.stderr
    for command in ("interview", "report", "export", "backup", "selfcheck", "gui"):
        assert command in done.stdout


def test_a_data_dir_without_a_folder_is_bad_input() -> None:
    done = run_cli("--data-dir")
    assert done.returncode == 2
    assert "--data-dir: expected one argument" in done.stderr


def test_an_unknown_option_beside_the_data_dir_is_bad_input(tmp_path: Path) -> None:
    done = run_cli("--data-dir", str(tmp_path), "--bogus")
    assert done.returncode == 2
    assert "unrecognized arguments: --bogus" in done.stderr


def test_version_still_answers(tmp_path: Path) -> None:
    done = run_cli("--data-dir", str(tmp_path), "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("FieldScreen ")
