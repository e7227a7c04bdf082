"""dechrome as a step of a corpus-building pipeline.

:class:`CleanStep` is a picklable text-modifying step: call it on a ``str`` to get the cleaned
``str`` (the shape of the text formatters of datatrove-like frameworks), hand it a batch dict for a
``datasets.map(..., batched=True)``-like API, or stream JSON records and JSONL lines through it (what
the Spark example does inside ``mapPartitions``), Arrow record batches (``mapInArrow``) or a whole
Parquet file (with pyarrow). It keeps only its configuration when pickled and
builds its native :class:`~dechrome.Cleaner` once per process, on first use.

:func:`clean_text` is the simplest step of all: the built-in rules, the default removal guard.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from dechrome._dechrome import Cleaner, PatternSet

__all__ = ["CleanStep", "clean_text"]


#: Cleaners built in this process, by step configuration.
_CLEANERS: dict[tuple[Any, ...], Cleaner] = {}


class CleanStep:
    """A picklable cleaning step with its own pattern set and removal guard.

    ``patterns`` adds pattern files or directories to the built-in rules (or replaces them when
    ``builtin`` is false); ``disable`` leaves out rule ids, packs or families; ``max_removal`` is the
    refusal guard of :class:`~dechrome.Cleaner`. For records, ``text_key`` names the field to
    clean, and ``removals_key``, when given, names a field added to each record with a text: the
    removals made (an empty list when none, or when the text was refused), as ``{"rule", "family", "scope", "start", "end"}`` dicts with offsets in
    characters into the original text (the format of ``dechrome clean --jsonl --annotate``).
    ``publisher`` names the publisher of every text (as :class:`~dechrome.Cleaner` takes it);
    ``publisher_key`` names a record field (or Arrow column) holding each text's own publisher,
    such as its URL (what ``dechrome clean --jsonl --publisher-field`` does): a record without a
    string there falls back to ``publisher``, else to the packs' signatures.
    """

    def __init__(
        self,
        patterns: Sequence[str | os.PathLike[str]] = (),
        *,
        builtin: bool = True,
        disable: Sequence[str] = (),
        max_removal: float | None = None,
        text_key: str = "text",
        removals_key: str | None = None,
        batch_size: int = 1024,
        publisher: str | None = None,
        publisher_key: str | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.patterns = [os.fspath(p) for p in patterns]
        self.builtin = builtin
        self.disable = list(disable)
        self.max_removal = max_removal
        self.text_key = text_key
        self.removals_key = removals_key
        self.batch_size = batch_size
        self.publisher = publisher
        self.publisher_key = publisher_key
        self._cleaner: Cleaner | None = None
        # Build now, so that a bad pattern file fails where the step is made, not on a worker.
        self.cleaner

    @property
    def cleaner(self) -> Cleaner:
        """The native cleaner, built on first use in each process (and shared there by the
        steps of the same configuration, so that a task per partition compiles it once)."""
        if self._cleaner is None:
            key = (
                tuple(self.patterns),
                self.builtin,
                tuple(self.disable),
                self.max_removal,
                self.publisher,
            )
            self._cleaner = _CLEANERS.get(key)
        if self._cleaner is None:
            if self.patterns:
                patterns = PatternSet.from_paths(
                    self.patterns, builtin=self.builtin, disable=self.disable
                )
            elif self.builtin:
                patterns = PatternSet.builtin(disable=self.disable)
            else:
                raise ValueError("CleanStep needs pattern files when builtin is false")
            self._cleaner = Cleaner(
                patterns, max_removal=self.max_removal, publisher=self.publisher
            )
            _CLEANERS[key] = self._cleaner
        return self._cleaner

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_cleaner"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __call__(self, text: str) -> str:
        """The cleaned text."""
        return self.cleaner.clean(text)[0]

    def clean_texts(
        self, texts: Sequence[str], publishers: Sequence[str | None] | None = None
    ) -> list[str]:
        """The cleaned texts, in order, cleaned in parallel; ``publishers`` as for
        :meth:`~dechrome.Cleaner.clean_batch`."""
        return [t for t, _ in self.cleaner.clean_batch(texts, publishers=publishers)]

    def _publishers(self, values: Sequence[Any]) -> list[str | None] | None:
        """Each value that is a str, else None; None when no ``publisher_key`` is set."""
        if self.publisher_key is None:
            return None
        return [v if isinstance(v, str) else None for v in values]

    def map_batch(self, batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        """Cleans the ``text_key`` column of a batch given as a dict of lists (in place)."""
        records: list[dict[str, Any]] = [{self.text_key: t} for t in batch[self.text_key]]
        if self.publisher_key is not None and self.publisher_key in batch:
            for r, p in zip(records, batch[self.publisher_key]):
                r[self.publisher_key] = p
        cleaned = list(self.clean_records(records))
        batch[self.text_key] = [r[self.text_key] for r in cleaned]
        if self.removals_key is not None:
            batch[self.removals_key] = [r.get(self.removals_key, []) for r in cleaned]
        return batch

    def map_arrow(self, batches: Iterable[Any]) -> Iterator[Any]:
        """Yields each ``pyarrow.RecordBatch`` with its ``text_key`` column cleaned and every
        other column, the schema and the row order as they were; nulls stay null. This is the
        function for Spark's ``DataFrame.mapInArrow(step.map_arrow, df.schema)``. Needs pyarrow."""
        import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

        for batch in batches:
            i = batch.schema.get_field_index(self.text_key)
            if i < 0:
                raise KeyError(f"no column {self.text_key!r} in {batch.schema.names}")
            column = batch.column(i)
            texts = column.to_pylist()
            todo = [k for k, t in enumerate(texts) if isinstance(t, str)]
            publishers = None
            if self.publisher_key is not None:
                p = batch.schema.get_field_index(self.publisher_key)
                if p < 0:
                    raise KeyError(f"no column {self.publisher_key!r} in {batch.schema.names}")
                names = batch.column(p).to_pylist()
                publishers = self._publishers([names[k] for k in todo])
            cleaned = self.clean_texts([texts[k] for k in todo], publishers)
            for k, text in zip(todo, cleaned):
                texts[k] = text
            arrays = list(batch.columns)
            arrays[i] = pa.array(texts, type=column.type)
            yield pa.RecordBatch.from_arrays(arrays, schema=batch.schema)

    def clean_parquet(self, src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        """Cleans the ``text_key`` column of the Parquet file ``src`` into ``dst``, row group by
        row group: the schema, the row groups and the compression are kept (what
        ``dechrome clean --parquet`` does, in Python). Needs pyarrow."""
        import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
        import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

        source = pq.ParquetFile(src)
        meta = source.metadata
        codec = meta.row_group(0).column(0).compression if meta.num_row_groups else "SNAPPY"
        schema = source.schema_arrow
        with pq.ParquetWriter(dst, schema, compression=codec.lower()) as out:
            for g in range(meta.num_row_groups):
                table = source.read_row_group(g)
                cleaned = pa.Table.from_batches(list(self.map_arrow(table.to_batches())), schema)
                out.write_table(cleaned, row_group_size=max(table.num_rows, 1))

    def clean_records(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Yields each record with its ``text_key`` field cleaned (a shallow copy), in input
        order. Records whose field is missing, not a string, or not valid Unicode (a lone
        surrogate) pass through as they are. Records are cleaned ``batch_size`` at a time, in
        parallel."""
        for out, _ in self._batches(records):
            yield from out

    def clean_jsonl(self, lines: Iterable[str]) -> Iterator[str]:
        """Yields one compact JSON line (no newline) per JSON object line, cleaned; blank lines
        are skipped. Non-ASCII characters are written as they are, except in a record whose text
        holds a lone surrogate, which is written escaped so that the line stays valid UTF-8."""
        records = (_parse(line) for line in lines if line.strip())
        for out, bad in self._batches(records):
            for i, record in enumerate(out):
                yield json.dumps(record, ensure_ascii=i in bad, separators=(",", ":"))

    def _batches(
        self, records: Iterable[dict[str, Any]]
    ) -> Iterator[tuple[list[dict[str, Any]], set[int]]]:
        batch: list[dict[str, Any]] = []
        for record in records:
            batch.append(record)
            if len(batch) >= self.batch_size:
                yield self._clean_batch(batch)
                batch = []
        if batch:
            yield self._clean_batch(batch)

    def _clean_batch(self, batch: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], set[int]]:
        """The cleaned batch, and the indices of records left as they were for bad Unicode."""
        key = self.text_key
        todo = [i for i, r in enumerate(batch) if isinstance(r.get(key), str)]
        bad: set[int] = set()
        pkey = self.publisher_key

        def clean(rows: list[int]) -> list[Any]:
            names = self._publishers([batch[i].get(pkey) for i in rows] if pkey else [])
            return self.cleaner.clean_batch([batch[i][key] for i in rows], publishers=names)

        try:
            results = clean(todo)
        except UnicodeEncodeError:
            bad = {i for i in todo if not _is_unicode(batch[i][key])}
            todo = [i for i in todo if i not in bad]
            results = clean(todo)
        out = list(batch)
        for i, (text, removals) in zip(todo, results):
            record = dict(batch[i])
            record[key] = text
            if self.removals_key is not None:
                record[self.removals_key] = [
                    {
                        "rule": r.rule_id,
                        "family": r.family,
                        "scope": r.scope,
                        "start": r.start,
                        "end": r.end,
                    }
                    for r in removals
                ]
            out[i] = record
        return out, bad


def _is_unicode(text: str) -> bool:
    """Can the text be encoded as UTF-8 (no lone surrogates)?"""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parse(line: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as e:
        raise ValueError(f"invalid JSON record ({e}): {line[:80]!r}") from None
    if not isinstance(record, dict):
        raise ValueError(f"a JSONL record must be an object: {line[:80]!r}")
    return record


_default: Cleaner | None = None


def clean_text(text: str) -> str:
    """Cleans ``text`` with the built-in rules and the default removal guard."""
    global _default
    if _default is None:
        _default = Cleaner()
    return _default.clean(text)[0]
