"""`nbprov run` executes notebooks headless through the real agent and a real ipykernel.

Build first: `npx tsc -p tsconfig.json`. The wrapped kernelspec comes from
conftest's `kernel_prefix` (a temporary prefix on JUPYTER_PATH).
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from conftest import CLI, WRAPPED, gone
from nbclient import NotebookClient
from nbprov_harness import NODE, env, journal, nbprov

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo"
sys.path.insert(0, str(ROOT / "test" / "oracle"))
import prov_oracle  # noqa: E402 - the oracle lives beside the tests


def notebook(path: Path, *sources: str, kernel: str = WRAPPED) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, path)
    return path


def comparable(nb: nbformat.NotebookNode) -> list[list[dict]]:
    """Each code cell's outputs: their type and text, without volatile bits."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outs = []
        for output in cell.outputs:
            kept = {"output_type": output.output_type}
            if output.output_type == "stream":
                kept |= {"name": output.name, "text": output.text}
            elif output.output_type == "error":
                kept |= {"ename": output.ename, "evalue": output.evalue}
            else:
                kept |= {"data": {k: v for k, v in output.data.items() if k.startswith("text/")}}
            outs.append(kept)
        cells.append(outs)
    return cells


def copy_demo(workdir: Path) -> Path:
    workdir.mkdir()
    shutil.copy(DEMO / "train.ipynb", workdir)
    shutil.copy(DEMO / "measurements.csv", workdir)
    return workdir / "train.ipynb"


def test_demo_runs_through_the_agent_like_nbclient_through_the_bare_kernel(
    kernel_prefix: Path, tmp_path: Path
) -> None:
    path = copy_demo(tmp_path / "run")
    result = nbprov("run", path)
    assert result.returncode == 0, result.stderr
    executed = nbformat.read(path, as_version=4)
    nbformat.validate(executed)

    reference_path = copy_demo(tmp_path / "nbclient")
    reference = nbformat.read(reference_path, as_version=4)
    NotebookClient(
        reference,
        kernel_name="python3",
        timeout=120,
        coalesce_streams=True,
        resources={"metadata": {"path": str(reference_path.parent)}},
    ).execute()
    assert comparable(executed) == comparable(reference)
    assert any(comparable(executed))
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))

    journal_path = tmp_path / "run" / "train.provenance.jsonl"
    assert str(journal_path) in result.stderr
    events = journal(journal_path)
    requested = [e for e in events if e["kind"] == "execution.requested"]
    assert [e["cellId"] for e in requested] == [c.id for c in code]
    finished = [e["status"] for e in events if e["kind"] == "execution.finished"]
    assert finished == ["ok"] * len(code)
    # The runner told the agent the notebook's cell order (markdown too).
    contexts = [e for e in events if e["kind"] == "notebook.context"]
    assert len(contexts) == 1
    assert contexts[0]["cellOrder"] == [c.id for c in executed.cells]
    # And the agent sampled the kernel while the cells ran.
    sampled = {e.get("execution") for e in events if e["kind"] == "resource.sample"}
    assert {e["execution"] for e in requested} <= sampled
    started = [e for e in events if e["kind"] == "session.started"]
    assert len(started) == 1 and started[0]["tap"] == "agent"
    assert events[-1]["kind"] == "session.ended" and events[-1]["reason"] == "shutdown"

    exported = nbprov("export", path)
    assert exported.returncode == 0, exported.stderr
    checked = prov_oracle.check_file(tmp_path / "run" / "train.prov.json")
    assert checked.ok, checked.problems
    runs = [a for a in checked.summary["activities"] if "nbprov:CellExecution" in a["types"]]
    assert [r["status"] for r in runs] == ["ok"] * len(code)


def test_a_failing_cell_stops_the_run_with_status_1_and_the_notebook_is_written(
    kernel_prefix: Path, tmp_path: Path
) -> None:
    path = notebook(
        tmp_path / "fail.ipynb", "print('before')", "raise ValueError('bad shape')", "print('after')"
    )
    out = tmp_path / "out.ipynb"
    result = nbprov("run", path, "--output", out)
    assert result.returncode == 1, result.stderr
    assert "[2/3] error ValueError: bad shape" in result.stderr
    cells = nbformat.read(out, as_version=4).cells
    assert cells[0].outputs[0].text == "before\n"
    assert cells[1].outputs[-1].output_type == "error"
    assert cells[1].outputs[-1].ename == "ValueError"
    assert cells[2].outputs == [] and cells[2].execution_count is None
    # --output leaves the notebook itself as it was.
    assert all(c.outputs == [] for c in nbformat.read(path, as_version=4).cells)
    requested = [e for e in journal(tmp_path / "fail.provenance.jsonl") if e["kind"] == "execution.requested"]
    assert len(requested) == 2


def test_allow_errors_runs_every_cell_and_exits_0(kernel_prefix: Path, tmp_path: Path) -> None:
    path = notebook(tmp_path / "fail.ipynb", "raise ValueError('bad shape')", "print('after')")
    result = nbprov("run", path, "--allow-errors")
    assert result.returncode == 0, result.stderr
    cells = nbformat.read(path, as_version=4).cells
    assert cells[0].outputs[-1].ename == "ValueError"
    assert cells[1].outputs[0].text == "after\n"


