"""What must not go wrong around the agent: a journal it cannot write, the
session key left on disk, a Jupyter server that dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import WRAPPED, Kernel, gone


def test_an_unwritable_journal_falls_back_and_the_kernel_still_runs(
    kernel_prefix: Path, tmp_path: Path, monkeypatch
) -> None:
    # Where the sidecar journal would go is taken (a read-only folder behaves
    # the same for a non-root user; CI runs as root, so a directory is used).
    (tmp_path / "test.provenance.jsonl").mkdir()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    kernel = Kernel(WRAPPED, tmp_path)
    try:
        reply = kernel.kc.execute_interactive("x = 1", timeout=30)
        assert reply["content"]["status"] == "ok"
        journals = list((tmp_path / "data" / "nbprov" / "journals").glob("*.jsonl"))
        assert len(journals) == 1
        assert "cannot write the journal" in kernel.stderr()
    finally:
        kernel.close()


def test_the_kernels_connection_file_with_the_key_is_removed_once_read(
    wrapped: Kernel,
) -> None:
    connection = Path(wrapped.km.connection_file)
    theirs = connection.parent / f"nbprov-{connection.name}"
    wrapped.kc.execute_interactive("x = 1", timeout=30)
    assert not theirs.exists()


def test_a_dead_server_takes_the_agent_and_the_kernel_with_it(
    kernel_prefix: Path, tmp_path: Path
) -> None:
    # A stand-in for Jupyter Server: starts the wrapped kernel and waits.
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import sys, time
                from jupyter_client import KernelManager
                km = KernelManager(kernel_name=sys.argv[1])
                km.start_kernel(cwd=sys.argv[2])
                kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=60)
                reply = kc.execute_interactive("import os; print(os.getpid())", timeout=30,
                    output_hook=lambda m: print(m["content"].get("text", ""), end="", flush=True)
                        if m["msg_type"] == "stream" else None)
                print(km.provisioner.process.pid, flush=True)
                time.sleep(600)
                """
            ),
            WRAPPED,
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    assert server.stdout is not None
    kernel_pid = int(server.stdout.readline())
    agent_pid = int(server.stdout.readline())
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    assert gone(agent_pid, timeout=15)
    assert gone(kernel_pid, timeout=15)
