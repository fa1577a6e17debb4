"""The shipped instruments and the store's snapshots are read with libyaml (issue #19: the
first interview and the first report of a process parsed them in pure Python). They must
load exactly as the pure-Python parser reads them, and a file from a user keeps the
pure-Python parser's checks and messages."""

from __future__ import annotations

import json

import pytest

from screening.errors import InstrumentError
from screening.instruments import list_instruments, load_instrument, load_instrument_text
from screening.instruments.hashing import canonical_json
from screening.instruments.yamlsource import FAST_LOADER, YamlProblem, load_yaml

pytestmark = pytest.mark.skipif(FAST_LOADER is None, reason="PyYAML without libyaml >= 0.2.6")


def _same(a: object, b: object) -> None:
    from screening.instruments.loader import LoadResult

    assert isinstance(a, LoadResult) and isinstance(b, LoadResult)
    assert a.instrument == b.instrument
    assert a.content_hash == b.content_hash
    assert [(w.code, w.message, w.line) for w in a.warnings] == [
        (w.code, w.message, w.line) for w in b.warnings]


def test_every_shipped_instrument_reads_the_same_with_libyaml() -> None:
    shipped = list_instruments()
    assert len(shipped) >= 4
    for result in shipped:
        assert result.path is not None
        text = result.path.read_text(encoding="utf-8")
        _same(result, load_instrument(result.path, fast=False))
        fast_data, fast_lines = load_yaml(text, "x", fast=True)
        slow_data, slow_lines = load_yaml(text, "x", fast=False)
        assert fast_data == slow_data
        assert fast_lines.lines == slow_lines.lines  # the lines problems are reported on


def test_a_store_snapshot_reads_the_same_with_libyaml() -> None:
    for result in list_instruments():
        data = json.loads(canonical_json(result.instrument))
        data["content_hash"] = result.content_hash
        text = json.dumps(data, ensure_ascii=False)
        _same(load_instrument_text(text, "store:x", fast=True),
              load_instrument_text(text, "store:x"))


def test_a_users_file_keeps_the_pure_parsers_checks() -> None:
    # libyaml would take the tab as white space; the pure-Python parser refuses it.
    text = "format:\tfieldscreen-instrument/1\n"
    with pytest.raises(InstrumentError) as info:
        load_instrument_text(text, "mine.yaml")
    assert "cannot start any token" in info.value.problems[0].message


@pytest.mark.parametrize("text", ["a: &x [1]\nb: *x\n", "a: 1\na: 2\n", "a: [1, 2\n",
                                  "a: 1\n---\nb: 2\n", "a: \x01\n", ""])
def test_with_libyaml_every_problem_is_worded_as_before(text: str) -> None:
    with pytest.raises(YamlProblem) as slow:
        load_yaml(text, "f.yaml")
    with pytest.raises(YamlProblem) as fast:
        load_yaml(text, "f.yaml", fast=True)
    assert fast.value.problem == slow.value.problem
