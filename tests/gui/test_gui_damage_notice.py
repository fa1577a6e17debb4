"""The damaged-file notice (issue #19): the background page check finds a damaged page the
unlock did not read; the app says so, plainly and for as long as the store is open."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from guihelp import PASSPHRASE, create_store, make_window, unlock
from PySide6.QtWidgets import QApplication

from screening.errors import StoreCorrupt
from screening.store import InterviewMeta, Store
from screening.store.keys import SLOT_PASSPHRASE, KeySlots

PAGE, RESERVE = 4096, 80
MARK = b"long-free-text "


def _damage_a_page_unlock_does_not_read(data_dir: Path) -> int:
    """A long free-text answer (its overflow pages are read only with that answer), then one
    byte of one of its pages flipped; returns that page's number."""
    from screening.engine.storage import AnswerRecord

    create_store(data_dir)
    with Store.open(data_dir, PASSPHRASE) as store:
        interview = store.interviews.create(
            store.cases.create(), InterviewMeta("i", "1", "sha256:" + "0" * 64, "en", "en"))
        store.interviews.save_answer(
            interview, AnswerRecord("story", (MARK * 6000).decode(), None, "en", "t"))
    key, _slot = KeySlots.load(data_dir / "keyslots.json").unlock(SLOT_PASSPHRASE, PASSPHRASE)
    db = data_dir / "fieldscreen.db"
    raw = bytearray(db.read_bytes())
    hits = []
    for n in range(len(raw) // PAGE):
        page = bytes(raw[n * PAGE:(n + 1) * PAGE])
        iv = page[PAGE - RESERVE:PAGE - RESERVE + 16]
        plain = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor().update(
            page[16 if n == 0 else 0:PAGE - RESERVE])
        if plain.count(MARK) > 200:
            hits.append(n + 1)
    assert len(hits) > 10
    late = hits[len(hits) // 2]
    raw[(late - 1) * PAGE + 700] ^= 0x01
    db.write_bytes(bytes(raw))
    return late


def test_a_damaged_file_is_said_plainly_and_stays_said(qtbot, data_dir: Path) -> None:
    _damage_a_page_unlock_does_not_read(data_dir)
    window = make_window(qtbot, data_dir)
    assert not window.damage_notice.isVisible()
    unlock(qtbot, window, PASSPHRASE)  # the unlock works: it never reads that page
    qtbot.waitUntil(window.damage_notice.isVisible, timeout=10_000)
    text = window.damage_notice.label.text()
    assert "the data file on this computer is damaged: 1 part of it fails its check" in text
    assert "Nothing more can be saved from now on" in text
    assert "nothing can be exported, sent or saved as a file" in text
    assert "You can still read what is here" in text
    assert "Settings › Backup and export › Restore from a backup…" in text
    assert "fieldscreen restore" in text and "`" not in text
    store = window.app_vm.store
    assert store is not None
    with pytest.raises(StoreCorrupt):  # the notice is true: nothing more is saved
        store.cases.create()
    assert len(store.cases.list()) == 1  # and what is there can still be read

    window.pause()  # the neutral screen says nothing about the app
    assert not window.damage_notice.isVisible()
    window.resume()
    assert window.damage_notice.isVisible()
    window.open_settings()  # not a toast: still there behind any dialog and after it
    window._close_dialogs()
    assert window.damage_notice.isVisible()

    window.lock()
    assert not window.damage_notice.isVisible()
    unlock(qtbot, window, PASSPHRASE)  # known in this run of the app: said again at once
    qtbot.waitUntil(window.damage_notice.isVisible, timeout=10_000)


def test_a_sound_file_shows_no_notice(qtbot, data_dir: Path) -> None:
    create_store(data_dir)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window, PASSPHRASE)
    store = window.app_vm.store
    assert store is not None and store.page_check.wait(10) == "ok"
    QApplication.processEvents()  # the report the checking thread queued is delivered
    assert not window.damage_notice.isVisible()
    assert window.app_vm.damaged_pages() == 0


def test_a_file_that_could_not_be_checked_is_said_too(qtbot, data_dir: Path) -> None:
    """No verdict (here: the file at the store's path is no longer the one it opened) is
    not a clean bill of health: the notice says so, and what to do."""
    import os
    import shutil

    create_store(data_dir)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window, PASSPHRASE)
    store = window.app_vm.store
    assert store is not None and store.page_check.wait(10) == "ok"
    db = data_dir / "fieldscreen.db"
    shutil.copyfile(db, data_dir.parent / "twin.db")
    os.replace(data_dir.parent / "twin.db", db)
    store._start_page_check()  # as after every unlock
    window.app_vm.watch_page_check(store)
    qtbot.waitUntil(window.damage_notice.isVisible, timeout=10_000)
    text = window.damage_notice.label.text()
    assert "the data file on this computer could not be checked" in text
    assert "nothing more can be saved" in text
    assert "fieldscreen restore" in text and "fieldscreen check" in text and "`" not in text
    with pytest.raises(StoreCorrupt, match="could not be checked"):
        store.cases.create()
    window.lock()
    assert not window.damage_notice.isVisible()
