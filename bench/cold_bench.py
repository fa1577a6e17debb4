"""The cold paths (issue #19): the first start, the first referral PDF, the first interview.

Each cold sample is a new process started for it, so it pays what an officer's first action
of the day pays: the interpreter and imports, font registration, parsing the instruments,
first-use set-up. "Cold" means a fresh process; the files it reads were read before, so they
are in the OS file cache (dropping the whole cache needs root and would disturb everyone
else's measurements on a shared machine). Colder: the bundle started after its own files
were evicted from the OS cache (``posix_fadvise(DONTNEED)`` on every file under
dist/fieldscreen: no root needed, no one else's files touched), as on the first start after a
reboot; the system's shared libraries stay cached. Every bundle run has an empty HOME (no
user font cache, no Qt settings); the first run of the series (the first after `make bundle`
when run right after it) is printed too.

* **bundle start -> unlock window**: ``dist/fieldscreen/fieldscreen --data-dir STORE`` with
  ``FIELDSCREEN_STARTUP_PROBE=1`` (app/main.py): the app prints ``READY <page>`` after the
  first pass of its event loop with the window shown, and quits. Timed from spawning to that
  line (goal < 1 s). The child's CPU time up to that line is printed too: on a shared
  machine it moves less than the wall time.
* **first referral PDF**: a fresh Python process opens the store, then writes the case's
  encrypted packet with ``write_case_packet`` (what ``fieldscreen report`` and the app's
  referral screen call), timed from the store being open (goal < 400 ms). Its PDF-password
  check (the password must not open the store: one Argon2id derivation, like an unlock) is
  timed on its own and shown beside it, as is the second PDF of the same process (warm).
  The bundle's ``fieldscreen report ... --encrypt`` is timed from spawn to exit as well.
* **first interview**: ``fieldscreen interview --answers FILE`` (``run_interview``) the same
  way: a fresh process from the store being open, the second one warm, and the bundle's
  command from spawn to exit.

The store is the demo's (``fieldscreen demo``: a synthetic case with its consent and
referrals, default Argon2id), copied for every process that writes to it.

    python bench/cold_bench.py [--runs 5] [--bundle dist/fieldscreen] [--no-bundle] [--json]

``--json`` prints the row contract of bench/growth_table.py as the last line (seconds).
Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PDF_PASSWORD = "Tr1cky-Pdf-Passw0rd-zebra"  # passes the passphrase rules, <= 32 bytes
CLK_TCK = os.sysconf("SC_CLK_TCK")


# -- children: one cold sample each, in a fresh interpreter ---------------------------------
def _since(spawned: float) -> float:
    return time.monotonic() - spawned  # CLOCK_MONOTONIC: the same clock as the parent's


def child_pdf(spawned: float, spec: dict[str, Any]) -> dict[str, Any]:
    import_start = time.monotonic()
    from screening.reports.service import write_case_packet
    from screening.store import Store
    from screening.workspace import Workspace

    imported = time.monotonic()
    ws = Workspace(Path(spec["data_dir"]))
    ws.open(spec["passphrase"])
    opened = time.monotonic()
    cpu_opened = time.process_time()
    checks: list[float] = []
    check_cpu: list[float] = []
    original = Store.is_store_secret

    def timed_check(self: Store, candidate: str) -> bool:  # the real check, timed
        start, cpu = time.monotonic(), time.process_time()
        try:
            return original(self, candidate)
        finally:
            checks.append(time.monotonic() - start)
            check_cpu.append(time.process_time() - cpu)

    Store.is_store_secret = timed_check  # type: ignore[method-assign]
    out = Path(spec["out"])
    times = []
    for n in range(2):  # the first (cold) and the second (warm) PDF of this process
        start = time.monotonic()
        write_case_packet(ws, spec["case_id"], out.with_name(f"{n}-{out.name}"),
                          lang=spec["lang"], password=PDF_PASSWORD)
        times.append(time.monotonic() - start)
        if n == 0:
            cpu_first = time.process_time() - cpu_opened - check_cpu[0]
    ws.close()
    from screening.reports.fonts import default_fonts

    return {"to_open": opened - spawned, "imports": imported - import_start,
            "open": opened - imported, "first": times[0], "warm": times[1],
            "check_first": checks[0], "check_warm": checks[1], "cpu_first": cpu_first,
            "faces": list(getattr(default_fonts().faces, "loaded", list)())}


def child_interview(spawned: float, spec: dict[str, Any]) -> dict[str, Any]:
    import_start = time.monotonic()
    from screening.casework.answers_file import read_answers_file
    from screening.cli.interview_cmds import run_interview
    from screening.workspace import Workspace

    imported = time.monotonic()
    ws = Workspace(Path(spec["data_dir"]))
    ws.open(spec["passphrase"])
    opened = time.monotonic()
    cpu_opened = time.process_time()
    times = []
    for n in range(2):
        start = time.monotonic()
        given = read_answers_file(Path(spec["answers"]))
        run_interview(ws, "adult_indicators", given, lang="en", officer_lang=None)
        times.append(time.monotonic() - start)
        if n == 0:
            cpu_first = time.process_time() - cpu_opened
    ws.close()
    return {"to_open": opened - spawned, "imports": imported - import_start,
            "open": opened - imported, "first": times[0], "warm": times[1],
            "cpu_first": cpu_first}


def _child(kind: str) -> None:
    spawned = float(os.environ["COLD_BENCH_SPAWNED"])
    spec = json.loads(sys.stdin.readline())
    result = (child_pdf if kind == "pdf" else child_interview)(spawned, spec)
    print(json.dumps(result), flush=True)


# -- the parent ------------------------------------------------------------------------------
def _cpu_of(pid: int) -> float:
    """utime + stime of a running process, in seconds (/proc/PID/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _spawn_child(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    env = {**os.environ, "COLD_BENCH_SPAWNED": repr(time.monotonic())}
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", kind],
                          input=json.dumps(spec) + "\n", capture_output=True, text=True,
                          env=env, cwd=ROOT, check=False, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"cold_bench child {kind} failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _bundle_env(home: Path) -> dict[str, str]:
    return {"HOME": str(home), "TMPDIR": str(home), "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"}


def evict(folder: Path) -> int:
    """Drop ``folder``'s files from the OS page cache (clean pages only; no root needed)."""
    total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                total += path.stat().st_size
            finally:
                os.close(fd)
    return total


def bundle_start(exe: Path, data_dir: Path, home: Path) -> tuple[float, float, str]:
    """(wall s, CPU s, page) from spawning the bundle to its READY line."""
    env = {**_bundle_env(home), "FIELDSCREEN_STARTUP_PROBE": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen([str(exe), "--data-dir", str(data_dir)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, cwd=home)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    wall = time.perf_counter() - start
    try:
        cpu = _cpu_of(proc.pid)
    except (OSError, IndexError, ValueError):
        cpu = float("nan")
    proc.wait(timeout=60)
    if not line.startswith("READY"):
        raise SystemExit(f"the bundle did not report its first window (got {line!r}); "
                         "is it older than FIELDSCREEN_STARTUP_PROBE? run `make bundle`")
    return wall, cpu, line.split()[1]


def bundle_command(exe: Path, home: Path, args: list[str], stdin: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([str(exe), *args], input=stdin, capture_output=True, text=True,
                          env=_bundle_env(home), cwd=home, check=False, timeout=600)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bundle {' '.join(args[:3])} failed: {done.stderr[-1500:]}")
    return wall


def make_demo_store(work: Path) -> dict[str, Any]:
    """A store with the demo's synthetic case (its passphrase is random, printed by demo)."""
    tmp = work / "demo-tmp"
    tmp.mkdir()
    done = subprocess.run([sys.executable, "-m", "screening.cli.main", "demo", "--json"],
                          capture_output=True, text=True, cwd=ROOT, check=True, timeout=600,
                          env={**os.environ, "TMPDIR": str(tmp)})
    demo = json.loads(done.stdout)
    answers = json.loads((ROOT / "resources" / "demo" / "answers.json").read_text("utf-8"))
    answers_file = work / "answers.json"
    answers_file.write_text(json.dumps({
        "consent": {"given": True, "scope": ["screening", "referral"], "language": "en"},
        "person": {"name": "Cold Bench Person (synthetic)", "date_of_birth": "1990-01-02"},
        "answers": answers["answers"]}), encoding="utf-8")
    return {"data_dir": demo["data_dir"], "passphrase": demo["passphrase"],
            "case_id": demo["case_id"], "answers": str(answers_file)}


def _copy(store: dict[str, Any], dest: Path) -> dict[str, Any]:
    shutil.copytree(store["data_dir"], dest / "data")
    return {**store, "data_dir": str(dest / "data")}


def ms(v: float) -> str:
    return f"{v * 1000:6.0f} ms"


def med(values: list[float]) -> float:
    return statistics.median(values)


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    work = Path(tempfile.mkdtemp(prefix="fs-cold-"))
    try:
        store = make_demo_store(work)
        exe = Path(args.bundle).resolve() / "fieldscreen"
        if not args.no_bundle and exe.is_file():
            rows += _bundle_rows(exe, store, work, args.runs)
        elif not args.no_bundle:
            print(f"(no bundle at {exe}: `make bundle` first; its rows are skipped)")
        rows += _pdf_rows(store, work, args.runs)
        rows += _interview_rows(store, work, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def _bundle_rows(exe: Path, store: dict[str, Any], work: Path, runs: int) -> list[dict[str, Any]]:
    data_dir = Path(store["data_dir"])
    first_home = work / "home-first"
    first_home.mkdir()
    first, first_cpu, page = bundle_start(exe, data_dir, first_home)
    walls, cpus, evicted = [], [], []
    for n in range(runs):
        for cold in (False, True):
            home = work / f"home-{n}-{cold}"
            home.mkdir()
            if cold:
                evict(exe.parent)
            wall, cpu, page = bundle_start(exe, data_dir, home)
            if cold:
                evicted.append(wall)
            else:
                walls.append(wall)
                cpus.append(cpu)
    print(f"bundle start -> unlock window ({page}), {runs} fresh processes: median {ms(med(walls))}"
          f" (CPU {ms(med(cpus))}); bundle's files not cached: {ms(med(evicted))}; first run of"
          f" this series {ms(first)} (CPU {ms(first_cpu)})")
    rows = [{"name": "bundle start -> unlock window (dist/fieldscreen)", "size": None,
             "samples": walls, "unit": "ms", "goal": "< 1 s",
             "note": f"CPU {med(cpus) * 1000:.0f} ms"},
            {"name": "bundle start -> unlock window, bundle not in the OS cache", "size": None,
             "samples": evicted, "unit": "ms", "goal": "< 1 s",
             "note": "as after a reboot"}]
    home = work / "home-cli"
    home.mkdir()
    report, interview = [], []
    for n in range(max(1, runs // 2)):
        copy = _copy(store, work / f"bundle-{n}")
        out = home / f"bundle-{n}.pdf"
        report.append(bundle_command(exe, home, [
            "--data-dir", copy["data_dir"], "report", copy["case_id"], "-o", str(out),
            "--encrypt"], f"{copy['passphrase']}\n{PDF_PASSWORD}\n"))
        interview.append(bundle_command(exe, home, [
            "--data-dir", copy["data_dir"], "interview", "--instrument", "adult_indicators",
            "--lang", "en", "--answers", copy["answers"], "--json"], copy["passphrase"] + "\n"))
    print(f"bundle `report --encrypt`, spawn -> exit: median {ms(med(report))} (two Argon2id: "
          f"unlock and the PDF-password check)")
    print(f"bundle `interview`, spawn -> exit: median {ms(med(interview))} (one Argon2id)")
    return [
        *rows,
        {"name": "bundle `fieldscreen report --encrypt`, spawn to exit", "size": None,
         "samples": report, "unit": "ms", "goal": "",
         "note": "unlock and PDF-password check: two Argon2id"},
        {"name": "bundle `fieldscreen interview`, spawn to exit", "size": None,
         "samples": interview, "unit": "ms", "goal": "", "note": "unlock: one Argon2id"}]


def _pdf_rows(store: dict[str, Any], work: Path, runs: int) -> list[dict[str, Any]]:
    results = []
    for n in range(runs):
        copy = _copy(store, work / f"pdf-{n}")
        results.append(_spawn_child("pdf", {**copy, "lang": "en",
                                            "out": str(work / f"pdf-{n}" / "r.pdf")}))
    first = [r["first"] - r["check_first"] for r in results]
    warm = [r["warm"] - r["check_warm"] for r in results]
    checks = [r["check_first"] for r in results]
    total = [r["first"] for r in results]
    print(f"first referral PDF after the store is open, {runs} fresh processes: median "
          f"{ms(med(first))} without the PDF-password check (CPU "
          f"{ms(med([r['cpu_first'] for r in results]))}); warm {ms(med(warm))}")
    to_open = med([r["to_open"] for r in results])
    print(f"  + the PDF-password check (one Argon2id): {ms(med(checks))}; all together "
          f"{ms(med(total))}; process start -> store open {ms(to_open)}"
          f" (imports {ms(med([r['imports'] for r in results]))}, unlock "
          f"{ms(med([r['open'] for r in results]))}); faces registered: {results[0]['faces']}")
    return [
        {"name": "first referral PDF after start, from store open (cold fonts)", "size": None,
         "samples": first, "warm": warm, "unit": "ms", "goal": "< 400 ms",
         "note": f"without the PDF-password check; CPU "
                 f"{med([r['cpu_first'] for r in results]) * 1000:.0f} ms"},
        {"name": "PDF-password check (the password must not open the store)", "size": None,
         "samples": checks, "warm": [r["check_warm"] for r in results], "unit": "ms",
         "goal": "", "note": "one Argon2id, by design"},
        {"name": "first referral PDF, process start to PDF written", "size": None,
         "samples": [r["to_open"] + r["first"] for r in results], "unit": "ms", "goal": "",
         "note": "unlock and PDF-password check included"}]


def _interview_rows(store: dict[str, Any], work: Path, runs: int) -> list[dict[str, Any]]:
    results = []
    for n in range(runs):
        copy = _copy(store, work / f"iv-{n}")
        results.append(_spawn_child("interview", copy))
    first = [r["first"] for r in results]
    warm = [r["warm"] for r in results]
    print(f"first `fieldscreen interview` after the store is open, {runs} fresh processes: "
          f"median {ms(med(first))} (CPU {ms(med([r['cpu_first'] for r in results]))}); "
          f"warm {ms(med(warm))}; process start -> store open "
          f"{ms(med([r['to_open'] for r in results]))}")
    return [
        {"name": "first `fieldscreen interview` of a session, from store open", "size": None,
         "samples": first, "warm": warm, "unit": "ms", "goal": "reasonable (< 400 ms)",
         "note": f"CPU {med([r['cpu_first'] for r in results]) * 1000:.0f} ms"},
        {"name": "first `fieldscreen interview`, process start to stored", "size": None,
         "samples": [r["to_open"] + r["first"] for r in results], "unit": "ms", "goal": "",
         "note": "unlock included"}]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per row")
    parser.add_argument("--bundle", default=str(ROOT / "dist" / "fieldscreen"),
                        help="the one-folder bundle (make bundle)")
    parser.add_argument("--no-bundle", action="store_true", help="skip the bundle rows")
    parser.add_argument("--json", action="store_true", help="the row contract, last line")
    parser.add_argument("--child", choices=("pdf", "interview"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child)
        return 0
    rows = run(args)
    if args.json:
        print(json.dumps({"rows": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
