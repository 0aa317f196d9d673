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


class Store:
    def __init__(self, out: Path, finals_schema: pa.Schema, series_schema: pa.Schema):
        self.out = Path(out)
        self.finals_schema, self.series_schema = finals_schema, series_schema
        self._lock_fd: int | None = None

    @classmethod
    def open(cls, out: str | Path, sweep) -> Store:
        """Open DIR for `sweep`: create it, or check it holds this same sweep; take the lock."""
        out = Path(out)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SweepError(f"--out {out}: cannot create the directory ({exc.strerror})") from None
        store = cls(out, *sweep.schemas())
        store._lock()
        try:
            store._claim(sweep)
            store._clean()
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
        self._lock_fd = fd

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _claim(self, sweep) -> None:
        manifest = self.out / MANIFEST
        if manifest.exists():
            held = json.loads(manifest.read_text())
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

    def completed(self) -> set[str]:
        """Run ids of every committed part."""
        done: set[str] = set()
        for part in self.parts():
            ids = pq.read_table(part, columns=["run_id"]).column("run_id").to_pylist()
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


def read_manifest(out: str | Path) -> dict:
    path = Path(out) / MANIFEST
    if not path.is_file():
        raise SweepError(f"{out}: no sweep results here ({MANIFEST} is missing)")
    return json.loads(path.read_text())


def load_results(out: str | Path, series: bool = False) -> pd.DataFrame:
    """The run table (one row per run), or with `series=True` the per-round table."""
    out = Path(out)
    read_manifest(out)
    where = out / SERIES if series else out
    if not any(where.glob("part-*.parquet")):
        raise SweepError(f"{where}: no finished runs{' with series' if series else ''} yet")
    return pd.read_parquet(where)
