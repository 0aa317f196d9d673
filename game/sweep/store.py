"""A sweep's output directory: Parquet parts, a manifest, a lock.

    DIR/_manifest.json        spec hash, scenario hash, version, root seed, run ids
    DIR/part-<id>.parquet     one row per finished run (final values)
    DIR/_series/part-<id>.parquet   per-round series of the same runs (optional)

Names starting with `_` or `.` are skipped by Parquet readers, so
`pandas.read_parquet(DIR)` sees only the run table. A part is written to a
hidden temporary file and renamed into place; the finals part is renamed
last, so it is the commit point. The parts are the completed-run index:
resume reads their `run_id` column, so the index can never disagree with the
data. A run is either in exactly one committed part or is run again.

A part that cannot be read whole (truncated, overwritten, not Parquet, another
schema), a finals part whose series part is missing or damaged, or a part
repeating runs another part holds, is moved aside to DIR/_quarantine/ when the
sweep is resumed, and its runs are run again; `load_results` (summarize) names
the damaged file instead of failing inside Arrow.
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from pathlib import Path
from typing import Self

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from game.output import atomic_write_text
from game.sweep.spec import SweepError

MANIFEST = "_manifest.json"
SERIES = "_series"
LOCK = "_lock"
QUARANTINE = "_quarantine"
MANIFEST_KEYS = ("sweep", "spec_hash", "design", "factors", "finals", "n_runs")


class Store:
    def __init__(self, out: Path, finals_schema: pa.Schema, series_schema: pa.Schema, with_series: bool = False):
        self.out = Path(out)
        self.finals_schema, self.series_schema = finals_schema, series_schema
        self.with_series = with_series  # every finals part has its series part
        self._lock_fd: int | None = None
        self._done: dict[str, set[str]] = {}  # part name -> its run ids (the parts checked whole)
        self.quarantined: list[tuple[Path, str]] = []  # (where it went, why)

    @classmethod
    def open(cls, out: str | Path, sweep) -> Store:
        """Open DIR for `sweep`: create it, or check it holds this same sweep; take the lock."""
        out = Path(out)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SweepError(f"--out {out}: cannot create the directory ({exc.strerror})") from None
        store = cls(out, *sweep.schemas(), with_series=bool(sweep.job.series))
        store._lock()
        try:
            store._claim(sweep)
            store._clean()
            store._check_parts()
        except BaseException:
            store.close()
            raise
        return store

    def _lock(self) -> None:
        # flock dies with its process, so a SIGKILLed sweep never leaves a stale lock.
        fd = os.open(self.out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise SweepError(f"{self.out}: another sweep is writing to this directory") from None
        if not _still_there(fd, self.out / LOCK):  # its holder removed it (close) between our open and flock
            os.close(fd)
            return self._lock()
        self._lock_fd = fd

    def close(self) -> None:
        if self._lock_fd is not None:
            (self.out / LOCK).unlink(missing_ok=True)  # still held: no `_lock` is left behind a finished sweep
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _claim(self, sweep) -> None:
        manifest = self.out / MANIFEST
        if manifest.exists():
            held = read_manifest(self.out)
            if held.get("spec_hash") != sweep.spec_hash:
                raise SweepError(
                    f"{self.out} holds results of sweep {held.get('sweep')!r} (spec hash {held.get('spec_hash')}), "
                    f"not of this spec (sweep {sweep.spec.name!r}, spec hash {sweep.spec_hash}); "
                    "use another --out, or delete the directory to start over"
                )
            return
        others = [p.name for p in self.out.iterdir() if p.name != LOCK]
        if others:
            raise SweepError(f"{self.out} is not empty and holds no sweep manifest ({', '.join(sorted(others)[:3])}"
                             f"{', ...' if len(others) > 3 else ''}); choose an empty or new --out")
        atomic_write_text(manifest, json.dumps(sweep.manifest(), indent=1))

    def _clean(self) -> None:
        """Drop what a kill can leave behind: temporary files, series parts without their finals."""
        (self.out / SERIES).mkdir(exist_ok=True)
        for d in (self.out, self.out / SERIES):
            for tmp in d.glob(".*.tmp"):
                tmp.unlink()
        committed = {p.name for p in self.parts()}
        for p in (self.out / SERIES).glob("part-*.parquet"):
            if p.name not in committed:
                p.unlink()

    def parts(self) -> list[Path]:
        return sorted(self.out.glob("part-*.parquet"))

    def _check_parts(self) -> None:
        """Read every committed part whole; quarantine what is damaged or repeated, so
        its runs are run again and every run stays in exactly one part."""
        seen: set[str] = set()
        for part in self.parts():
            try:
                ids = _run_ids(part, self.finals_schema)
                if self.with_series:
                    series = self.out / SERIES / part.name
                    where = f"its series part {SERIES}/{part.name}"
                    if not series.exists():
                        raise _Damaged(f"{where} is missing")
                    try:
                        series_ids = _run_ids(series, self.series_schema)
                    except _Damaged as exc:
                        raise _Damaged(f"{where}: {exc}") from None
                    if set(series_ids) != set(ids):
                        raise _Damaged(f"{where} holds other runs")
                if seen.intersection(ids):
                    raise _Damaged("it repeats runs another part holds")
            except _Damaged as exc:
                self._quarantine(part, str(exc))
                continue
            seen.update(ids)
            self._done[part.name] = set(ids)

    def _quarantine(self, part: Path, why: str) -> None:
        """Move a finals part and its series part aside, to DIR/_quarantine/ (skipped by readers)."""
        dest = self.out / QUARANTINE
        (dest / SERIES).mkdir(parents=True, exist_ok=True)
        stamp = uuid.uuid4().hex[:6]
        moved = dest / f"{part.stem}.{stamp}{part.suffix}"
        os.replace(part, moved)
        series = self.out / SERIES / part.name
        if series.exists():
            os.replace(series, dest / SERIES / moved.name)
        (dest / f"{moved.name}.why").write_text(why + "\n")
        self.quarantined.append((moved, why))

    def completed(self) -> set[str]:
        """Run ids of every committed part (checked whole when the store was opened)."""
        done: set[str] = set()
        for part in self.parts():
            ids = self._done.get(part.name)
            if ids is None:  # committed since: written by this store, so whole
                ids = set(pq.read_table(part, columns=["run_id"]).column("run_id").to_pylist())
            done.update(ids)
        return done

    def write(self, finals: list[dict], series: list[dict]) -> Path:
        """Commit one batch of runs: series first, then the finals part (the commit point)."""
        # Named after the batch's first run, so a directory listing reads in run order.
        name = f"part-{finals[0]['run_id']}-{uuid.uuid4().hex[:8]}.parquet"
        if series:
            _write_atomic(pa.Table.from_pylist(series, schema=self.series_schema), self.out / SERIES / name)
        path = self.out / name
        _write_atomic(pa.Table.from_pylist(finals, schema=self.finals_schema), path)
        return path


def _still_there(fd: int, path: Path) -> bool:
    """Whether `path` is still the file open as `fd`."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False


