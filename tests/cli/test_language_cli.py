"""`--lang` takes any spelling of a supported language and refuses the rest with exit 2 and
the list (issue #15): `report --lang zh-Hans` gives a whole Chinese packet, `interview --lang
zh-CN` asks in the instrument's zh_Hans wording."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screening.i18n import REPORT_LANGUAGES, Translator
from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE, run_cli
from tests.factories import stored_interview
from tests.reports.pdftools import attachment, one_line, pdftotext

ANSWERS = json.loads((Path(__file__).resolve().parents[2] / "resources" / "demo"
                      / "answers.json").read_text(encoding="utf-8"))["answers"]


@pytest.fixture
def reference(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    with Workspace(data_dir) as ws:
        ws.create(PASSPHRASE)
        done = stored_interview(ws, "adult_indicators", ANSWERS, lang="en")
        return str(ws.store.cases.get(str(done["case_id"])).reference)


@pytest.mark.parametrize(("tag", "code"), [("zh-Hans", "zh_Hans"), ("zh-CN", "zh_Hans"),
                                           ("vi-VN", "vi"), ("tl", "tl")])
def test_report_lang_takes_bcp47_and_labels_are_translated(
        reference: str, data_dir: Path, tmp_path: Path, tag: str, code: str) -> None:
    out = tmp_path / "packet.pdf"
    done = run_cli("report", reference, "-o", str(out), "--lang", tag, "--plaintext",
                   data_dir=data_dir, stdin=f"{PASSPHRASE}\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(attachment(out))["report_language"] == code
    text = one_line(pdftotext(out))
    _ = Translator(code)
    for label in ("Questionnaire used", "Screening result", "Person", "Interview", "Consent",
                  "Appendix: questions asked"):
        assert _(label) != label, f"{code}: '{label}' is not translated"
        assert _(label) in text


def test_report_lang_unknown_is_exit_2_listing_the_supported(
        reference: str, data_dir: Path, tmp_path: Path) -> None:
    done = run_cli("report", reference, "-o", str(tmp_path / "x.pdf"), "--lang", "zh-TW",
                   "--plaintext", data_dir=data_dir, stdin=f"{PASSPHRASE}\n")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "unknown report language 'zh-TW'" in done.stderr
    assert ", ".join(c.replace("_", "-") for c in REPORT_LANGUAGES) in done.stderr  # as typed
    assert not (tmp_path / "x.pdf").exists()


def test_interview_lang_finds_the_instruments_own_code(data_dir: Path, tmp_path: Path) -> None:
    assert run_cli("init", data_dir=data_dir,
                   stdin=f"{PASSPHRASE}\n{PASSPHRASE}\n").returncode == 0
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({
        "consent": {"given": True, "scope": ["screening"]}, "answers": ANSWERS}),
        encoding="utf-8")
    done = run_cli("interview", "--instrument", "adult_indicators", "--lang", "zh-CN",
                   "--officer-lang", "EN-us", "--answers", str(answers), "--json",
                   data_dir=data_dir, stdin=f"{PASSPHRASE}\n")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["language"] == "zh_Hans" and result["officer_language"] == "en"


def test_gui_lang_unknown_is_refused_before_the_app_starts() -> None:
    done = run_cli("gui", "--lang", "klingon-xx")
    assert done.returncode == 2 and "unknown UI language 'klingon-xx'" in done.stderr
