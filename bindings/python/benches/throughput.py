"""Throughput of the Python package on the Spark example's synthetic corpus: one text at a time
(``Cleaner.clean``), in parallel batches (``Cleaner.clean_batch``) and as JSONL records
(``CleanStep.clean_jsonl``). Best of three runs; prints MB/s and documents/s.

    python benches/throughput.py [N_RECORDS]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "examples" / "spark"))

import make_corpus  # noqa: E402

from dechrome import Cleaner, CleanStep  # noqa: E402


def best(f, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    records = make_corpus.records(n)
    texts = [r["text"] for r in records if isinstance(r.get("text"), str)]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    mb = sum(len(t.encode()) for t in texts) / 1e6
    cleaner, step = Cleaner(), CleanStep()
    cases = [
        ("clean, one at a time", lambda: [cleaner.clean(t) for t in texts]),
        ("clean_batch", lambda: cleaner.clean_batch(texts)),
        ("CleanStep.clean_jsonl", lambda: list(step.clean_jsonl(lines))),
    ]
    print(f"{len(texts)} texts, {mb:.1f} MB")
    for name, f in cases:
        t = best(f)
        print(f"{name:24} {t:7.3f} s  {mb / t:6.1f} MB/s  {len(texts) / t:8.0f} docs/s")


if __name__ == "__main__":
    main()
