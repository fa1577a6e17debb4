"""The public command line of the core: instruments, interview, demo (through a subprocess)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import PASSPHRASE, ROOT, run_cli

ADULT = ROOT / "resources" / "instruments" / "adult_indicators.yaml"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("cli") / "data"
    done = run_cli("init", data_dir=data, stdin=PASSPHRASE + "\n" + PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    return data


CONSENT = {"given": True, "scope": ["screening", "referral"], "language": "en"}


def write_answers(tmp_path: Path, answers: dict, **extra: object) -> Path:
    """An answers file with consent given (as every stored interview needs)."""
    path = tmp_path / "answers.json"
    doc = {"consent": CONSENT, **extra, "answers": answers}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_instruments_list_json() -> None:
    done = run_cli("instruments", "list", "--json")
    assert done.returncode == 0, done.stderr
    rows = {row["id"]: row for row in json.loads(done.stdout)}
    adult = rows["adult_indicators"]
    assert adult["validation_status"] == "indicator_based"
    assert adult["languages"]["en"] == "source"
    assert adult["content_hash"].startswith("sha256:")


def test_instruments_check_ok_and_all_errors(tmp_path: Path) -> None:
    ok = run_cli("instruments", "check", str(ADULT))
    assert ok.returncode == 0 and "ok" in ok.stdout
    broken = tmp_path / "broken.yaml"
    text = ADULT.read_text(encoding="utf-8")
    text = text.replace("${paid_fee} = 'yes'", "${paid_fees} = 'yes'")
    text = text.replace("name: work_type\n", "name: recruit_channel\n", 1)
    broken.write_text(text, encoding="utf-8")
    done = run_cli("instruments", "check", str(broken))
    assert done.returncode == 2
    err = done.stderr
    assert "${paid_fees}" in err and "item 'fee_is_debt'" in err
    assert "duplicate item name 'recruit_channel'" in err
    assert "content_hash does not match" in err
    assert f"{broken}:" in err and "Traceback" not in err


def test_instruments_check_missing_file(tmp_path: Path) -> None:
    done = run_cli("instruments", "check", str(tmp_path / "nope.yaml"))
    assert done.returncode == 2
    assert "cannot read file" in done.stderr and "Traceback" not in done.stderr


def test_interview_stores_and_reports(store_dir: Path, tmp_path: Path) -> None:
    answers = json.loads((ROOT / "resources/demo/answers.json").read_text())["answers"]
    answers["made_sex_work"] = "no"
    answers["sex_money_holder"] = "others"  # not asked of a farm worker: ignored
    path = write_answers(tmp_path, answers)
    done = run_cli("interview", "--instrument", "adult_indicators", "--lang", "en",
                   "--answers", str(path), "--json", data_dir=store_dir, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert set(out) >= {"case_id", "interview_id", "instrument", "language", "asked", "skipped",
                        "answers", "indicators", "outcome"}
    assert out["instrument"]["id"] == "adult_indicators"
    assert out["instrument"]["content_hash"].startswith("sha256:")
    assert out["asked"][:3] == ["intro", "age", "recruit_channel"]
    assert "sex_money_holder" in out["skipped"] and "sex_money_holder" not in out["answers"]
    assert out["answers"]["harmed"] == {"special": "refused"}
    names = {i["name"] for i in out["indicators"]}
    assert {"deceived_about_work", "documents_retained", "threats"} <= names
    assert out["outcome"]["level"] == "refer"
    assert "does not decide" in out["outcome"]["label"]
    listed = run_cli("cases", "list", "--json", data_dir=store_dir, stdin=PASSPHRASE + "\n")
    assert listed.returncode == 0, listed.stderr
    assert out["case_id"] in listed.stdout


def test_interview_constraint_error_exit_2(store_dir: Path, tmp_path: Path) -> None:
    path = write_answers(tmp_path, {"age": 30, "hours_per_day": 30})
    done = run_cli("interview", "--instrument", "adult_indicators", "--lang", "en",
                   "--answers", str(path), data_dir=store_dir, stdin=PASSPHRASE + "\n")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: item 'hours_per_day': Enter a number of hours between 0 and 24."
    )


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"age": "old"}, "error: item 'age': expected a whole number, got 'old'"),
        ({"age": 30, "job_differs": "perhaps"}, "error: item 'job_differs': 'perhaps' is not one"),
        ({"age": 30, "no_such": 1}, "error: item 'no_such': no such item"),
        ({"age": {"special": "maybe"}}, "error: item 'age': unknown special answer 'maybe'"),
        ({}, "error: item 'age': an answer is required"),
    ],
)
def test_interview_bad_answers(store_dir: Path, tmp_path: Path, answers: dict,
                               message: str) -> None:
    path = write_answers(tmp_path, answers)
    done = run_cli("interview", "--instrument", "adult_indicators", "--lang", "en",
                   "--answers", str(path), data_dir=store_dir, stdin=PASSPHRASE + "\n")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(message), done.stderr


def test_interview_bad_answers_file(store_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"answers": {"age": 3,}}', encoding="utf-8")
    done = run_cli("interview", "--instrument", "adult_indicators", "--lang", "en",
                   "--answers", str(path), data_dir=store_dir, stdin=PASSPHRASE + "\n")
    assert done.returncode == 2
    assert "line 1 column" in done.stderr and str(path) in done.stderr


def test_interview_wrong_passphrase_exit_3(store_dir: Path, tmp_path: Path) -> None:
    path = write_answers(tmp_path, {"age": 30})
    done = run_cli("interview", "--instrument", "adult_indicators", "--lang", "en",
                   "--answers", str(path), data_dir=store_dir, stdin="not the passphrase!!\n")
    assert done.returncode == 3
    assert len(done.stderr.strip().splitlines()) == 1


def test_interview_unknown_language_and_instrument(store_dir: Path, tmp_path: Path) -> None:
    path = write_answers(tmp_path, {"age": 30})
    done = run_cli("interview", "--instrument", "adult_indicators", "--lang", "xx",
                   "--answers", str(path), data_dir=store_dir, stdin=PASSPHRASE + "\n")
    assert done.returncode == 2 and "no language 'xx'" in done.stderr
    done = run_cli("interview", "--instrument", "nope", "--lang", "en",
                   "--answers", str(path), data_dir=store_dir, stdin=PASSPHRASE + "\n")
    assert done.returncode == 2 and "no instrument 'nope'" in done.stderr


def test_demo_runs_headless(tmp_path: Path) -> None:
    done = run_cli("demo", "--json", env={"TMPDIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert Path(out["data_dir"]).is_dir()
    assert Path(out["data_dir"]).parent.parent == tmp_path
    assert out["outcome"]["level"] in ("refer", "refer_urgent")
    assert out["indicators"]
    pdf = Path(out["report"]["path"])
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert pdf.parent == Path(out["data_dir"]).parent  # next to the data folder, not in it


def test_data_dir_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "afile"
    not_a_folder.write_text("x", encoding="utf-8")
    done = run_cli("init", data_dir=not_a_folder, stdin=PASSPHRASE + "\n")
    assert done.returncode == 2
    assert "is not a folder" in done.stderr and "Traceback" not in done.stderr
    assert not_a_folder.read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize("command", [
    ("report", "FS-0000-ANY", "--plaintext", "-o", "{missing}/p.pdf"),
    ("export", "--format", "json", "-o", "{missing}/e.json"),
    ("backup", "-o", "{missing}/b.fsbackup"),
])
def test_an_output_in_a_missing_folder_is_bad_input(tmp_path: Path, command: tuple) -> None:
    missing = tmp_path / "no" / "such"
    args = [part.format(missing=missing) for part in command]
    done = run_cli(*args, data_dir=tmp_path / "data", stdin=PASSPHRASE + "\n")
    assert done.returncode == 2
    assert f"{missing}: no such folder" in done.stderr and "Traceback" not in done.stderr


def test_interview_text_output_grades_indicators_and_calls_only_urgent_flags_urgent(
        store_dir: Path, tmp_path: Path) -> None:
    """The plain-text summary an administrator reads: each indicator with its element and
    strength; a child's "minor" flag is shown but not called URGENT (it is not urgent)."""
    demo = json.loads((ROOT / "resources/demo/youth_quick_screen_answers.json").read_text())
    path = write_answers(tmp_path, demo["answers"])
    done = run_cli("interview", "--instrument", "youth_quick_screen", "--lang", "es",
                   "--answers", str(path), data_dir=store_dir, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    graded = [line for line in lines if line.startswith("indicator [")]
    assert graded and all(line.endswith(("strong)", "medium)")) for line in graded)
    assert any("(purpose, strong)" in line for line in graded)
    assert any(line.startswith("flag: ") for line in lines)
    assert not any(line.startswith("URGENT: ") for line in lines)
