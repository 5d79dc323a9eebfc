"""The agent asks IPython, after each execution, which global names changed
(`execution.names`), without the user seeing it: no execution count, no
history entry, no iopub traffic of its own reaches a client.

Run (after `npx tsc -p tsconfig.json`):

    /tmp/venv/bin/python -m pytest test/agent/test_names_probe.py -q
"""

from __future__ import annotations

import time
from pathlib import Path

from conftest import WRAPPED, Kernel
from test_agent_recording import drain_iopub
from test_wrapped_kernel import run, wait_for


def names_events(kernel: Kernel) -> list[dict]:
    return [e for e in kernel.journal() if e["kind"] == "execution.names"]


def request_ids(kernel: Kernel) -> list[str]:
    return [e["execution"] for e in kernel.journal() if e["kind"] == "execution.requested"]


def test_each_execution_gets_the_kernels_account_of_its_names(wrapped: Kernel) -> None:
    cells = [
        "x = 1\nimport json",
        "exec('hidden = [1, 2]')",  # invisible to a static analysis
        "hidden.append(3)",  # a change in place keeps the object: nothing
        "del x\nclass Model: pass\nm = Model()",
        "globals()['Ünï'] = 2.5",
    ]
    counts = []
    for code in cells:
        reply, _ = run(wrapped, code)
        assert reply["content"]["status"] == "ok", reply
        counts.append(reply["content"]["execution_count"])
        # Left alone past the agent's quiet time: one answer per cell.
        time.sleep(0.4)
    # The questions are not counted: the user's counts run on without gaps.
    assert counts == [1, 2, 3, 4, 5]
    # The journal is flushed within a second.
    assert wait_for(lambda: len(request_ids(wrapped)) == len(cells), 10)
    ids = request_ids(wrapped)

    def reported() -> set[str]:
        return {e["execution"] for e in names_events(wrapped)}

    assert wait_for(lambda: reported() >= set(ids), 15), (ids, names_events(wrapped))
    events = names_events(wrapped)
    assert sorted(e["execution"] for e in events) == sorted(ids), "one report each"
    by_execution = {e["execution"]: e for e in events}
    first, second, third, fourth, fifth = (by_execution[i] for i in ids)
    assert dict(zip(first["rebound"], first["types"])) == {"x": "int", "json": "module"}
    assert second["rebound"] == ["hidden"] and second["types"] == ["list"]
    assert third["rebound"] == [] and third["deleted"] == []
    assert dict(zip(fourth["rebound"], fourth["types"])) == {"Model": "type", "m": "Model"}
    assert fourth["deleted"] == ["x"]
    assert fifth["rebound"] == ["Ünï"] and fifth["types"] == ["float"]
    # Not in the kernel's history either.
    history = wrapped.kc.history(hist_access_type="tail", n=20, output=False, raw=True)
    reply = wrapped.shell_reply(history)
    sources = [entry[2] for entry in reply["content"]["history"]]
    assert sources[-len(cells) :] == cells, sources
    assert history is not None


def test_a_client_sees_no_iopub_message_of_the_question(wrapped: Kernel) -> None:
    drain_iopub(wrapped, 0.3)
    mine = [wrapped.kc.execute(f"v{i} = {i}") for i in range(3)]
    messages = drain_iopub(wrapped, 2.0)
    assert wait_for(lambda: len(names_events(wrapped)) >= 3, 10)
    parents = {
        m["parent_header"].get("msg_id")
        for m in messages
        if m["msg_type"] == "status"
    }
    # Every busy/idle a client sees answers one of its own requests.
    assert parents <= set(mine), parents - set(mine)
    assert len([m for m in messages if m["msg_type"] == "status"]) == 6


def test_executions_in_quick_succession_share_one_answer(wrapped: Kernel) -> None:
    # Queued back to back (as "Run All" does): the agent waits until the
    # kernel is left alone, then asks once; the answer is credited to each.
    first = wrapped.kc.execute("import time; time.sleep(0.5); a = 1")
    second = wrapped.kc.execute("b = 2")
    assert wait_for(
        lambda: {e["execution"] for e in names_events(wrapped)} >= {first, second}, 10
    )
    by_execution = {e["execution"]: e for e in names_events(wrapped)}
    for execution in (first, second):
        assert {"a", "b"} <= set(by_execution[execution]["rebound"])


def test_confirming_names_can_be_switched_off(kernel_prefix: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NBPROV_CONFIRM_NAMES", "off")
    kernel = Kernel(WRAPPED, tmp_path)
    try:
        reply, _ = run(kernel, "y = 1")
        assert reply["content"]["status"] == "ok"
        assert wait_for(lambda: any(e["kind"] == "execution.finished" for e in kernel.journal()))
        drain_iopub(kernel, 1.5)
        assert names_events(kernel) == []
    finally:
        kernel.close()
