"""Files each execution read and wrote, as the agent sees them around a real
ipykernel (`file.accessed`): written files found by the folder scan after
the cell, with size and sha256; files held open while the cell ran; both
feeding `nbprov lineage` where the code's paths are computed and the static
analysis cannot name them.

Run (after `npx tsc -p tsconfig.json`):

    /tmp/venv/bin/python -m pytest test/agent/test_agent_files.py -q
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from conftest import CLI, WRAPPED, Kernel
from test_wrapped_kernel import wait_for


def execute_cell(kernel: Kernel, cell_id: str, code: str) -> dict:
    """An execute_request as JupyterLab sends it, with the cell's id."""
    msg = kernel.kc.session.msg(
        "execute_request",
        {"code": code, "silent": False, "store_history": True,
         "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        metadata={"cellId": cell_id},
    )
    kernel.kc.shell_channel.send(msg)
    while True:
        reply = kernel.kc.get_shell_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
            return reply


def accesses(kernel: Kernel) -> list[dict]:
    return [e for e in kernel.journal() if e["kind"] == "file.accessed"]


WRITE = "name = 'out'\nwith open(f'{name}.csv', 'w') as fh:\n    fh.write('1,2\\n')"
# Held open for 2 s: the agent polls every 250 ms, from when it has seen the
# cell start (later than the kernel, on a loaded machine).
READ = "import time\nfh = open(f'{name}.csv')\ntime.sleep(2)\nrows = fh.read()\nfh.close()"


def test_computed_paths_are_seen_written_and_read_and_link_the_cells(wrapped: Kernel) -> None:
    assert execute_cell(wrapped, "write", WRITE)["content"]["status"] == "ok"
    assert execute_cell(wrapped, "read", READ)["content"]["status"] == "ok"
    assert execute_cell(wrapped, "other", "z = 1")["content"]["status"] == "ok"

    def requested() -> dict[str, str]:
        return {e["cellId"]: e["execution"] for e in wrapped.journal() if e["kind"] == "execution.requested"}

    # The journal is flushed within a second.
    assert wait_for(lambda: len(requested()) == 3, 10), requested()
    ids = requested()
    assert wait_for(
        lambda: any(a["execution"] == ids["read"] and a["path"] == "out.csv" for a in accesses(wrapped)),
        15,
    ), accesses(wrapped)
    by_execution: dict[str, list[dict]] = {}
    for access in accesses(wrapped):
        by_execution.setdefault(access["execution"], []).append(access)
    [written] = [a for a in by_execution[ids["write"]] if a["path"] == "out.csv"]
    assert written["mode"] == "write"
    assert written["size"] == 4
    assert written["sha256"] == hashlib.sha256(b"1,2\n").hexdigest()
    [read] = [a for a in by_execution[ids["read"]] if a["path"] == "out.csv"]
    assert read["mode"] == "read" and read["seen"] == "open"
    assert not [a for a in by_execution.get(ids["other"], []) if a["path"] == "out.csv"]
    # The journal of another notebook is none of the cells' files.
    assert not [a for a in accesses(wrapped) if a["path"].endswith(".provenance.jsonl")]
    # nbprov lineage links the cells through the file no code names literally.
    result = subprocess.run(
        [shutil.which("node"), str(CLI), "lineage", str(wrapped.workdir / wrapped.notebook),
         "--cell", "read", "--json"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert "write" in report["upstream_cells"]
    assert "out.csv" in report["files_read"]


def test_files_over_the_hashing_cap_are_measured_not_hashed(kernel_prefix: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NBPROV_HASH_MAX_MB", "0")
    kernel = Kernel(WRAPPED, tmp_path)
    try:
        assert execute_cell(kernel, "write", WRITE)["content"]["status"] == "ok"
        assert wait_for(lambda: accesses(kernel), 10)
        [written] = [a for a in accesses(kernel) if a["path"] == "out.csv"]
        assert written["size"] == 4 and written["hashSkipped"] == "over-cap"
        assert "sha256" not in written
    finally:
        kernel.close()


def test_watching_files_can_be_switched_off(kernel_prefix: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NBPROV_FILES", "off")
    kernel = Kernel(WRAPPED, tmp_path)
    try:
        assert execute_cell(kernel, "write", WRITE)["content"]["status"] == "ok"
        assert wait_for(lambda: any(e["kind"] == "execution.finished" for e in kernel.journal()))
        assert not wait_for(lambda: accesses(kernel), 2)
    finally:
        kernel.close()
