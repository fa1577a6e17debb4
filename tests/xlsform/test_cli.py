"""`fieldscreen instruments import` and `instruments export-xlsform`.

``instrument_cmds.register`` (the lead's) creates the ``instruments`` sub-command; it will
call ``register_instrument_actions(isub)``. Until then these tests add the actions to the
real parser the same way, so they run through ``main()`` with its exit-code mapping.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from xlshelp import fixture_path

from screening.cli import main as cli_main
from screening.cli.xlsform_cmds import register_instrument_actions
from screening.instruments import load_instrument


def _instruments_actions(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    top = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    instruments = top.choices["instruments"]
    return next(a for a in instruments._actions if isinstance(a, argparse._SubParsersAction))


@pytest.fixture(autouse=True)
def _with_xlsform_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    original = cli_main.build_parser

    def build() -> argparse.ArgumentParser:
        parser = original()
        isub = _instruments_actions(parser)
        if "import" not in isub.choices:  # the lead's one-line change is not in yet
            register_instrument_actions(isub)
        return parser

    monkeypatch.setattr(cli_main, "build_parser", build)


def test_import_writes_an_instrument_file_that_loads(tmp_path: Path, capsys) -> None:
    out = tmp_path / "mali.yaml"
    code = cli_main.main(
        ["instruments", "import", str(fixture_path("ona_mali_health.xlsx")), "-o", str(out)]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert "imported as 'ona_mali_health'" in captured.out
    assert "warning: survey sheet, row 16" in captured.err  # the geopoint
    loaded = load_instrument(out)
    assert loaded.instrument.id == "ona_mali_health"
    assert loaded.content_hash == loaded.instrument.content_hash
    assert not [w for w in loaded.warnings if w.code.value == "instrument.hash"]


def test_import_prints_yaml_without_output_file(capsys) -> None:
    code = cli_main.main(["instruments", "import", str(fixture_path("pyx_group.md"))])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out.startswith("# FieldScreen instrument imported from the XLSForm")
    assert "format: fieldscreen-instrument/1" in captured.out


def test_import_refusal_exits_2_with_row(capsys) -> None:
    code = cli_main.main(
        ["instruments", "import", str(fixture_path("ona_ERR_MCH_v1_unknown_type.xlsx"))]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert "error:" in captured.err and "row 17" in captured.err
    assert "Traceback" not in captured.err


def test_import_does_not_overwrite(tmp_path: Path, capsys) -> None:
    out = tmp_path / "x.yaml"
    out.write_text("keep me")
    code = cli_main.main(
        ["instruments", "import", str(fixture_path("pyx_group.md")), "-o", str(out)]
    )
    assert code == 2 and out.read_text() == "keep me"
    assert "--force" in capsys.readouterr().err


def test_export_then_import_gives_the_same_hash(tmp_path: Path, capsys) -> None:
    xlsx = tmp_path / "triage.xlsx"
    assert cli_main.main(["instruments", "export-xlsform", "safety_triage", "-o", str(xlsx)]) == 0
    exported = capsys.readouterr().out
    yaml_out = tmp_path / "triage.yaml"
    assert cli_main.main(["instruments", "import", str(xlsx), "-o", str(yaml_out)]) == 0
    imported = capsys.readouterr().out
    digest = exported.split("(")[-1].rstrip(")\n")
    assert digest.startswith("sha256:") and digest in imported
    assert load_instrument(yaml_out).content_hash == digest


def test_export_unknown_instrument_exits_2(tmp_path: Path, capsys) -> None:
    code = cli_main.main(
        ["instruments", "export-xlsform", "no_such", "-o", str(tmp_path / "x.xlsx")]
    )
    assert code == 2
    assert "no instrument 'no_such'" in capsys.readouterr().err
