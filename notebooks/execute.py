"""Run the notebooks top to bottom and store them with their outputs (`make notebooks`).

    .venv/bin/python notebooks/execute.py [NOTEBOOK ...]     # default: every notebooks/*.ipynb

Each notebook runs in a kernel on this interpreter (so it imports this checkout),
started in the notebook's own folder as Jupyter starts it, with the inline
plotting backend, so the stored file shows its tables and plots to anyone
reading it online. Cell timings are not recorded, so a re-run changes only what
the code changed. Exit code 1 if a cell fails (the file is then left as it was).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

HERE = Path(__file__).resolve().parent
KERNEL = "highfence-notebooks"
# What a reader's Jupyter opens the stored file with.
READER_KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def install_kernel(folder: Path) -> str:
    """A kernelspec on this interpreter under `folder` (put on JUPYTER_PATH); its name."""
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "highfence", "language": "python",
    }))
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(folder), os.environ.get("JUPYTER_PATH")]))
    return KERNEL


def execute(path: Path, cwd: Path, kernel: str, timeout: int = 600) -> nbformat.NotebookNode:
    """The notebook at `path`, executed in a kernel started in `cwd`."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name=kernel, timeout=timeout, record_timing=False,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    nb.metadata["kernelspec"] = dict(READER_KERNELSPEC)
    return nb


def images(nb: nbformat.NotebookNode) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(HERE.glob("*.ipynb"))
    os.environ.pop("MPLBACKEND", None)  # the kernel's inline backend, so plots are stored as images
    with tempfile.TemporaryDirectory() as tmp:
        kernel = install_kernel(Path(tmp))
        for path in paths:
            start = time.perf_counter()
            try:
                nb = execute(path, path.resolve().parent, kernel)
            except CellExecutionError as exc:
                print(f"{path}: a cell failed, not written\n{exc}", file=sys.stderr)
                return 1
            nbformat.write(nb, path)
            print(f"{path}: {images(nb)} plot(s), {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
