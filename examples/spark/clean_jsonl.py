"""Clean a JSONL corpus with dechrome on Spark.

Each input line is a JSON object; its text field (``--text-key``, default ``text``) is cleaned
and the record written out as one compact JSON line, in input order (``part-00000``,
``part-00001``, ... in the output directory). Records without a string text field pass through
as they are. Blank lines are dropped.

Two ways to run dechrome on the executors:

* ``--via package`` (default): the ``dechrome`` Python package inside ``mapPartitions``; each
  partition is cleaned in batches, in parallel, without the GIL.
* ``--via pipe``: ``RDD.pipe`` through the ``dechrome clean --jsonl`` command line tool (a
  binary shipped to the executors, see README.md).

Run locally::

    spark-submit --master 'local[2]' clean_jsonl.py corpus.jsonl cleaned/
"""

from __future__ import annotations

import argparse
import shlex
import sys


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("input", help="JSONL file, directory or glob (anything textFile reads)")
    p.add_argument("output", help="output directory (must not exist)")
    p.add_argument("--text-key", default="text", help="field to clean (default: text)")
    p.add_argument(
        "--removals-key",
        help="add the removals made to each cleaned record, in this field",
    )
    p.add_argument(
        "--patterns",
        action="append",
        default=[],
        metavar="PATH",
        help="extra pattern file or directory, reachable at the same path on every executor",
    )
    p.add_argument("--no-default-patterns", action="store_true")
    p.add_argument("--disable", action="append", default=[], metavar="NAME")
    p.add_argument("--max-removal", type=float, metavar="SHARE")
    p.add_argument("--partitions", type=int, help="minimum number of input partitions")
    p.add_argument("--via", choices=["package", "pipe"], default="package")
    p.add_argument(
        "--dechrome-bin",
        default="dechrome",
        help="pipe mode: the dechrome binary as the executors see it (default: dechrome on PATH)",
    )
    p.add_argument("--master", help="Spark master when not started by spark-submit")
    return p.parse_args(argv)


def pipe_command(args: argparse.Namespace) -> list[str]:
    """The ``dechrome clean --jsonl`` command line that pipe mode runs on each partition."""
    # Records without a string text field are written as they are, as the package does.
    cmd = [args.dechrome_bin, "clean", "--jsonl", "--quiet", "--field", args.text_key]
    cmd += ["--on-error", "keep"]
    if args.removals_key:
        cmd += ["--annotate", args.removals_key]
    for path in args.patterns:
        cmd += ["--patterns", path]
    if args.no_default_patterns:
        cmd.append("--no-default-patterns")
    for name in args.disable:
        cmd += ["--disable", name]
    if args.max_removal is not None:
        cmd += ["--max-removal", str(args.max_removal)]
    return cmd


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("dechrome-clean-jsonl")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    try:
        sc = spark.sparkContext
        lines = sc.textFile(args.input, minPartitions=args.partitions)
        if args.via == "package":
            from dechrome import CleanStep

            # Built (and checked) here on the driver; pickled without its native part, and
            # rebuilt once per executor process.
            step = CleanStep(
                args.patterns,
                builtin=not args.no_default_patterns,
                disable=args.disable,
                max_removal=args.max_removal,
                text_key=args.text_key,
                removals_key=args.removals_key,
            )
            cleaned = lines.mapPartitions(step.clean_jsonl)
        else:
            cleaned = lines.filter(lambda line: line.strip() != "").pipe(
                shlex.join(pipe_command(args)), checkCode=True
            )
        cleaned.saveAsTextFile(args.output)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
