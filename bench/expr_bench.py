"""Form-logic benchmarks (issue #17): regex() that cannot hang, relevance after an answer on
a large form, and the ODK conformance corpus through FieldScreen. `make bench` includes the
rows; run alone: `python bench/expr_bench.py [--answers N]`. Prints figures, asserts nothing.

* regex: ``(a+)+b`` on 10,000 characters (exponential on a backtracking engine: the security
  finding of issue #17); the slowest patterns we know for RE2 within the caps (``regex.py``),
  each on the longest text they may run on; and the time to refuse the review's slow ones.
* A generated form of 500 items with 300 expressions (100 relevance, 100 calculates, 100
  constraints, half of them regex()): per answer, what the interview screen asks of the
  engine: ``answer()`` (validation, constraint, save), then ``next()`` and ``steps()`` (the
  relevance of every item, for the position "12 of 240"). Goal < 5 ms.
* The conformance corpus (tests/conformance) through FieldScreen alone: every case's answers
  given in order and the results read, forms imported beforehand; goal < 1 s. Importing
  (pyxform + our mapping) is its own row.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SCREENING_DEV", "1")  # the in-memory answer store

from bench.suite import Row, timed  # noqa: E402
from screening.engine.session import InterviewSession  # noqa: E402
from screening.engine.storage import MemoryAnswerStore  # noqa: E402
from screening.expr import SimpleEnv, evaluate, parse  # noqa: E402
from screening.expr.regex import (  # noqa: E402
    MAX_REGEX_SUBJECT,
    MAX_REGEX_WORK,
    PatternError,
    _compiled,
    compile_regex,
)
from screening.instruments.loader import load_instrument_text  # noqa: E402
from screening.instruments.model import ItemType  # noqa: E402

ITEMS, SECTION = 500, 25


# The slowest patterns we know within the caps (issue #17 review, after the fix): RE2's NFA
# mode, a program of ~8,000-27,000 instructions, on the longest text MAX_REGEX_WORK allows.
WITHIN_CAPS = [
    ("(?:é?){999} x4 then .*", "(?:é?){999}" * 4 + ".*", "é"),
    ("(?:[ab]?){999} x4 then .*", "(?:[ab]?){999}" * 4 + ".*", "ab"),
    ("(?:\\d?){999} x4 then .*", r"(?:\d?){999}" * 4 + ".*", "0123456789"),
    ("(?:[^x]?){999} x4", "(?:[^x]?){999}" * 4, "ab"),
    ("(.*\\|a){1000}", "(.*|a){1000}", "a"),
]
# The review's findings, now refused when the form is loaded: the time to say so.
REFUSED = [
    ("a{0,999} x124 (was 19.7 s to compile)", "a{0,999}" * 124),
    ("(?:[ab]?){999} x25 (was 2.4 s on 10,000)", "(?:[ab]?){999}" * 25),
    ("(?:a\\|b\\|){999} x20 (was 1.8 s on 10,000)", "(?:a|b|){999}" * 20),
]


def _text(pattern: str, alphabet: str) -> str:
    """The longest text of ``alphabet`` the work cap lets ``pattern`` run on."""
    size = compile_regex(pattern).programsize * len(alphabet[0].encode())
    length = min(MAX_REGEX_SUBJECT, MAX_REGEX_WORK // size)
    return "".join(random.Random(17).choice(alphabet) for _ in range(length))


def _refuse(pattern: str) -> None:
    _compiled.cache_clear()  # time the translation, not the cache
    try:
        compile_regex(pattern)
    except PatternError:
        return
    raise AssertionError("the pattern should be refused")


def bench_regex(runs: int = 51) -> list[Row]:
    env = SimpleEnv(current_value="a" * 10_000)
    matching = SimpleEnv(current_value="a" * 9_999 + "b")  # read to the end
    finding = parse("regex(., '(a+)+b')")
    rows = [  # "\\|": the rows are a markdown table
        Row("regex (a+)+b on 10,000 characters (no match)",
            timed(lambda: evaluate(finding, env), runs), "no hang (was 8.9 s at 28)"),
        Row("regex (a+)+b on 10,000 characters (a match)",
            timed(lambda: evaluate(finding, matching), runs), "no hang"),
    ]
    expr = parse("regex(${t}, ${p})")
    for label, pattern, alphabet in WITHIN_CAPS:
        text = _text(pattern, alphabet)
        values = SimpleEnv(values={"t": text, "p": pattern})
        rows.append(Row(f"regex {label} on {len(text):,} (slowest in the caps)",
                        timed(lambda v=values: evaluate(expr, v), 5), "< 1 s"))
    for label, pattern in REFUSED:
        rows.append(Row(f"regex {label}: refused", timed(lambda p=pattern: _refuse(p), 5),
                        "< 0.1 s"))
    return rows


def generated_form() -> str:
    """500 items in 20 sections; 300 expressions: a relevance chain through every 5th item,
    a running total on every 5th (a calculate reading the one before), a constraint on every
    10th (an age range) and every 10th (an ID pattern, regex())."""
    lines = [
        "format: fieldscreen-instrument/1", "id: generated_logic", 'version: "1"',
        "title: {en: Generated}", "population: any", "purpose: {en: Benchmark}",
        "provenance: {source_framework: none, citation: none, authored_by: bench, "
        "wording: generated}",
        "validation: {status: draft}", "source_language: en",
        "languages: {en: {name: English, status: source}}",
        "choice_lists:", "  yes_no:", '    - {name: "yes", label: {en: "Yes"}}',
        '    - {name: "no", label: {en: "No"}}', "sections:",
    ]  # fmt: skip
    last_calc = ""
    for n in range(ITEMS):
        if n % SECTION == 0:
            lines += [f"  - name: s{n // SECTION}", f"    title: {{en: Section {n}}}", "    items:"]
        head = f"      - {{name: q{n}, text: {{en: Question {n}}}"
        kind = n % 5
        if kind == 0:  # yes/no in a relevance chain: asked if the last one was not "no"
            rel = f", relevant: \"${{q{n - 5}}} != 'no' or ${{q{n - 1}}} = 'yes'\"" if n else ""
            lines.append(f"{head}, type: yes_no{rel}}}")
        elif kind == 1:  # a running total of the yes answers
            prev = f"coalesce(${{{last_calc}}}, 0) + " if last_calc else ""
            calc = f"{prev}if(${{q{n - 1}}} = 'yes', 1, 0)"
            lines.append(f'{head}, type: calculate, calculation: "{calc}"}}')
            last_calc = f"q{n}"
        elif kind == 2:  # an age, in range every other time
            rule = ', constraint: ". >= 0 and . <= 120"' if n % 10 == 2 else ""
            lines.append(f"{head}, type: integer{rule}}}")
        elif kind == 3:  # an ID by pattern, or a yes/no
            if n % 10 == 3:
                rule = "regex(., '^[A-Z]{2}[0-9]{6}$')"
                lines.append(f'{head}, type: text, constraint: "{rule}"}}')
            else:
                lines.append(f"{head}, type: yes_no}}")
        else:
            rel = ', relevant: "${q2} >= 18"' if n == 4 else ""
            lines.append(f"{head}, type: yes_no{rel}}}")
    lines += ["outcome:", "  rule: any", "  labels:", "    refer_urgent: {en: u}",
              "    refer: {en: r}", "    incomplete: {en: i}", "    no_indicators: {en: n}"]
    return "\n".join(lines) + "\n"


def bench_relevance(answers: int = 200) -> list[Row]:
    loaded = load_instrument_text(generated_form(), "generated.yaml")
    ins = loaded.instrument
    expressions = sum(bool(i.relevant) + bool(i.calculation) + bool(i.constraint)
                      for i in ins.walk())
    session = InterviewSession(ins, loaded.content_hash, MemoryAnswerStore(), "bench",
                               respondent_language="en", officer_language="en")
    rng = random.Random(17)
    per_answer: list[float] = []
    while len(per_answer) < answers:
        step = session.current()
        if step is None:
            break
        kind = step.node.item.type
        value = {ItemType.YES_NO: "no" if rng.random() < 0.1 else "yes",
                 ItemType.INTEGER: rng.randint(18, 60), ItemType.TEXT: "AB123456"}.get(kind)
        start = time.perf_counter()
        if value is not None:
            session.answer(step.key, value)
        session.next()
        steps = session.steps()
        per_answer.append(time.perf_counter() - start)
    items = len(list(ins.walk()))
    return [
        Row(f"answer + next + relevance, {items} items, {expressions} expressions "
            f"({len(steps)} asked)", per_answer, "< 5 ms"),
    ]


def bench_conformance() -> list[Row]:
    try:
        from tests.conformance.corpus import load_corpus
        from tests.conformance.fieldscreen import load_case, run_loaded
    except ImportError as exc:  # the harness is not in this checkout, or broken: say so
        print(f"conformance rows left out: {exc}", file=sys.stderr)
        return []
    cases = load_corpus(strict=False).cases
    start = time.perf_counter()
    loaded = [load_case(case) for case in cases]
    imported = time.perf_counter() - start
    runs = timed(lambda: [run_loaded(one) for one in loaded], 5, warmup=1)
    return [
        Row(f"conformance corpus through FieldScreen, {len(cases)} cases", runs, "< 1 s"),
        Row(f"conformance corpus: import its {len(cases)} forms (pyxform + mapping)",
            [imported], ""),
    ]


def bench_expressions(quick: bool = False) -> list[Row]:
    return bench_regex() + bench_relevance(100 if quick else 200) + bench_conformance()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=200)
    args = parser.parse_args()
    from bench.suite import render

    rows = bench_regex() + bench_relevance(args.answers) + bench_conformance()
    print("\n".join(render(rows)))


if __name__ == "__main__":
    main()
