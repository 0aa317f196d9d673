"""Writing a run's tables to disk: Parquet (or CSV) plus a manifest."""

from __future__ import annotations

import json
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from game.errors import HighfenceError


def package_version() -> str:
    try:
        return version("highfence")
    except PackageNotFoundError:
        return "unknown"


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


# Tables written as plain columns (no index): one row per record, every key a column.
FLAT_TABLES = ("flows", "welfare")


def write_run(model, out: Path, fmt: str = "parquet", scenario_path: str | None = None) -> list[Path]:
    """Round table, per-state table, per-sector table, event log, bilateral flows and the
    welfare decomposition, plus manifest.json."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HighfenceError(f"--out {out}: cannot create the directory ({exc.strerror})") from None
    dc = model.datacollector
    tables = {
        "rounds": dc.get_model_vars_dataframe,
        "states": dc.get_agent_vars_dataframe,
        "sectors": lambda: dc.get_table_dataframe("sectors"),
        "events": lambda: dc.get_table_dataframe("events"),
        "flows": None,  # streamed round by round: a long run's flows never sit in memory at once
        "welfare": dc.welfare_frame,
    }
    paths = []
    for name, build in tables.items():
        path = out / f"{name}.{fmt}"
        tmp = path.with_name(path.name + ".tmp")
        flat = name in FLAT_TABLES
        if build is None:
            _write_stream(dc.iter_flows_frames(), dc.flows_frame, tmp, fmt)
        elif fmt == "parquet":
            build().to_parquet(tmp, index=False if flat else None)
        else:
            build().to_csv(tmp, index=not flat)
        os.replace(tmp, path)
        paths.append(path)
    manifest = {
        "scenario": model.spec.name,
        "scenario_file": scenario_path,
        "scenario_hash": model.spec.digest(),
        "seed": model.seed,
        "rounds": model.steps,
        "variant": model.treatment.variant if model.treatment else None,
        "highfence_version": package_version(),
        "tables": {name: f"{name}.{fmt}" for name in tables},
    }
    atomic_write_text(out / "manifest.json", json.dumps(manifest, indent=2))
    paths.append(out / "manifest.json")
    return paths


def _write_stream(frames, empty, path: Path, fmt: str) -> None:
    """Write a flat table from its parts, one part in memory at a time (`empty()` when none)."""
    first = next(frames, None)
    if first is None:
        df = empty()
        df.to_parquet(path, index=False) if fmt == "parquet" else df.to_csv(path, index=False)
        return
    if fmt == "csv":
        first.to_csv(path, index=False)
        for df in frames:
            df.to_csv(path, mode="a", header=False, index=False)
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(first, preserve_index=False)
    with pq.ParquetWriter(path, table.schema) as writer:
        writer.write_table(table)
        del table, first
        for df in frames:
            writer.write_table(pa.Table.from_pandas(df, schema=writer.schema, preserve_index=False))
