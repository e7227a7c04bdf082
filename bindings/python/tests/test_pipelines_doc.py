"""Runs the examples of docs/pipelines.md: its `sh` blocks in a scratch directory (with the
dechrome binary, zstd and spark-submit on PATH) and its `python` blocks in one namespace."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "pipelines.md"

ARTICLE = (
    "The council voted on Tuesday to rebuild the harbour wall before winter.\n"
    "Advertisement\n"
    "Work starts in March and should end before the autumn tides.\n"
)
CLEAN = (
    "The council voted on Tuesday to rebuild the harbour wall before winter.\n"
    "Work starts in March and should end before the autumn tides.\n"
)


def need(ok: bool, why: str) -> None:
    """Skip when a tool is missing, except under CI, where the tool must be there."""
    if ok:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why} (CI must install it: see .ci/run)")
    pytest.skip(why)


def blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.S | re.M)


def test_the_doc_has_the_examples_this_test_checks():
    assert len(blocks("sh")) == 4
    assert len(blocks("python")) == 3


def test_shell_examples(tmp_path: Path):
    binary = os.environ.get("DECHROME_BIN") or str(ROOT / "target" / "release" / "dechrome")
    need(os.path.exists(binary), "no dechrome binary (cargo build --release, or set DECHROME_BIN)")
    need(shutil.which("zstd") is not None, "zstd is not installed")
    spark_submit = Path(sys.executable).parent / "spark-submit"
    need(spark_submit.exists() and shutil.which("java") is not None, "no pyspark or java")

    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "dechrome").symlink_to(binary)
    work = tmp_path / "work"
    (work / "crawl").mkdir(parents=True)
    (work / "articles" / "world").mkdir(parents=True)
    (work / "examples").symlink_to(ROOT / "examples")
    for name in ("harbour", "council"):
        plain = work / "crawl" / f"{name}.txt"
        plain.write_text(ARTICLE, encoding="utf-8")
        subprocess.run(["zstd", "-q", "--rm", str(plain)], check=True)
    (work / "articles" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (work / "articles" / "world" / "b.txt").write_text(ARTICLE, encoding="utf-8")

    env = dict(
        os.environ,
        PATH=os.pathsep.join([str(bindir), str(Path(sys.executable).parent), os.environ["PATH"]]),
        PYSPARK_PYTHON=sys.executable,
        PYSPARK_DRIVER_PYTHON=sys.executable,
    )
    outputs = []
    for block in blocks("sh"):
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", block],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, f"{block}\n{done.stderr[-3000:]}"
        outputs.append(done.stdout)

    def unzstd(path: Path) -> str:
        return subprocess.run(
            ["zstdcat", str(path)], check=True, capture_output=True, text=True
        ).stdout

    assert unzstd(work / "harbour.clean.txt.zst") == CLEAN
    assert sorted(p.name for p in (work / "clean").iterdir()) == [
        "council.txt.zst",
        "harbour.txt.zst",
    ]
    for p in (work / "clean").iterdir():
        assert unzstd(p) == CLEAN
    assert (work / "cleaned" / "a.txt").read_text(encoding="utf-8") == CLEAN
    assert (work / "cleaned" / "world" / "b.txt").read_text(encoding="utf-8") == CLEAN
    # The Spark block counts its output records.
    assert outputs[3].strip() == "2000"
    first = json.loads((sorted((work / "spark-out").glob("part-*"))[0]).read_text().splitlines()[0])
    assert first["id"] == 0


def test_python_examples(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    for block in blocks("python"):
        exec(compile(block, str(DOC), "exec"), namespace)
    assert namespace["formatter"].name == "dechrome"
