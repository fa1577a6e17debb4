"""`fieldscreen interview` with someone who came with the person in the room (issue #14):
the held-back result, `interview context` (the person is alone now) and `interview resume`,
as administrators run them: a subprocess, exit codes, stdout, stderr. Synthetic answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import PASSPHRASE, ROOT, run_cli

DEMO = json.loads((ROOT / "resources" / "demo" / "answers.json").read_text(encoding="utf-8"))
ANSWERS: dict[str, Any] = DEMO["answers"]
IN = PASSPHRASE + "\n"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    done = run_cli("init", data_dir=data, stdin=IN + IN)
    assert done.returncode == 0, done.stderr
    return data


def _file(tmp_path: Path, doc: dict[str, Any], name: str = "answers.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _interview(store: Path, tmp_path: Path, companion: str = "present") -> dict[str, Any]:
    answers = _file(tmp_path, {"consent": {"given": True, "scope": ["screening"]},
                               "context": {"companion": companion}, "answers": ANSWERS})
    done = run_cli("interview", "--instrument", "adult_indicators", "--lang", "en",
                   "--answers", str(answers), "--json", data_dir=store, stdin=IN)
    assert done.returncode == 0, done.stderr
    printed: dict[str, Any] = json.loads(done.stdout)
    return printed


def test_the_held_back_result_extends_the_json(store: Path, tmp_path: Path) -> None:
    printed = _interview(store, tmp_path)
    # the shape is extended, nothing renamed
    for key in ("case_id", "interview_id", "instrument", "asked", "skipped",
                "ignored_answers", "answers", "indicators", "flags", "routes", "outcome"):
        assert key in printed
    assert printed["outcome"]["level"] == "incomplete"
    assert printed["outcome"]["held_back_sections"][:2] == ["recruitment", "work"]
    assert printed["held_back"][0] == "recruit_channel"
    assert "job_differs" in printed["ignored_answers"]
    human = run_cli("interview", "--instrument", "adult_indicators", "--lang", "en",
                    "--answers", str(tmp_path / "answers.json"), data_dir=store, stdin=IN)
    assert human.returncode == 0
    assert "INCOMPLETE: 9 section(s) held back" in human.stdout
    assert "--companion separated" in human.stdout


def test_context_then_resume_completes_the_interview(store: Path, tmp_path: Path) -> None:
    printed = _interview(store, tmp_path)
    interview_id = printed["interview_id"]
    changed = run_cli("interview", "context", interview_id, "--companion", "separated",
                      "--json", data_dir=store, stdin=IN)
    assert changed.returncode == 0, changed.stderr
    change = json.loads(changed.stdout)
    assert change == {"case_id": printed["case_id"], "interview_id": interview_id,
                      "previous": "present", "companion": "separated",
                      "held_back_sections": [], "resume_at": "recruit_channel",
                      "reopened": True}
    more = _file(tmp_path, {"answers": ANSWERS}, "more.json")
    done = run_cli("interview", "resume", interview_id, "--answers", str(more), "--json",
                   data_dir=store, stdin=IN)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["outcome"]["level"] == "refer"
    assert result["outcome"]["held_back_sections"] == [] and result["held_back"] == []
    assert result["answers"]["job_differs"] == ANSWERS["job_differs"]
    # the same as a whole interview run with the person alone from the start
    alone = _interview(store, tmp_path, companion="separated")
    for key in ("asked", "skipped", "held_back", "answers", "indicators", "flags", "outcome"):
        assert result[key] == alone[key], key
    # finished again: nothing left to resume
    again = run_cli("interview", "resume", interview_id, "--answers", str(more),
                    data_dir=store, stdin=IN)
    assert again.returncode == 2 and "finished" in again.stderr


def test_a_case_reference_names_its_latest_interview(store: Path, tmp_path: Path) -> None:
    printed = _interview(store, tmp_path)
    changed = run_cli("interview", "context", printed["case_id"], "--companion", "separated",
                      data_dir=store, stdin=IN)
    assert changed.returncode == 0, changed.stderr
    assert "companion present -> separated" in changed.stdout
    assert "come back at 'recruit_channel'" in changed.stdout


def test_bad_values_are_exit_2_with_a_clear_message(store: Path, tmp_path: Path) -> None:
    printed = _interview(store, tmp_path)
    bad = run_cli("interview", "context", printed["interview_id"], "--companion", "outside",
                  data_dir=store, stdin=IN)
    assert bad.returncode == 2
    assert "invalid choice: 'outside'" in bad.stderr and "Traceback" not in bad.stderr
    nobody = run_cli("interview", "context", "no-such-interview", "--companion", "separated",
                     data_dir=store, stdin=IN)
    assert nobody.returncode == 2 and "no interview or case 'no-such-interview'" in nobody.stderr
    in_file = _file(tmp_path, {"consent": {"given": True, "scope": ["screening"]},
                               "context": {"companion": "sometimes"}, "answers": {}}, "b.json")
    done = run_cli("interview", "--instrument", "adult_indicators", "--lang", "en",
                   "--answers", str(in_file), data_dir=store, stdin=IN)
    assert done.returncode == 2
    assert "context.companion must be one of none, present, separated" in done.stderr
    # a resume file holds answers only: the consent was recorded when the interview started
    resume = run_cli("interview", "resume", printed["interview_id"], "--answers",
                     str(tmp_path / "answers.json"), data_dir=store, stdin=IN)
    assert resume.returncode == 2 and 'holds only "answers"' in resume.stderr
    # running a whole interview still needs its three options (ACTION is optional)
    done = run_cli("interview", "--lang", "en", data_dir=store, stdin=IN)
    assert done.returncode == 2
    assert "the following arguments are required: --instrument, --answers" in done.stderr