def test_input_is_answered_with_an_empty_string_and_said_so(
    kernel_prefix: Path, tmp_path: Path
) -> None:
    path = notebook(tmp_path / "ask.ipynb", "answer = input('name? ')\nprint(repr(answer))")
    result = nbprov("run", path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "answered with an empty string" in result.stderr
    texts = "".join(o.get("text", "") for o in nbformat.read(path, as_version=4).cells[0].outputs)
    assert "''" in texts
    assert "answered with an empty string" in texts


def children_of(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def start_run(*args: str | Path) -> tuple[subprocess.Popen[str], list[psutil.Process]]:
    """Starts `nbprov run` and waits until the agent and kernel are up."""
    proc = subprocess.Popen(
        [NODE, str(CLI), "run", *map(str, args)],
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    family: list[psutil.Process] = []
    while time.monotonic() < deadline:
        family = children_of(proc.pid)
        if any("ipykernel" in " ".join(safe_cmdline(p)) for p in family):
            return proc, family
        time.sleep(0.1)
    proc.kill()
    pytest.fail("the kernel did not start")


def safe_cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return []


def test_timeout_interrupts_the_cell_and_leaves_no_process(
    kernel_prefix: Path, tmp_path: Path
) -> None:
    path = notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(30)", "print('after')")
    began = time.monotonic()
    proc, family = start_run(path, "--timeout", "2")
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 1, stderr
    assert time.monotonic() - began < 15
    assert "[1/2] timeout" in stderr
    assert all(gone(p.pid, timeout=5) for p in family)
    cells = nbformat.read(path, as_version=4).cells
    assert any(o.get("ename") == "KeyboardInterrupt" for o in cells[0].outputs)
    assert cells[1].execution_count is None
    finished = [e for e in journal(tmp_path / "slow.provenance.jsonl") if e["kind"] == "execution.finished"]
    assert [e["status"] for e in finished] == ["interrupted"]


@pytest.mark.parametrize("sig,status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_run_writes_the_partial_notebook_and_leaves_no_process(
    kernel_prefix: Path, tmp_path: Path, sig: signal.Signals, status: int
) -> None:
    path = notebook(
        tmp_path / "long.ipynb", "print('first')", "import time\ntime.sleep(60)", "print('never')"
    )
    proc, family = start_run(path)
    journal_path = tmp_path / "long.provenance.jsonl"
    # The second cell has started once the agent journals its request.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        events = journal(journal_path) if journal_path.exists() else []
        if sum(e["kind"] == "execution.requested" for e in events) >= 2:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the second cell did not start")
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == status, stderr
    assert all(gone(p.pid, timeout=5) for p in family)
    cells = nbformat.read(path, as_version=4).cells
    assert cells[0].outputs[0].text == "first\n"
    assert cells[1].execution_count is not None
    assert cells[2].execution_count is None
    events = journal(tmp_path / "long.provenance.jsonl")
    assert events[-1]["kind"] == "session.ended"


def test_an_unwrapped_kernel_is_wrapped_on_the_fly(kernel_prefix: Path, tmp_path: Path) -> None:
    path = notebook(tmp_path / "bare.ipynb", "import os\nprint(os.getcwd())", kernel="python3")
    result = nbprov("run", path, "--kernel", "python3")
    assert result.returncode == 0, result.stderr
    cells = nbformat.read(path, as_version=4).cells
    assert cells[0].outputs[0].text == f"{tmp_path}\n"
    events = journal(tmp_path / "bare.provenance.jsonl")
    started = [e for e in events if e["kind"] == "session.started"]
    assert [e["tap"] for e in started] == ["agent"]
    assert started[0]["kernel"]["name"] == "python3"
    assert [e["cellId"] for e in events if e["kind"] == "execution.requested"] == [cells[0].id]


def test_cells_without_ids_get_ids_kept_in_the_notebook_and_journal(
    kernel_prefix: Path, tmp_path: Path
) -> None:
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = 4
    nb.cells = [nbformat.v4.new_code_cell("1 + 1")]
    del nb.cells[0]["id"]
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(nb))
    result = nbprov("run", path, "--kernel", WRAPPED)
    assert result.returncode == 0, result.stderr
    executed = nbformat.read(path, as_version=4)
    assert executed.nbformat_minor == 5
    cell_id = executed.cells[0].id
    assert executed.cells[0].outputs[0].data["text/plain"] == "2"
    requested = [e for e in journal(tmp_path / "old.provenance.jsonl") if e["kind"] == "execution.requested"]
    assert [e["cellId"] for e in requested] == [cell_id]


def test_usage_errors_exit_2_and_an_unknown_kernel_exits_3(
    kernel_prefix: Path, tmp_path: Path
) -> None:
    assert nbprov("run").returncode == 2
    path = notebook(tmp_path / "x.ipynb", "1")
    assert nbprov("run", path, "--timeout", "soon").returncode == 2
    unknown = nbprov("run", path, "--kernel", "nosuch")
    assert unknown.returncode == 3
    assert 'No kernel named "nosuch"' in unknown.stderr
    # Nothing ran: the notebook is untouched.
    assert nbformat.read(path, as_version=4).cells[0].execution_count is None


def test_a_kernel_that_dies_exits_3_with_the_notebook_written(
    kernel_prefix: Path, tmp_path: Path
) -> None:
    path = notebook(tmp_path / "die.ipynb", "print('a')", "import os\nos._exit(7)", "print('b')")
    result = nbprov("run", path)
    assert result.returncode == 3, result.stderr
    assert "[2/3] died exit status 7" in result.stderr
    cells = nbformat.read(path, as_version=4).cells
    assert cells[0].outputs[0].text == "a\n"
    assert "the kernel died" in cells[1].outputs[0].text
    assert cells[2].execution_count is None
    events = journal(tmp_path / "die.provenance.jsonl")
    assert events[-1]["kind"] == "session.ended" and events[-1]["reason"] == "died"
