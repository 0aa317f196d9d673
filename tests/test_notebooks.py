"""Every notebook under notebooks/ runs top to bottom without an error, from any
folder, and is stored with its outputs (`make notebooks`), plots included."""

from __future__ import annotations

import json
import sys

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture
def kernel(tmp_path, monkeypatch) -> str:
    """A kernelspec on this interpreter, so notebooks import the code under test."""
    spec = tmp_path / "kernels" / "highfence-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "highfence test", "language": "python",
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return "highfence-test"


def outputs(nb) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_from_another_folder(path, kernel, tmp_path):
    """The kernel starts in a folder outside the repository (Jupyter starts it in the
    notebook's folder; a reader may have copied the notebook anywhere)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name=kernel, timeout=300, resources={"metadata": {"path": str(elsewhere)}}).execute()
    assert not [o for o in outputs(nb) if o.output_type == "error"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stored_with_its_outputs(path):
    """Readers online see the tables and plots: every code cell ran, at least one plot is
    stored as an image, and no stored output is an error. `make notebooks` regenerates them."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code), f"{path.name}: run `make notebooks`"
    assert any("image/png" in o.get("data", {}) for o in outputs(nb)), f"{path.name}: no stored plot"
    assert not [o for o in outputs(nb) if o.output_type == "error"]
    assert not [o for o in outputs(nb) if o.output_type == "stream" and o.name == "stderr"]


def test_there_is_a_notebook():
    assert any(p.name == "alliance_vs_unilateral.ipynb" for p in NOTEBOOKS)
