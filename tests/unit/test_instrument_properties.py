"""Property tests: the loader never raises anything but its own clear error type."""

from __future__ import annotations

from factories import instrument_yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.errors import InstrumentError
from screening.instruments import load_instrument_text

BASE = instrument_yaml("""\
- name: s1
  title: {en: One}
  items:
    - {name: q1, type: yes_no, text: {en: Q one}, relevant: "${q2} > 1"}
    - {name: q2, type: integer, text: {en: Q two}, constraint: ". < 10"}
""")


def _load(text: str) -> None:
    try:
        load_instrument_text(text, "fuzz.yaml")
    except InstrumentError as exc:
        message = str(exc)
        if not message:
            raise AssertionError("an instrument error must say what is wrong") from exc


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(text: str) -> None:
    _load(text)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(BASE) - 1), st.integers(0, 40), st.text(max_size=20))
def test_mutated_instrument_never_crashes(pos: int, cut: int, insert: str) -> None:
    _load(BASE[:pos] + insert + BASE[pos + cut:])


@settings(max_examples=100, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
))
def test_arbitrary_yaml_structures_never_crash(data: object) -> None:
    import yaml

    _load(yaml.safe_dump(data, allow_unicode=True))
