"""Integration test of the Parquet path: ``clean_parquet.py`` on Spark in local mode
(``spark.read.parquet`` -> ``mapInArrow`` -> ``write.parquet``) must give, row for row, what the
package gives on one machine and what ``dechrome clean --parquet`` writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_corpus  # noqa: E402
from test_spark_job import dechrome_bin, need, spark_submit  # noqa: E402

N_RECORDS = 2000


def pyarrow_parquet():
    try:
        import pyarrow.parquet as pq
    except ImportError:
        need(False, "pyarrow is not installed")
    return pq


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    pq = pyarrow_parquet()
    import pyarrow as pa

    records = make_corpus.records(N_RECORDS)
    table = pa.table(
        {
            "id": pa.array([r["id"] for r in records], pa.int64()),
            "url": [r["url"] for r in records],
            "text": pa.array([r.get("text") for r in records], pa.string()),
            "lang": [r["lang"] for r in records],
        }
    )
    path = tmp_path_factory.mktemp("corpus") / "corpus.parquet"
    pq.write_table(table, path, row_group_size=500, compression="zstd")
    return path


def test_spark_parquet_job_matches_the_package_and_the_binary(corpus: Path, tmp_path: Path):
    pq = pyarrow_parquet()
    from dechrome import CleanStep

    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    out = tmp_path / "out"
    patterns = str(HERE / "extra-patterns.toml")
    cmd = [spark_submit(), "--master", "local[2]", "--conf", "spark.ui.enabled=false"]
    cmd += [str(HERE / "clean_parquet.py"), str(corpus), str(out), "--patterns", patterns]
    # Run in the test's directory: Spark SQL leaves a spark-warehouse directory where it runs.
    done = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=900, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert (out / "_SUCCESS").exists()
    spark = pq.read_table(out).sort_by("id")
    original = pq.read_table(corpus)
    assert spark.num_rows == N_RECORDS
    for name in ["id", "url", "lang"]:
        assert spark[name].to_pylist() == original[name].to_pylist(), name
    step = CleanStep([patterns])
    texts = original["text"].to_pylist()
    want = [step(t) if isinstance(t, str) else t for t in texts]
    got = spark["text"].to_pylist()
    assert got == want
    assert sum(a != b for a, b in zip(got, texts)) > N_RECORDS // 2, "the job really cleaned"
    # The package's own Parquet path keeps the row groups and writes the same texts.
    local = tmp_path / "local.parquet"
    step.clean_parquet(corpus, local)
    local_file = pq.ParquetFile(local)
    assert local_file.num_row_groups == 4
    assert local_file.metadata.row_group(0).column(0).compression == "ZSTD"
    assert local_file.read()["text"].to_pylist() == want
    # The command line writes the same texts too, other columns and row groups as they were.
    binary = dechrome_bin()
    need(binary is not None, "no dechrome binary (cargo build --release, or set DECHROME_BIN)")
    cli_out = tmp_path / "cli.parquet"
    cli = [binary, "clean", "--quiet", "--no-config", "--patterns", patterns, str(corpus)]
    cli += ["-o", str(cli_out)]
    done = subprocess.run(cli, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    cli_table = pq.read_table(cli_out)
    assert cli_table["text"].to_pylist() == want
    assert cli_table.drop_columns(["text"]).equals(original.drop_columns(["text"]))
    assert pq.ParquetFile(cli_out).num_row_groups == 4
