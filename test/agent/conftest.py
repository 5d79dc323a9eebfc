"""Fixtures for the agent's integration tests: a real ipykernel, wrapped.

The wrapped kernelspec comes from `kernel_prefix` (test/conftest.py, shared
with test/lineage). Build first: `npx tsc -p tsconfig.json`.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Iterator

import psutil
import pytest
from jupyter_client import BlockingKernelClient, KernelManager

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# CLI and WRAPPED are imported from here by the tests (`from conftest import CLI`).
from nbprov_harness import CLI, WRAPPED  # noqa: E402, F401


class Kernel:
    """A started kernel, its client, and where its journal and log go."""

    def __init__(self, name: str, workdir: Path, notebook: str = "test.ipynb") -> None:
        self.workdir = workdir
        self.notebook = notebook
        self.stderr_path = workdir / f"{name}.stderr.log"
        self._stderr = open(self.stderr_path, "w")
        self.km = KernelManager(kernel_name=name)
        env = dict(os.environ, JPY_SESSION_NAME=f"some/dir/{notebook}")
        self.km.start_kernel(env=env, cwd=str(workdir), stderr=self._stderr)
        self.kc: BlockingKernelClient = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    @property
    def journal_path(self) -> Path:
        return self.workdir / (Path(self.notebook).stem + ".provenance.jsonl")

    def journal(self) -> list[dict]:
        if not self.journal_path.exists():
            return []
        return [json.loads(line) for line in self.journal_path.read_text().splitlines() if line]

    @property
    def process_pid(self) -> int:
        """The process the server started: the agent (or the bare kernel)."""
        return self.km.provisioner.process.pid  # type: ignore[union-attr]

    def kernel_pid(self) -> int:
        reply = self.kc.execute_interactive(
            "import os; print(os.getpid())", timeout=30, output_hook=self._collect
        )
        assert reply["content"]["status"] == "ok"
        return int(self._last_stdout.strip())

    _last_stdout = ""

    def _collect(self, msg: dict) -> None:
        if msg["msg_type"] == "stream":
            self._last_stdout = msg["content"]["text"]

    def shell_reply(self, msg_id: str, timeout: float = 10) -> dict:
        """The shell reply to `msg_id`, passing over replies to other requests.

        jupyter_client's wait_for_ready asks kernel_info again when iopub is
        quiet for 0.2 s; under load the second reply is still on its way when
        the test sends its own request, and would be read as its answer.
        """
        deadline = time.monotonic() + timeout
        while True:
            reply = self.kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    def stderr(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text()

    def close(self) -> None:
        try:
            self.kc.stop_channels()
            if self.km.has_kernel:
                self.km.shutdown_kernel(now=True)
        finally:
            self._stderr.close()


@pytest.fixture
def wrapped(kernel_prefix: Path, tmp_path: Path) -> Iterator[Kernel]:
    kernel = Kernel(WRAPPED, tmp_path)
    yield kernel
    kernel.close()


@pytest.fixture
def bare(tmp_path: Path) -> Iterator[Kernel]:
    work = tmp_path / "bare"
    work.mkdir()
    kernel = Kernel("python3", work)
    yield kernel
    kernel.close()


def gone(pid: int, timeout: float = 10.0) -> bool:
    """Whether `pid` is gone (or a zombie) within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False
