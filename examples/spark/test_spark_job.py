"""Integration test of the Spark example: the job on Spark in local mode (local[2]) over a few
thousand generated records must give, record for record, what the single-machine run gives."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import make_corpus  # noqa: E402

N_RECORDS = 3000


def need(ok: bool, why: str) -> None:
    """Skip when a tool is missing, except under CI, where the tool must be there."""
    if ok:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why} (CI must install it: see .ci/run)")
    pytest.skip(why)


def spark_submit() -> str:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        need(False, "pyspark is not installed")
    need(shutil.which("java") is not None, "java is not on PATH")
    script = Path(sys.executable).parent / "spark-submit"
    found = str(script) if script.exists() else shutil.which("spark-submit")
    need(found is not None, "spark-submit is not installed")
    return str(found)


def dechrome_bin() -> str | None:
    path = os.environ.get("DECHROME_BIN") or str(ROOT / "target" / "release" / "dechrome")
    return path if os.path.exists(path) else None


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    assert make_corpus.main(["make_corpus.py", str(N_RECORDS), str(path)]) == 0
    return path


def run_job(corpus: Path, out: Path, *extra: str) -> list[str]:
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    cmd = [
        spark_submit(),
        "--master",
        "local[2]",
        "--conf",
        "spark.ui.enabled=false",
        str(HERE / "clean_jsonl.py"),
        str(corpus),
        str(out),
        "--partitions",
        "4",
        "--patterns",
        str(HERE / "extra-patterns.toml"),
        "--removals-key",
        "removed",
        *extra,
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    parts = sorted(out.glob("part-*"))
    assert len(parts) >= 4, "the job ran on several partitions"
    assert (out / "_SUCCESS").exists()
    return [line for p in parts for line in p.read_text(encoding="utf-8").splitlines()]


def single_machine(corpus: Path) -> list[str]:
    from dechrome import CleanStep

    step = CleanStep([HERE / "extra-patterns.toml"], removals_key="removed")
    with corpus.open(encoding="utf-8") as f:
        return list(step.clean_jsonl(f))


def test_spark_job_matches_the_single_machine_run(corpus: Path, tmp_path: Path):
    submit = spark_submit()
    assert submit
    spark_lines = run_job(corpus, tmp_path / "out")
    local_lines = single_machine(corpus)
    assert len(local_lines) == N_RECORDS
    assert len(spark_lines) == N_RECORDS
    for i, (got, want) in enumerate(zip(spark_lines, local_lines)):
        assert got == want, f"record {i} differs"
    records = [json.loads(line) for line in spark_lines]
    assert [r["id"] for r in records] == list(range(N_RECORDS))
    # The run really cleaned: ads, share labels and forum tails are gone where cleaned.
    originals = make_corpus.records(N_RECORDS)
    cleaned = [r for r in records if r.get("removed")]
    assert len(cleaned) > N_RECORDS // 2
    rules = {a["rule"] for r in cleaned for a in r["removed"]}
    assert {"generic.ad.marker", "example.share.label", "independent.comments.forum-tail"} <= rules
    for r in cleaned:
        assert "Pass this story on" not in r["text"]
        original = originals[r["id"]]["text"]
        for a in r["removed"]:
            assert original[a["start"] : a["end"]].strip(), "offsets point at removed text"
    # Records without a text pass through as they are; all-chrome ones are refused (unchanged).
    for r, o in zip(records, originals):
        if not isinstance(o.get("text"), str):
            assert r == o
        elif o["text"] == make_corpus.TAIL:
            assert r == dict(o, removed=[])


def test_spark_pipe_variant_matches_the_package(corpus: Path, tmp_path: Path):
    spark_submit()
    binary = dechrome_bin()
    need(binary is not None, "no dechrome binary (cargo build --release, or set DECHROME_BIN)")
    help_text = subprocess.run([binary, "clean", "--help"], capture_output=True, text=True).stdout
    if "--jsonl" not in help_text:
        pytest.skip("this dechrome build has no `clean --jsonl` yet")
    piped = run_job(corpus, tmp_path / "out", "--via", "pipe", "--dechrome-bin", binary)
    # The same command over the whole file on one machine gives the same lines...
    cli = [binary, "clean", "--jsonl", "--quiet", "--field", "text", "--on-error", "keep"]
    cli += ["--annotate", "removed", "--patterns", str(HERE / "extra-patterns.toml")]
    with corpus.open("rb") as f:
        done = subprocess.run(cli, stdin=f, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    single = done.stdout.decode("utf-8").splitlines()
    assert len(piped) == len(single) == N_RECORDS
    for i, (got, want) in enumerate(zip(piped, single)):
        assert got == want, f"record {i} differs"
    # ...and the same records as the Python package.
    local = single_machine(corpus)
    for i, (got, want) in enumerate(zip(piped, local)):
        assert json.loads(got) == json.loads(want), f"record {i} differs from the package's"
