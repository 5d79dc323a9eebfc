"""nbclient runs the demo notebook through the wrapped kernel as through the bare one."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo"
sys.path.insert(0, str(ROOT / "test" / "oracle"))
import prov_oracle  # noqa: E402 - the oracle lives beside the tests


def execute(kernel_name: str, workdir: Path) -> nbformat.NotebookNode:
    workdir.mkdir()
    shutil.copy(DEMO / "train.ipynb", workdir)
    shutil.copy(DEMO / "measurements.csv", workdir)
    nb = nbformat.read(workdir / "train.ipynb", as_version=4)
    client = NotebookClient(
        nb, kernel_name=kernel_name, timeout=120, resources={"metadata": {"path": str(workdir)}}
    )
    client.execute()
    return nb


def outputs(nb: nbformat.NotebookNode) -> list[list[dict]]:
    return [
        [{k: v for k, v in output.items() if k != "execution_count"} for output in cell.outputs]
        for cell in nb.cells
        if cell.cell_type == "code"
    ]


def test_demo_notebook_same_outputs_and_one_recorded_execution_per_cell(
    kernel_prefix: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What Jupyter Server tells a kernel; nbclient does not.
    monkeypatch.setenv("JPY_SESSION_NAME", "train.ipynb")
    bare = execute("python3", tmp_path / "bare")
    wrapped = execute("python3-provenance", tmp_path / "wrapped")
    assert outputs(wrapped) == outputs(bare)
    assert any(outputs(wrapped))

    journal_path = tmp_path / "wrapped" / "train.provenance.jsonl"
    events = [json.loads(line) for line in journal_path.read_text().splitlines()]
    requested = [e for e in events if e["kind"] == "execution.requested"]
    finished = {e["execution"]: e for e in events if e["kind"] == "execution.finished"}
    code_cells = [c for c in wrapped.cells if c.cell_type == "code"]
    # nbclient 0.11 sends no `metadata.cellId`: cells are matched by source.
    assert [e["source"] for e in requested] == [c.source for c in code_cells]
    assert [finished[e["execution"]]["status"] for e in requested] == ["ok"] * len(code_cells)
    assert events[-1] == {**events[-1], "kind": "session.ended", "reason": "shutdown"}


def test_nbprov_export_and_info_read_the_agents_journal(
    kernel_prefix: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JPY_SESSION_NAME", "train.ipynb")
    nb = execute("python3-provenance", tmp_path / "run")
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    notebook = tmp_path / "run" / "train.ipynb"
    cli = [shutil.which("node") or "node", str(ROOT / "lib" / "agent" / "cli.js")]

    exported = subprocess.run([*cli, "export", str(notebook)], capture_output=True, text=True)
    assert exported.returncode == 0, exported.stderr
    prov_json = tmp_path / "run" / "train.prov.json"
    assert str(prov_json) in exported.stdout
    # The outside oracle: the `prov` package loads it with nothing lost.
    checked = prov_oracle.check_file(prov_json)
    assert checked.ok, checked.problems
    runs = [a for a in checked.summary["activities"] if "nbprov:CellExecution" in a["types"]]
    assert [r["status"] for r in runs] == ["ok"] * len(code_cells)

    info = subprocess.run([*cli, "info", str(notebook)], capture_output=True, text=True)
    assert info.returncode == 0, info.stderr
    assert f"executions: {len(code_cells)} ({len(code_cells)} ok)" in info.stdout
    assert "sessions:   1" in info.stdout
    # The agent sampled every cell: CPU seconds and peak memory per cell.
    header = next(line for line in info.stdout.splitlines() if "wall s" in line)
    assert "CPU s" in header and "peak mem" in header
    rows = info.stdout.splitlines()[info.stdout.splitlines().index(header) + 1 :]
    assert rows and all(" MB " in row or " GB " in row for row in rows), info.stdout

    missing = subprocess.run([*cli, "info", str(tmp_path / "none.ipynb")], capture_output=True, text=True)
    assert missing.returncode == 1
    assert "No provenance journal" in missing.stderr
