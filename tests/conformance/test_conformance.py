"""FieldScreen's form logic against ODK Collect's engine (JavaRosa) and ODK Web Forms.

The corpus (``corpus/*.yaml``) runs once per session through all three engines
(``harness.run``). Where Collect's engine can run: FieldScreen loads every form it loads,
agrees with it on at least 98% of the cases, and every case where it does not is listed
under its construct with a reason (and no case is listed that actually agrees).
docs/odk-conformance.md is generated from the same results. The JavaRosa and Web Forms parts
skip with the reason where Java or Node (>= 20.19, with ``make conformance-engines``) are
missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance import engines as eng
from tests.conformance.compare import agree, side_by_side
from tests.conformance.corpus import Corpus, CorpusError, load_corpus
from tests.conformance.fieldscreen import run_case
from tests.conformance.harness import Run, run, save

TARGET = 0.98
SHOW = 40  # differing cases shown in a failure message


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    try:
        return load_corpus()
    except CorpusError as exc:
        pytest.fail(f"conformance corpus: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def results(corpus: Corpus) -> Run:
    try:
        result = run(corpus.cases)
    except eng.EngineError as exc:
        pytest.fail(f"a reference engine failed: {exc}", pytrace=False)
    save(result, corpus)  # the document generator reuses it
    return result


def need(result: Run, *engines: str) -> None:
    for engine in engines:
        if not result.ran(engine):
            pytest.skip(result.skipped[engine])


def shown(corpus: Corpus, result: Run, ids: list[str]) -> str:
    parts = [side_by_side(corpus.case(i), result.results[i]) for i in ids[:SHOW]]
    more = f"\n… and {len(ids) - SHOW} more" if len(ids) > SHOW else ""
    return "\n\n".join(parts) + more


def differing(corpus: Corpus, result: Run) -> list[str]:
    return [c.id for c in corpus.cases
            if agree(c, result.results[c.id]["fieldscreen"], result.results[c.id]["javarosa"])
            is False]


# -- the corpus itself -----------------------------------------------------------------------
def test_corpus_has_cases_of_every_kind(corpus: Corpus) -> None:
    kinds = {c.kind for c in corpus.cases}
    assert kinds == {"expr", "form"}, kinds
    assert all(c.construct in corpus.constructs for c in corpus.cases)


def test_a_format_error_names_the_file_and_the_case(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    (tmp_path / "constructs").mkdir()
    (tmp_path / "constructs" / "x.yaml").write_text(
        "c:\n  title: t\n  spec: s\n  policy: p\n", encoding="utf-8")
    (tmp_path / "cases" / "bad.yaml").write_text(
        "cases:\n  - id: ok-case\n    construct: c\n    expr: '1'\n"
        "  - id: broken\n    construct: c\n    expr: '1'\n    answers: {nope: '1'}\n",
        encoding="utf-8")
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path / "cases", tmp_path / "constructs")
    assert "bad.yaml: case 'broken'" in str(caught.value)
    assert "'nope' is not a base field" in str(caught.value)


def test_duplicate_ids_and_unknown_constructs_are_refused(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    (tmp_path / "constructs").mkdir()
    (tmp_path / "constructs" / "x.yaml").write_text(
        "c:\n  title: t\n  spec: s\n  policy: p\n", encoding="utf-8")
    case = "  - id: same\n    construct: {}\n    expr: '1'\n"
    (tmp_path / "cases" / "a.yaml").write_text("cases:\n" + case.format("c"), encoding="utf-8")
    (tmp_path / "cases" / "b.yaml").write_text("cases:\n" + case.format("c"), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"b\.yaml: case 'same' is also in a\.yaml"):
        load_corpus(tmp_path / "cases", tmp_path / "constructs")
    (tmp_path / "cases" / "b.yaml").unlink()
    (tmp_path / "cases" / "a.yaml").write_text("cases:\n" + case.format("nope"),
                                                encoding="utf-8")
    with pytest.raises(CorpusError, match="construct 'nope' is not in constructs"):
        load_corpus(tmp_path / "cases", tmp_path / "constructs")


# -- FieldScreen's runner reports what the interview stored ------------------------------------
def test_fieldscreen_runner_reports_repeat_entries_and_refusals(corpus: Corpus) -> None:
    repeat = run_case(corpus.case("smoke-repeat-two-entries"))
    assert repeat["fields"]["member[2].yrs"] == {"relevant": True, "value": "4"}
    assert repeat["fields"]["member[2].pos"]["value"] == "2"
    assert repeat["fields"]["total"]["value"] == "34"
    refused = run_case(corpus.case("smoke-constraint"))
    assert refused["answers"] == [["age", "constraint"], ["age", "ok"]]
    assert refused["fields"]["age"]["value"] == "30"
    chain = run_case(corpus.case("smoke-relevance-chain"))
    assert chain["fields"]["why"]["relevant"] is False
    assert chain["answers"][-1] == ["why", "error"]
    assert run_case(corpus.case("smoke-required-missing"))["required_missing"] == ["school"]


# -- against JavaRosa --------------------------------------------------------------------------
def test_fieldscreen_loads_every_form_javarosa_loads(corpus: Corpus, results: Run) -> None:
    need(results, "javarosa")
    refused = [c.id for c in corpus.cases
               if not (results.results[c.id]["javarosa"] or {}).get("load_error")
               and (results.results[c.id]["fieldscreen"] or {}).get("load_error")]
    assert not refused, "FieldScreen refuses forms JavaRosa loads:\n\n" + \
        shown(corpus, results, refused)


def test_agreement_with_javarosa_is_at_least_98_percent(corpus: Corpus, results: Run) -> None:
    need(results, "javarosa")
    ids = differing(corpus, results)
    share = 1 - len(ids) / len(corpus.cases)
    assert share >= TARGET, (
        f"FieldScreen agrees with JavaRosa on {share:.1%} of {len(corpus.cases)} cases "
        f"(target {TARGET:.0%}); {len(ids)} differ:\n\n" + shown(corpus, results, ids))


def test_every_difference_from_javarosa_is_listed_with_its_reason(corpus: Corpus,
                                                                   results: Run) -> None:
    need(results, "javarosa")
    unlisted = [i for i in differing(corpus, results)
                if i not in corpus.constructs[corpus.case(i).construct].known_differences]
    assert not unlisted, (
        "cases where FieldScreen differs from JavaRosa that are not in known_differences of "
        "their construct (constructs/*.yaml), or FieldScreen should be fixed:\n\n"
        + shown(corpus, results, unlisted))


def test_no_known_difference_actually_agrees(corpus: Corpus, results: Run) -> None:
    need(results, "javarosa")
    ids = set(differing(corpus, results))
    stale = [(c.key, i) for c in corpus.constructs.values() for i in c.known_differences
             if i not in ids]
    assert not stale, "known_differences that now agree with JavaRosa (remove them): " + \
        ", ".join(f"{i} ({key})" for key, i in stale)


# -- the document ----------------------------------------------------------------------------
def test_odk_conformance_doc_is_generated_from_these_results(corpus: Corpus,
                                                             results: Run) -> None:
    need(results, "javarosa", "webforms")
    from tools.odk_conformance_doc import DOC, render

    expected = render(corpus, results)
    current = DOC.read_text(encoding="utf-8") if DOC.is_file() else ""
    assert current == expected, (
        "docs/odk-conformance.md is out of date: run `make conformance-doc` "
        "(or .venv/bin/python tools/odk_conformance_doc.py)")
