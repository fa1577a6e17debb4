"""Generated stores for the growth rows of `make bench` (issue #19): 1,000 to 100,000 cases.

``big_store(cases)`` returns the folder of a store with ``cases`` synthetic cases and
``cases * 3 // 2`` interviews, built once per machine under ``.cache/bench/`` (a 100,000-case
store takes minutes to write) and copied nowhere: benches that write to it work on a copy.

What is in it, so that the figures are an agency's laptop's, not an empty file's:

* Forty template interviews run through the real casework service (consent, the engine,
  the finished screening result) with the demo's answers varied at random; every other
  interview replays one template's answers through the store's repositories, one
  ``save_answer`` per answer (current answer, history row, audit entry), then ``finish``.
* Every case has a consent record, a person with a name in one of several scripts (Latin
  with accents, Cyrillic, Arabic, Chinese, Vietnamese, Devanagari), an alias for some, and
  half of the cases a second interview.
* The audit trail is the real hash chain: one entry per answer, as in the field.

Only the generation turns off the per-commit fsync (``synchronous = OFF``) and groups 200
cases per transaction; the store is then checkpointed, closed and reopened like any other,
with the default Argon2id parameters, so unlock is measured as an officer meets it.

Run on its own: ``python -m bench.bigstore 100000`` prints the folder and its size.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSPHRASE = "benchmark passphrase harbour 2026"
GENERATOR_VERSION = 1  # bump when the content changes: cached stores are rebuilt
CACHE = ROOT / ".cache" / "bench"
TEMPLATES = 40
PER_TX = 200

GIVEN = ("Ana", "María", "José", "Zoë", "Jean", "Amira", "Samuel", "Olena", "Анна", "Мария",
         "Олег", "فاطمة", "محمد", "زينب", "李", "王", "小梅", "Nguyễn", "Trần", "सीता", "राम")
FAMILY = ("González", "Moreau", "Okafor", "Haddad", "Kowalski", "Silva", "Иванова", "Петров",
          "Коваленко", "الزهراء", "حسن", "العلي", "小明", "芳", "Thị Lan", "Văn Hùng",
          "शर्मा", "कुमारी")


def _person(rng: random.Random, n: int) -> Any:
    from screening.store import PersonInfo

    name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
    aliases = (rng.choice(GIVEN),) if rng.random() < 0.3 else ()
    return PersonInfo(
        name=name, aliases=aliases, date_of_birth=f"{1960 + n % 45}-0{1 + n % 9}-1{n % 10}",
        gender=rng.choice(("female", "male", None)), nationality=rng.choice(("VN", "UA", "SY",
                                                                              "NG", "CN", "IN")),
        languages=(rng.choice(("ar", "ru", "zh", "vi", "hi", "es")),),
    )


def _vary(answers: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    out = dict(answers)
    for key, value in answers.items():
        if value in ("yes", "no") and rng.random() < 0.35:
            out[key] = "no" if value == "yes" else "yes"
    return out


def _templates(ws: Any, rng: random.Random) -> list[dict[str, Any]]:
    """Real interviews through the casework service; what each stored, to replay."""
    from tests.factories import stored_interview

    demo = json.loads((ROOT / "resources" / "demo" / "answers.json").read_text("utf-8"))
    store = ws.store
    out = []
    for n in range(TEMPLATES):
        lang = rng.choice(("ar", "ru", "zh_Hans", "es", "vi", "fr"))
        try:
            done = stored_interview(ws, "adult_indicators", _vary(demo["answers"], rng),
                                    lang=lang, officer_lang="en", person=_person(rng, n))
        except Exception:  # a variation the instrument refuses: keep the demo's own answers
            done = stored_interview(ws, "adult_indicators", dict(demo["answers"]),
                                    lang=lang, officer_lang="en", person=_person(rng, n))
        interview = store.interviews.get(done["interview_id"])
        out.append({
            "meta": interview.meta,
            "answers": list(store.interviews.load_answers(done["interview_id"]).values()),
            "context": store.context.get(done["interview_id"]),
            "result": interview.result,
        })
    return out


def _replay(store: Any, template: dict[str, Any], case_id: str) -> None:
    interview_id = store.interviews.create(case_id, template["meta"])
    if template["context"] is not None:
        store.context.save(interview_id, template["context"])
    for answer in template["answers"]:
        store.interviews.save_answer(interview_id, answer)
    store.interviews.finish(interview_id, template["result"])


def generate(folder: Path, cases: int, *, seed: int = 19, progress: bool = True) -> None:
    """Write the store (in this process: run it in a child, see ``big_store``)."""
    from screening.store import Store, connection
    from screening.workspace import Workspace

    # SQLCipher's memory security (mlock and wipe of every allocation, process-wide) makes
    # writing millions of rows three times slower and changes nothing in the file; the
    # processes that measure keep it on.
    connection.MEMORY_SECURITY = "PRAGMA cipher_memory_security = OFF"

    rng = random.Random(seed)
    store, _ = Store.create(folder, PASSPHRASE)  # the default KDF: unlock as in the field
    try:
        conn = store._handle.conn  # generation only: no fsync per commit
        conn.execute("PRAGMA synchronous = OFF")
        ws = Workspace(store.data_dir).adopt(store)
        templates = _templates(ws, rng)
        made = len(templates)
        start = time.perf_counter()
        while made < cases:
            with store.atomic("generating benchmark cases"):
                for _ in range(min(PER_TX, cases - made)):
                    case_id = store.cases.create(person=_person(rng, made))
                    for k in range(2 if made % 2 else 1):
                        _replay(store, templates[(made + k) % len(templates)], case_id)
                    made += 1
            if progress and made % 5000 < PER_TX:
                rate = (made - len(templates)) / max(time.perf_counter() - start, 1e-9)
                print(f"  {made:,}/{cases:,} cases ({rate:.0f}/s)", file=sys.stderr, flush=True)
        conn.execute("PRAGMA synchronous = FULL")
    finally:
        store.close()


def big_store(cases: int, *, progress: bool = True) -> Path:
    """The folder of a cached generated store with ``cases`` cases (built if missing)."""
    folder = CACHE / f"store-{cases}-v{GENERATOR_VERSION}"
    done = folder / "COMPLETE"
    if done.exists():
        return folder / "data"
    if _generating(folder):
        raise RuntimeError(f"{folder} is being generated by another process: wait for "
                           "its COMPLETE file")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if progress:
        print(f"generating a {cases:,}-case store in {folder} (once)", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "bench.bigstore", "--generate", str(folder / "data"),
                    str(cases)], cwd=ROOT, check=True,
                   env={**os.environ, "SCREENING_DEV": "1"})
    done.write_text("ok\n", encoding="utf-8")
    return folder / "data"


def cached_store(cases: int) -> Path | None:
    """The data folder if that store is already generated, else None (never generates)."""
    folder = CACHE / f"store-{cases}-v{GENERATOR_VERSION}"
    return folder / "data" if (folder / "COMPLETE").exists() else None


def _generating(folder: Path) -> bool:
    """Whether a live process is writing that store: never delete it under the writer."""
    target = str(folder / "data")
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--generate" in cmd and target.encode() in cmd:
            return True
    return False


def size_on_disk(data_dir: Path) -> int:
    """The store's own files: the database, its WAL and the key file. Not ``backups/``,
    where an upgrade leaves its pre-migration copy."""
    return sum(p.stat().st_size for p in data_dir.iterdir() if p.is_file())


def copy_store(data_dir: Path, dest: Path) -> Path:
    """A private copy to write to (the cached one stays as generated)."""
    shutil.copytree(data_dir, dest, ignore=shutil.ignore_patterns("fieldscreen.lock"))
    return dest


if __name__ == "__main__":
    os.environ.setdefault("SCREENING_DEV", "1")
    if sys.argv[1:2] == ["--generate"]:
        generate(Path(sys.argv[2]), int(sys.argv[3]))
        raise SystemExit(0)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    t0 = time.perf_counter()
    path = big_store(n)
    print(f"{path}: {size_on_disk(path) / 1e6:.0f} MB, {time.perf_counter() - t0:.0f} s")
