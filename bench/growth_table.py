"""The growth and cold-path tables of `make bench` (issue #19), and the doc sections they fill.

The measuring scripts run as child processes and speak the row contract below; this module
groups their rows by name into one line per measure (1k / 10k / 100k and the 100k:10k ratio)
and writes the paragraph on how cost grows from the figures of the same run.

Row contract (the last stdout line of ``<script> --json [--sizes 1000,10000,...]``)::

    {"rows": [{"name": str, "size": int | None, "samples": [float, ...],
               "unit": "ms" | "s" | "MB", "goal": str, "warm": [float, ...]?, "note": str?}]}

Samples are seconds for "ms"/"s" (the unit is only how a figure is shown) and MiB for "MB".
``size`` is the generated store's case count; ``None`` marks a cold-path row, whose
``samples`` are cold (a fresh process) and ``warm`` the same operation repeated warm.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# (script, takes --sizes): growth.py is this harness's own; the others belong to the areas
# that made the numbers move (case list, export/backup, cold paths).
SCRIPTS = (("growth.py", True), ("caselist_bench.py", True), ("export_bench.py", True),
           ("cold_bench.py", False))


@dataclass
class Line:
    """One measure across sizes (a growth line) or cold vs warm (a cold line)."""

    name: str
    unit: str
    goal: str = ""
    by_size: dict[int, list[float]] = field(default_factory=dict)
    notes: dict[int | None, str] = field(default_factory=dict)
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)

    def median(self, size: int) -> float | None:
        samples = self.by_size.get(size)
        return statistics.median(samples) if samples else None

    def ratio(self, big: int, small: int) -> float | None:
        a, b = self.median(big), self.median(small)
        return a / b if a is not None and b else None


def run_scripts(sizes: list[int], *, cold: bool, growth: bool) -> tuple[
        list[dict[str, Any]], list[str], dict[str, float]]:
    """Every measuring script's rows, one message per script that could not run, and how
    long each script took (seconds)."""
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    took: dict[str, float] = {}
    for script, sized in SCRIPTS:
        if (sized and not growth) or (not sized and not cold):
            continue
        path = ROOT / "bench" / script
        if not path.exists():
            problems.append(f"bench/{script} is not there: its rows are missing")
            continue
        args = [sys.executable, str(path), "--json"]
        if sized and '"--sizes"' in path.read_text(encoding="utf-8"):
            args += ["--sizes", ",".join(map(str, sizes))]
        elif sized:  # caselist_bench's own spelling
            args += ["--cases", *map(str, sizes)]
        print(f"\n== bench/{script} " + " ".join(args[3:]), file=sys.stderr, flush=True)
        start = time.perf_counter()
        done = subprocess.run(args, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False,
                              env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                                   "SCREENING_DEV": "1"})
        took[script] = time.perf_counter() - start
        print(f"== bench/{script}: {took[script]:.0f} s", file=sys.stderr, flush=True)
        try:
            rows += _rows(done.stdout)
        except (IndexError, ValueError, KeyError, TypeError):
            print(f"bench/{script}: no rows in its output:\n{done.stdout[-1500:]}",
                  file=sys.stderr)
            problems.append(f"bench/{script} failed (exit {done.returncode}): its rows are "
                            "missing")
            continue
        if done.returncode != 0:
            problems.append(f"bench/{script} exited {done.returncode} after printing rows")
    return rows, problems, took


def _rows(stdout: str) -> list[dict[str, Any]]:
    """The contract's rows from a script's stdout (its last line, or all of it)."""
    text = stdout.strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = json.loads(text.splitlines()[-1])
    if "rows" in data:
        return list(data["rows"])
    # export_bench's own shape ({"results": [{size, op, seconds, peak_kib}]}), accepted too.
    names = {"json": "export JSON", "csv": "export CSV", "odk": "export ODK",
             "json-encrypted": "export JSON encrypted", "backup": "backup"}
    out = []
    for r in data["results"]:
        name = names.get(r["op"], r["op"])
        out.append({"name": f"{name}: time", "size": r["size"], "samples": [r["seconds"]],
                    "unit": "ms"})
        out.append({"name": f"{name}: peak RSS", "size": r["size"], "unit": "MB",
                    "samples": [r["peak_kib"] / 1024], "goal": "flat"})
    return out


_SIZE_IN_NAME = re.compile(r"\s*\([\d,]+ cases\)$")


def group(rows: list[dict[str, Any]]) -> tuple[list[Line], list[Line]]:
    """Rows into growth lines and cold lines, in the order they first appear."""
    growth: dict[str, Line] = {}
    cold: dict[str, Line] = {}
    for row in rows:
        size = row.get("size", row.get("cases"))
        target = cold if size is None else growth
        name = _SIZE_IN_NAME.sub("", row["name"])  # one line across sizes
        line = target.setdefault(name, Line(name, row.get("unit", "ms")))
        line.goal = line.goal or row.get("goal", "")
        samples = [float(s) for s in row.get("samples", [])]
        if size is None:
            line.cold += samples
            line.warm += [float(s) for s in row.get("warm", [])]
        else:
            line.by_size.setdefault(int(size), []).extend(samples)
        if row.get("note"):
            line.notes[size] = row["note"]
    return list(growth.values()), list(cold.values())


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "MB":
        return f"{value / 1024:.2f} GB" if value >= 10_240 else f"{value:,.0f} MB"
    if value >= 1:
        return f"{value:.1f} s" if value >= 10 else f"{value:.2f} s"
    return f"{value * 1000:.2f} ms" if value < 0.1 else f"{value * 1000:.0f} ms"


def _size_label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else f"{size:,}"


def render_growth(lines: list[Line], sizes: list[int]) -> list[str]:
    header = ["measure", *[_size_label(s) + " cases" for s in sizes], "100k:10k", "goal"]
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for line in lines:
        cells = [line.name]
        for size in sizes:
            text = fmt(line.median(size), line.unit)
            if size in line.notes:
                text += f" ({line.notes[size]})"
            cells.append(text)
        ratio = line.ratio(100_000, 10_000)
        cells += [f"x{ratio:.2f}" if ratio is not None else "—", line.goal]
        out.append("| " + " | ".join(cells) + " |")
    return out


def render_cold(lines: list[Line]) -> list[str]:
    header = ["measure", "cold (fresh process)", "runs", "warm (same process)",
              "cold:warm", "goal"]
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for line in lines:
        cold = statistics.median(line.cold) if line.cold else None
        warm = statistics.median(line.warm) if line.warm else None
        note = f" ({line.notes[None]})" if None in line.notes else ""
        ratio = f"x{cold / warm:.1f}" if cold is not None and warm else "—"
        out.append("| " + " | ".join([line.name, fmt(cold, line.unit) + note,
                                      str(len(line.cold)), fmt(warm, line.unit), ratio,
                                      line.goal]) + " |")
    return out


# Why each measure grows as it does: (name prefix, the shapes the design expects, the
# mechanism). The mechanism is printed only when the measured shape is an expected one; a
# measure that grew when it should not have is named as such instead.
FLAT, SLOWER, LINEAR, FASTER = "flat", "slower than the data", "with the data", "faster"
WHY: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("size on disk", (LINEAR,), "every answer is kept with its history row and its audit "
     "entry, so the file is proportional to the interviews ({per_case})"),
    ("unlock", (FLAT,), "unlock is Argon2id's fixed cost plus an open that decrypts, and "
     "HMAC-checks, only the pages it reads (schema, meta, the audit head, the anchor)"),
    ("full page check", (LINEAR,), "the full check reads and HMAC-checks every page, so it "
     "is proportional to the file ({rate}); it runs after the unlock, in the background, and "
     "writes stop if it finds damage"),
    ("PRAGMA cipher_integrity_check", (LINEAR,), "SQLCipher's own check does the same work, "
     "which is why it no longer runs inside the unlock"),
    ("answer save", (FLAT, SLOWER), "a save writes a few rows through indexes whose depth "
     "grows with the logarithm of the store, plus one fsync"),
    ("store search", (FLAT, SLOWER), "search asks the full-text index for the matching "
     "names and returns at most a page of them"),
    ("store: list every case", (LINEAR,), "listing every case (the CLI's `cases list`) "
     "reads them all"),
    ("store: cases.search", (FLAT, SLOWER), "search asks the full-text index for the "
     "matching names and returns at most a page of them"),
    ("store:", (FLAT, SLOWER), "count, page and position run on indexed columns and return "
     "one window of rows"),
    ("GUI: RSS", (FLAT,), "the case list holds only a few windows of rows, not every case"),
    ("GUI RSS", (FLAT,), "the case list holds only a few windows of rows, not every case"),
    ("GUI: peak RSS", (FLAT,), "the peak is Argon2id's 256 MiB at unlock on top of that"),
    ("GUI", (FLAT, SLOWER), "the case list counts in SQL and fetches only the windows of "
     "rows on screen, sorted on indexed columns"),
    ("core RSS", (FLAT,), "SQLite's page cache is bounded, not sized by the file"),
    ("peak RSS", (FLAT,), "exports and the backup stream case by case (or page by page) "
     "to their file, never building it in memory"),
    ("export", (LINEAR,), "every interview is read and written"),
    ("backup", (LINEAR,), "the backup copies, and so verifies, every page"),
)


def _shape(ratio: float, factor: float) -> str:
    """The growth shape of a ratio between two sizes ``factor`` apart (10 for 10k->100k)."""
    if ratio < 1.6:
        return FLAT
    if ratio < factor / 2:
        return SLOWER
    return LINEAR if ratio < factor * 2 else FASTER  # wide: a shared machine is noisy


def _span(ratios: list[float]) -> str:
    low, high = min(ratios), max(ratios)
    return f"x{low:.2f}" if high - low < 0.005 else f"x{low:.2f}-{high:.2f}"


def _collapse(items: list[tuple[str, float]]) -> str:
    """Measures listed compactly: rows sharing the text before ": " (``GUI page: search,
    sort (x0.9-1.2)``), then single rows sharing the text after it (``peak RSS of export
    JSON, backup (x1.0)``)."""
    heads: dict[str, list[tuple[str, float]]] = {}
    for name, ratio in items:
        head, sep, tail = name.partition(": ")
        heads.setdefault(head if sep else name, []).append((tail, ratio))
    out: list[str] = []
    tails: dict[str, list[tuple[str, str, float]]] = {}
    for head, members in heads.items():
        if len(members) > 1:
            out.append(f"{head}: {', '.join(t for t, _ in members)} "
                       f"({_span([r for _, r in members])})")
        else:
            tail, ratio = members[0]
            full = f"{head}: {tail}" if tail else head
            tails.setdefault(tail or full, []).append((full, head, ratio))
    for tail, singles in tails.items():
        if len(singles) > 1:
            out.append(f"{tail} of {', '.join(h for _, h, _ in singles)} "
                       f"({_span([r for _, _, r in singles])})")
        else:
            out += [f"{full} x{ratio:.2f}" for full, _, ratio in singles]
    return "; ".join(out)


def _extras(lines: list[Line], big: int) -> dict[str, str]:
    extras = {"per_case": "", "rate": ""}
    disk = next((ln.median(big) for ln in lines if ln.name == "size on disk"), None)
    if disk:
        extras["per_case"] = f"about {disk * 1024 / big:.0f} KB a case"
    check = next((ln.median(big) for ln in lines if ln.name.startswith("full page check")),
                 None)
    if disk and check:
        extras["rate"] = f"about {disk / check:,.0f} MB/s here"
    return extras


def explain(lines: list[Line], sizes: list[int]) -> str:
    """One paragraph: which measures stay flat and which grow, and why, from this run."""
    if len(sizes) < 2:
        return ""
    small, big = sizes[-2], sizes[-1]
    factor = big / small
    extras = _extras(lines, big)
    groups: dict[str, list[tuple[str, float]]] = {}
    reasons: dict[str, list[str]] = {}
    surprises: list[str] = []
    for line in lines:
        ratio = line.ratio(big, small)
        if ratio is None:
            continue
        shape = _shape(ratio, factor)
        groups.setdefault(shape, []).append((line.name, ratio))
        expected, why = next(((e, w) for p, e, w in WHY
                              if line.name.startswith(p) or line.name.endswith(p)), ((), ""))
        if why and shape in expected:
            text = why.format(**extras).replace(" ()", "")
            if text not in reasons.setdefault(shape, []):
                reasons[shape].append(text)
        elif why:
            surprises.append(f"{line.name} (expected: {' or '.join(expected)})")
    parts = [f"How cost grows, from {small:,} to {big:,} cases ({factor:.0f} times the data) "
             "in this run."]
    titles = {FLAT: "Flat", SLOWER: "Growing slower than the data",
              LINEAR: "Growing with the data", FASTER: "Growing faster than the data"}
    for shape in (FLAT, SLOWER, LINEAR, FASTER):
        if shape in groups:
            why = "; ".join(reasons.get(shape, []))
            parts.append(f"{titles[shape]}: {_collapse(groups[shape])}" +
                         (f". Why: {why}." if why else "."))
    if surprises:
        parts.append("Not as designed: " + "; ".join(surprises) + ".")
    return " ".join(parts)


def replace_section(text: str, name: str, body: str, title: str) -> str:
    """``text`` with the block between ``<!-- bench:name -->`` markers replaced by ``body``;
    a missing block is appended under ``title``. Everything else in the doc is kept."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        return head + block + rest.split(end, 1)[1]
    return text.rstrip("\n") + f"\n\n{title}\n\n{block}\n"
