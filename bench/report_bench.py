"""Referral PDF build times: prints medians (not a test; run `python bench/report_bench.py`).

Builds the 3-page sample packet with two scripts (English report, Arabic interview) in one
warm process: render only (in memory), the full build without encryption, and the full
build with AES-256 encryption. The first build of the process (font registration) is shown
separately.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screening.reports import build_referral_pdf  # noqa: E402
from screening.reports.referral_pdf import render_pdf_bytes  # noqa: E402
from tests.reports.samples import make_packet  # noqa: E402

RUNS = 21


def timed(fn) -> list[float]:
    out = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def show(label: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p90 = ms[int(len(ms) * 0.9) - 1]
    print(
        f"{label:<34} median {statistics.median(ms):6.1f} ms   p90 {p90:6.1f} ms"
        f"   min {ms[0]:6.1f} ms   (n={len(ms)})"
    )


def main() -> None:
    packet = make_packet("en", "ar")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "referral.pdf"
        start = time.perf_counter()
        build_referral_pdf(packet, out, password="bench", allow_plaintext=False)
        first = (time.perf_counter() - start) * 1000
        _, pages = render_pdf_bytes(packet)
        print(
            f"sample packet: {pages} pages, scripts: Latin + Arabic, "
            f"{out.stat().st_size / 1024:.0f} KiB encrypted"
        )
        print(f"{'first build in this process':<34} {first:6.1f} ms (includes font loading)")
        for _ in range(3):
            build_referral_pdf(packet, out, password=None, allow_plaintext=True)
        show("render only (in memory)", timed(lambda: render_pdf_bytes(packet)))
        show(
            "build, no encryption",
            timed(lambda: build_referral_pdf(packet, out, password=None, allow_plaintext=True)),
        )
        show(
            "build, AES-256 encrypted",
            timed(lambda: build_referral_pdf(packet, out, password="bench")),
        )
    print("goal: < 150 ms per build")


if __name__ == "__main__":
    main()