def _write_atomic(table: pa.Table, path: Path) -> None:
    """Write a part so that it is either whole or absent, even after a power cut:
    data flushed to disk before the rename, the rename flushed with its directory."""
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class _Damaged(Exception):
    """A part that cannot be used (the message says why)."""


def _run_ids(part: Path, schema: pa.Schema | None = None) -> list[str]:
    """Read a part whole; its run ids. _Damaged if it cannot be read or is not a part of this sweep."""
    try:
        table = pq.read_table(part)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _Damaged(f"not a readable Parquet file ({str(exc)[:200]})") from None
    if "run_id" not in table.column_names:
        raise _Damaged("it has no run_id column")
    if schema is not None and table.schema.names != schema.names:
        missing = sorted(set(schema.names) - set(table.schema.names))
        raise _Damaged(f"its columns are not this sweep's (missing: {', '.join(missing) or 'none'})")
    ids = table.column("run_id").to_pylist()
    if not ids or any(i is None for i in ids):
        raise _Damaged("it holds no run, or a run without a run_id")
    return ids


def read_manifest(out: str | Path) -> dict:
    path = Path(out) / MANIFEST
    if not path.is_file():
        raise SweepError(f"{out}: no sweep results here ({MANIFEST} is missing)")
    try:
        held = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SweepError(f"{path}: damaged sweep manifest ({exc}); restore it, or delete {out} to start the "
                         "sweep over") from None
    missing = [k for k in MANIFEST_KEYS if not isinstance(held, dict) or k not in held]
    if missing:
        raise SweepError(f"{path}: damaged sweep manifest (no {', '.join(missing)}); restore it, or delete {out} "
                         "to start the sweep over")
    return held


def load_results(out: str | Path, series: bool = False) -> pd.DataFrame:
    """The run table (one row per run), or with `series=True` the per-round table.
    A damaged part is a SweepError naming the file (re-running the sweep quarantines it)."""
    out = Path(out)
    read_manifest(out)
    where = out / SERIES if series else out
    parts = sorted(where.glob("part-*.parquet"))
    if not parts:
        raise SweepError(f"{where}: no finished runs{' with series' if series else ''} yet")
    for part in parts:
        try:
            _run_ids(part)
        except _Damaged as exc:
            raise SweepError(f"{part}: damaged sweep part: {exc}; run the same `highfence sweep ... --out {out}` "
                             "again to move it to _quarantine/ and recompute its runs") from None
    try:
        return pd.read_parquet(where)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise SweepError(f"{where}: the sweep's parts do not read as one table ({str(exc)[:300]})") from None
