"""Differential harness (issue #17): the same XLSForm and answers through FieldScreen,
JavaRosa (ODK Collect) and ODK Web Forms, compared case by case.

Usage (from the repository root)::

    .venv/bin/python -m tests.conformance.harness                  # whole corpus: figures,
                                                                   # every case that differs
    .venv/bin/python -m tests.conformance.harness --case ID [ID…]  # the three results side
                                                                   # by side (--full: all)
    .venv/bin/python -m tests.conformance.harness --file expressions_regex.yaml
    .venv/bin/python -m tests.conformance.harness --construct regex --raw  # raw JSON too
    .venv/bin/python -m tests.conformance.harness --engines fieldscreen,javarosa

Setup: Java 17 (``java``/``javac``) for JavaRosa; Node >= 20.19 and ``make
conformance-engines`` (``npm ci`` in engines/webforms) for Web Forms. An engine that cannot
run here is skipped with the reason. A whole-corpus run writes
``.cache/conformance/results.json``, which ``tools/odk_conformance_doc.py`` reads.

Corpus format: ``corpus/*.yaml`` (cases) and ``constructs/*.yaml``, see ``corpus.py``.
How the engines are driven (the same for the three): answers are given in order as an
interviewer would; answering a question that is not relevant (or does not exist, or is
read-only) is "error", a value the constraint refuses is "constraint" and is not kept, ""
clears an answer. Count-less repeats get the entries ``repeats:`` asks for once they are
relevant; one that ``repeats:`` leaves out keeps each engine's own start (Collect and Web
Forms: one entry, from the form's instance; FieldScreen: none), so give every count-less
repeat a number. ``jr:count`` repeats follow their count. Dates are read in UTC; today()
and now() are the real clock in every engine.
Python API: ``run(cases)`` -> ``Run``; ``fieldscreen.run_fieldscreen(cases)`` for FieldScreen
alone (``make bench``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import engines as eng
from .compare import ENGINES, LABELS, agree, side_by_side
from .corpus import ROOT, Case, Corpus, CorpusError, load_corpus
from .fieldscreen import run_fieldscreen

RESULTS_FILE = eng.CACHE / "results.json"
RESULTS_VERSION = 1


@dataclass
class Run:
    """One run of the corpus: case id -> engine -> raw result (None: engine not run)."""

    results: dict[str, dict[str, dict[str, Any] | None]]
    skipped: dict[str, str] = field(default_factory=dict)  # engine -> why it did not run
    seconds: dict[str, float] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)

    def ran(self, engine: str) -> bool:
        return engine not in self.skipped

    def to_json(self, digest: str) -> dict[str, Any]:
        return {"version": RESULTS_VERSION, "digest": digest, "skipped": self.skipped,
                "seconds": self.seconds, "versions": self.versions, "results": self.results}


def versions() -> dict[str, str]:
    return {"javarosa": eng.javarosa_version(), "webforms": eng.webforms_version(),
            "pyxform": eng.pyxform_version()}


def run(cases: list[Case], engines: tuple[str, ...] = ENGINES) -> Run:
    """Run the cases through the engines asked for; the reference engines run in their own
    processes (one each for the whole batch) while FieldScreen runs here."""
    skipped: dict[str, str] = {}
    for name, why in (("javarosa", eng.javarosa_unavailable),
                      ("webforms", eng.webforms_unavailable)):
        if name not in engines:
            skipped[name] = "not asked for"
        elif (reason := why()) is not None:
            skipped[name] = reason
    seconds: dict[str, float] = {}
    outside: dict[str, dict[str, dict[str, Any]]] = {}
    refused: dict[str, str] = {}
    if not all(e in skipped for e in ("javarosa", "webforms")):
        start = time.perf_counter()
        jobs, refused = eng.jobs_for(cases)
        seconds["pyxform"] = time.perf_counter() - start
        runners = {"javarosa": eng.run_javarosa, "webforms": eng.run_webforms}
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures: dict[str, Future[dict[str, dict[str, Any]]]] = {
                name: pool.submit(_timed, runner, jobs, seconds, name)
                for name, runner in runners.items() if name not in skipped
            }
            fs = _fieldscreen(cases, engines, seconds)
            for name, future in futures.items():
                outside[name] = future.result()  # an EngineError fails the run loudly
    else:
        fs = _fieldscreen(cases, engines, seconds)
    results: dict[str, dict[str, dict[str, Any] | None]] = {}
    for case in cases:
        row: dict[str, dict[str, Any] | None] = {"fieldscreen": fs.get(case.id)}
        for name in ("javarosa", "webforms"):
            if name in skipped:
                row[name] = None
            elif case.id in refused:
                row[name] = {"load_error": refused[case.id]}
            else:
                row[name] = outside[name][case.id]
        results[case.id] = row
    if "fieldscreen" not in engines:
        skipped["fieldscreen"] = "not asked for"
    return Run(results, skipped, {k: round(v, 2) for k, v in seconds.items()}, versions())


def _timed(runner: Any, jobs: list[dict[str, Any]], seconds: dict[str, float],
           name: str) -> dict[str, dict[str, Any]]:
    start = time.perf_counter()
    try:
        return dict(runner(jobs))
    finally:
        seconds[name] = time.perf_counter() - start


def _fieldscreen(cases: list[Case], engines: tuple[str, ...],
                 seconds: dict[str, float]) -> dict[str, dict[str, Any]]:
    if "fieldscreen" not in engines:
        return {}
    start = time.perf_counter()
    out = run_fieldscreen(cases)
    seconds["fieldscreen"] = time.perf_counter() - start
    return out


# -- cached results (for the document generator) ---------------------------------------------
def digest(corpus: Corpus) -> str:
    """Changes when the corpus, an engine harness or FieldScreen's code changes."""
    h = hashlib.sha256(corpus.digest().encode())
    sources = [eng.JAVAROSA_SRC, eng.WEBFORMS_DIR / "run.mjs",
               eng.WEBFORMS_DIR / "package-lock.json"]
    sources += sorted((ROOT / "screening").rglob("*.py"))
    sources += sorted(Path(__file__).parent.glob("*.py"))
    for path in sources:
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def save(result: Run, corpus: Corpus, path: Path = RESULTS_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")  # several runs may save at once
    tmp.write_text(json.dumps(result.to_json(digest(corpus)), indent=1),
                   encoding="utf-8")
    tmp.replace(path)


def load_cached(corpus: Corpus, path: Path = RESULTS_FILE) -> Run | None:
    """The saved run, if it was made from this corpus and this code; else None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("version") != RESULTS_VERSION or data.get("digest") != digest(corpus):
        return None
    if set(data["results"]) != {c.id for c in corpus.cases}:
        return None
    return Run(data["results"], data["skipped"], data["seconds"], data["versions"])


# -- figures ---------------------------------------------------------------------------------
def agreement(cases: list[Case], result: Run, a: str, b: str) -> tuple[int, int]:
    """(cases where a and b agree, cases where both ran)."""
    same = total = 0
    for case in cases:
        row = result.results[case.id]
        verdict = agree(case, row.get(a), row.get(b))
        if verdict is None:
            continue
        total += 1
        same += verdict
    return same, total


def summary(cases: list[Case], result: Run) -> str:
    lines = [f"{len(cases)} cases"]
    for a, b in (("fieldscreen", "javarosa"), ("fieldscreen", "webforms"),
                 ("javarosa", "webforms")):
        if result.ran(a) and result.ran(b):
            same, total = agreement(cases, result, a, b)
            share = f"{100 * same / total:.1f}%" if total else "-"
            lines.append(f"{LABELS[a]} vs {LABELS[b]}: {same}/{total} agree ({share})")
    for engine, why in result.skipped.items():
        if why != "not asked for":
            lines.append(f"{LABELS[engine]}: {why}")
    lines.append("seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in result.seconds.items()))
    return "\n".join(lines)


# -- command line ----------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.conformance.harness",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", nargs="+", metavar="ID", help="only these cases")
    parser.add_argument("--file", help="only the cases of this corpus file (name or path)")
    parser.add_argument("--construct", help="only the cases of this construct")
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help="comma-separated subset of " + ",".join(ENGINES))
    parser.add_argument("--full", action="store_true", help="show every field, not only "
                        "the differences")
    parser.add_argument("--raw", action="store_true", help="also print each raw result")
    parser.add_argument("--all", action="store_true", help="with the whole corpus: show "
                        "every differing case, not only those that differ from JavaRosa")
    args = parser.parse_args(argv)
    try:
        corpus = load_corpus(strict=False)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for problem in corpus.problems:
        print(f"warning: left out: {problem}", file=sys.stderr)
    engines = tuple(e.strip() for e in args.engines.split(",") if e.strip())
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        print(f"error: --engines: unknown engine {unknown[0]!r} (use {', '.join(ENGINES)})",
              file=sys.stderr)
        return 2
    cases = corpus.cases
    if args.case:
        known = {c.id for c in cases}
        missing = [i for i in args.case if i not in known]
        if missing:
            print(f"error: --case: no case {missing[0]!r} in tests/conformance/corpus",
                  file=sys.stderr)
            return 2
        cases = [c for c in cases if c.id in args.case]
    if args.file:
        cases = [c for c in cases if c.file == Path(args.file).name]
    if args.construct:
        cases = [c for c in cases if c.construct == args.construct]
    if not cases:
        print("error: no case matches", file=sys.stderr)
        return 2
    try:
        result = run(cases, engines)
    except eng.EngineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    whole = len(cases) == len(corpus.cases) and engines == ENGINES and not corpus.problems
    if whole:
        save(result, corpus)
    selected = bool(args.case or args.file or args.construct)
    for case in cases:
        row = result.results[case.id]
        if not (selected or args.full):
            reference = "javarosa" if result.ran("javarosa") and not args.all else None
            if reference is not None and agree(case, row["fieldscreen"], row[reference]):
                continue
            if reference is None and len({json.dumps(v, sort_keys=True) for v in
                                          _normalised(case, row)}) <= 1:
                continue
        print(side_by_side(case, row, full=args.full))
        if args.raw:
            for engine in ENGINES:
                print(f"  {LABELS[engine]} raw: {json.dumps(row.get(engine), ensure_ascii=False)}")
        print()
    print(summary(cases, result))
    if whole:
        print(f"results saved to {RESULTS_FILE.relative_to(ROOT)}")
    return 0


def _normalised(case: Case, row: dict[str, dict[str, Any] | None]) -> list[Any]:
    from .compare import normalise

    return [normalise(case, row[e]) for e in ENGINES if row.get(e) is not None]


if __name__ == "__main__":
    sys.exit(main())
