"""Sending to ODK Central (issue #18): throughput against a real local Central, and the
client's own cost per submission. Prints figures; asserts nothing; `make bench` includes the
rows.

Starts the Central of the tests (tests/server/central.py: PostgreSQL and the unmodified
Central backend on 127.0.0.1), makes a project with Central's managed encryption, publishes
adult_indicators (a web user), then, as an officer's laptop (an app user), queues N finished
synthetic interviews (the demo answers with the age and hours varied) and sends the whole
queue with `ServerService.send`, the code path of `fieldscreen send`: per item, read the
interview, build the submission XML, encrypt it, commit the envelope, POST it, record it.
Throughput = N / wall time of that one send; the per-item times are the gaps between
progress callbacks.

Client cost: for the same N interviews, `submission_xml` + `encrypt_submission` (RSA-OAEP
wrap, AES-256-CFB, manifest and signature) in this warm process, and the same with the
interview's answers read from the encrypted store first (`interview_submission`). Goal:
< 10 ms per submission.

Run on its own: `python bench/server_bench.py [--quick]` (N = 200, or 50). Without Node or
PostgreSQL it prints why and gives no rows.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SCREENING_DEV", "1")  # lets the bench seed stores with the cheap KDF

from bench.suite import PASSPHRASE, Row  # noqa: E402
from screening.paths import resource_path  # noqa: E402
from screening.server.instance import interview_submission, submission_xml  # noqa: E402
from screening.server.odk_crypto import encrypt_submission  # noqa: E402
from screening.server.settings import ServerSettings  # noqa: E402
from screening.server.xform import PublishedForm  # noqa: E402
from screening.workspace import Workspace  # noqa: E402
from screening.xlsform.odk_export import Submission  # noqa: E402
from tests.factories import stored_interview  # noqa: E402
from tests.server.central import CentralError, CentralServer, CentralUnavailable  # noqa: E402

FORM = "adult_indicators"
GOAL = "< 10 ms"


def _workspace(folder: Path) -> Workspace:
    os.environ["FIELDSCREEN_KDF_PROFILE"] = "fast"
    try:
        ws = Workspace(folder)
        ws.create(PASSPHRASE)
    finally:
        del os.environ["FIELDSCREEN_KDF_PROFILE"]
    return ws


def _client_cost(ws: Workspace,
                 interview_ids: list[str]) -> tuple[float, list[float], list[float]]:
    """Seconds per submission: the first one of the process (cold), then for each
    interview (XML + encryption) and (store read + XML + encryption)."""
    [stored] = ws.server.forms()
    form = PublishedForm(form_id=stored.form_id, version=stored.version,
                         public_key=stored.public_key, root_name=stored.root_name,
                         xml=stored.xml)
    assert form.public_key, "the published form has no key"
    key = form.public_key
    loaded = ws.catalog.find(FORM)
    interviews = [ws.store.interviews.get(i) for i in interview_ids]
    subs = [interview_submission(ws.store, i) for i in interviews]

    def build(sub: Submission) -> None:
        xml = submission_xml(loaded.instrument, form, sub)
        encrypt_submission(xml, form_id=form.form_id, version=form.version,
                           instance_id=sub.instance_id, public_key_b64=key)

    start = time.perf_counter()
    build(subs[0])  # the first of a process also builds the instrument's plan
    first = time.perf_counter() - start
    bare, full = [], []
    for sub, interview in zip(subs, interviews, strict=True):
        start = time.perf_counter()
        build(sub)
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        build(interview_submission(ws.store, interview))
        full.append(time.perf_counter() - start)
    return first, bare, full


def bench_server(work: Path, quick: bool = False) -> list[Row]:
    try:
        return _bench_server(work, quick)
    except (CentralUnavailable, CentralError) as exc:  # the other rows still get written
        print(f"server benchmark skipped: {exc}", file=sys.stderr)
        return []


def _bench_server(work: Path, quick: bool) -> list[Row]:
    n = 50 if quick else 200
    central = CentralServer()
    demo = json.loads(resource_path("demo", "answers.json").read_text(encoding="utf-8"))
    rng = random.Random(18)
    with central:
        passphrase = "synthetic bench passphrase 2026"
        project = central.create_project("bench", managed_encryption_passphrase=passphrase)
        ws = _workspace(work / "server-bench")
        try:
            ws.server.configure(ServerSettings(url=central.url, project_id=project,
                                               email=central.email, password=central.password))
            ws.server.publish(FORM)
            token = central.create_app_user(project, "bench officer laptop")
            central.assign_app_user(project, FORM, token)
            ws.server.configure(ServerSettings(url=central.url, project_id=project,
                                               app_user_token=token))
            ids = []
            for _ in range(n):
                answers = dict(demo["answers"], age=rng.randint(18, 64),
                               hours_per_day=rng.randint(6, 16))
                done = stored_interview(ws, FORM, answers, lang="en",
                                        scope=("screening", "agency_server"))
                ws.server.queue(done["case_id"])
                ids.append(done["interview_id"])
            stamps: list[float] = []
            start = time.perf_counter()
            results = ws.server.send(progress=lambda *_: stamps.append(time.perf_counter()))
            wall = time.perf_counter() - start
            failed = [r for r in results if r.outcome != "sent"]
            if failed:
                print(f"server benchmark: {len(failed)} of {n} not sent: {failed[0].error}",
                      file=sys.stderr)
            on_server = len(central.submissions(project, FORM))
            per_item = [b - a for a, b in zip([start, *stamps], stamps, strict=False)]
            first, bare, full = _client_cost(ws, ids)
        finally:
            ws.close()
    rate = n / wall
    print(f"server: sent {n - len(failed)} of {n} in {wall:.2f} s = {rate:.1f} submissions/s "
          f"(Central holds {on_server}); client cost per submission: median "
          f"{statistics.median(bare) * 1000:.2f} ms, p95 {_p95(bare) * 1000:.2f} ms "
          f"(goal {GOAL}); with the store read {statistics.median(full) * 1000:.2f} ms; "
          f"the first of a process (cold) {first * 1000:.1f} ms",
          file=sys.stderr)
    return [
        Row(f"send {n} queued encrypted submissions to a local Central, per item "
            f"({rate:.0f} submissions/s)", per_item, ""),
        Row("client cost per submission: submission XML + ODK encryption", bare, GOAL),
        Row("client cost per submission, answers read from the store first", full, GOAL),
    ]


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str]) -> None:
    from bench.suite import render

    with tempfile.TemporaryDirectory(prefix="fieldscreen-bench-") as tmp:
        rows = bench_server(Path(tmp), quick="--quick" in argv)
    print("\n".join(render(rows)))


if __name__ == "__main__":
    main(sys.argv[1:])
