"""The workspace: one object per data folder; what it keeps inside the encrypted store."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.paths import resource_path
from screening.workspace import Workspace
from screening.xlsform import import_xlsform, instrument_yaml
from tests.cli.helpers import PASSPHRASE

HERE = Path(__file__).parent


def test_plaintext_folders_of_older_versions_move_into_the_store(data_dir: Path) -> None:
    ws = Workspace(data_dir)
    ws.create(PASSPHRASE)
    ws.close()
    # What an older FieldScreen left: an imported instrument and directory, in plaintext.
    legacy = data_dir / "instruments"
    legacy.mkdir()
    imported = import_xlsform(HERE / "agency_screen.md")
    (legacy / "agency_screen-2026.1.yaml").write_text(
        instrument_yaml(imported.instrument, source="agency_screen.md"), encoding="utf-8")
    rows = resource_path("referrals", "us.csv").read_text(encoding="utf-8").replace(
        "National Human Trafficking Hotline", "National Human Trafficking Hotline (team copy)")
    (data_dir / "referrals").mkdir()
    (data_dir / "referrals" / "imported.csv").write_text(rows, encoding="utf-8")

    with Workspace(data_dir).open(PASSPHRASE) as ws:
        assert not legacy.exists() and not (data_dir / "referrals").exists()
        assert ws.store.directory.get() is not None
        assert "National Human Trafficking Hotline (team copy)" in {
            s.name for s in ws.directory()}
        installed = [e for e in ws.catalog.entries() if e.origin == "installed"]
        assert [e.key for e in installed] == ["agency_screen@2026.1"]
    # A broken legacy file would stay in place with a warning; this one loaded.
    assert not any(p.suffix in (".yaml", ".csv") for p in data_dir.rglob("*"))


def test_ui_language_is_the_only_plaintext_preference(data_dir: Path) -> None:
    ws = Workspace(data_dir)
    ws.set_ui_language("ar")
    assert Workspace(data_dir).ui_language() == "ar"
    assert (data_dir / "ui.json").read_text(encoding="utf-8").strip() == '{"language": "ar"}'
    (data_dir / "ui.json").write_text('{"language": "../../etc"}', encoding="utf-8")
    assert Workspace(data_dir).ui_language() is None


def test_a_version_once_used_cannot_come_back_with_other_words(tmp_path: Path) -> None:
    from screening.errors import InputError
    from screening.instruments import load_instrument_text
    from tests.factories import stored_interview

    ws = Workspace(tmp_path / "data")
    ws.create(PASSPHRASE)
    form = import_xlsform(HERE / "agency_screen.md")
    text = instrument_yaml(form.instrument, source="agency_screen.md")
    ws.catalog.install(load_instrument_text(text, "a.yaml"), "a.yaml")
    stored_interview(ws, "agency_screen", {"paid_fee": "no"}, lang="en")
    ws.catalog.remove("agency_screen@2026.1")
    reworded = text.replace("Did you pay a fee for the job?", "Did you pay anyone for the job?")
    changed = load_instrument_text(reworded.replace("content_hash:", "#"), "b.yaml")
    with pytest.raises(InputError, match="new version"):
        ws.catalog.install(changed, "b.yaml")
    ws.close()


def test_interviews_from_before_snapshots_get_their_text_kept(data_dir: Path) -> None:
    """A store from before schema v2: its interviews' texts are kept at the first unlock."""
    from screening.store import InterviewMeta

    ws = Workspace(data_dir)
    ws.create(PASSPHRASE)
    # As an older store has it: an interview whose text was never kept in the store.
    loaded = ws.catalog.find("safety_triage")
    case_id = ws.store.cases.create()
    ws.store.interviews.create(case_id, InterviewMeta(
        "safety_triage", loaded.instrument.version, loaded.content_hash, "en", "en"))
    assert ws.store.instruments.missing() == [("safety_triage", loaded.content_hash)]
    ws.store.settings.set("instrument_texts_backfilled", False)
    ws.close()
    with Workspace(data_dir).open(PASSPHRASE) as again:
        assert again.store.instruments.missing() == []
        assert again.store.instruments.get(loaded.content_hash) is not None
