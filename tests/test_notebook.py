"""The researcher's notebook (notebooks/researcher.ipynb) runs end to end on the datasets of
the bundled corpus: `extractor run corpus/` into a temporary folder, then every cell
executed by nbclient on a kernel of this very interpreter."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
NOTEBOOK = NOTEBOOKS / "researcher.ipynb"
CORPUS = REPO / "corpus"


@pytest.fixture(scope="module")
def datasets(bundled_datasets) -> Path:
    # run from the repository root, as the README does: reports.path is then "corpus/…",
    # which the notebook's tracing step finds from notebooks/ as "../corpus/…"
    return bundled_datasets


@pytest.fixture
def this_interpreter_kernel(tmp_path, monkeypatch) -> str:
    """A `python3` kernelspec launching sys.executable, first on JUPYTER_PATH: the kernel runs
    in this environment even if a user-level `python3` kernelspec points elsewhere."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (test)", "language": "python",
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "python3"


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert nb.metadata.kernelspec.name == "python3"


def test_notebook_runs(datasets, this_interpreter_kernel, monkeypatch):
    monkeypatch.setenv("EXTRACTOR_DATASETS", str(datasets))
    monkeypatch.setenv("MPLBACKEND", "Agg")  # as on a headless CI runner: plots must still be inline
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # a last cell, in memory only: which environment the kernel ran in
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print('KERNEL-PREFIX', sys.prefix)"))
    client = nbclient.NotebookClient(nb, kernel_name=this_interpreter_kernel, timeout=120,
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError on the first failing cell

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    stdout = "".join(o.get("text", "") for o in outputs if o.output_type == "stream" and o.name == "stdout")
    assert f"KERNEL-PREFIX {sys.prefix}" in stdout
    assert f"datasets: {datasets.resolve()}" in stdout
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, "the notebook produced no plot"
    # no glyph warnings etc. on stderr: the font fallback is silent
    stderr = "".join(o.get("text", "") for o in outputs if o.output_type == "stream" and o.name == "stderr")
    assert "Glyph" not in stderr and "findfont" not in stderr, stderr[-2000:]
