"""Clean a Parquet dataset with dechrome on Spark.

``spark.read.parquet`` -> the ``dechrome`` package on each Arrow batch (``mapInArrow``) ->
``write.parquet``: the text column (``--text-key``, default ``text``) is cleaned, every other
column and the schema are kept, nulls stay null.

Run locally::

    spark-submit --master 'local[2]' clean_parquet.py corpus.parquet cleaned/
"""

from __future__ import annotations

import argparse
import sys


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("input", help="Parquet file or directory (anything spark.read.parquet reads)")
    p.add_argument("output", help="output directory (must not exist)")
    p.add_argument("--text-key", default="text", help="column to clean (default: text)")
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
    p.add_argument("--master", help="Spark master when not started by spark-submit")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from pyspark.sql import SparkSession

    from dechrome import CleanStep

    builder = SparkSession.builder.appName("dechrome-clean-parquet")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    try:
        # Built (and checked) on the driver; rebuilt once per executor process.
        step = CleanStep(
            args.patterns,
            builtin=not args.no_default_patterns,
            disable=args.disable,
            max_removal=args.max_removal,
            text_key=args.text_key,
        )
        df = spark.read.parquet(args.input)
        df.mapInArrow(step.map_arrow, df.schema).write.parquet(args.output)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
