"""What the agent records beyond messages, around a real ipykernel: resource
samples attributed to the cell that ran, host facts, the notebook context a
client sends, and the live stream of journal events on iopub.

Run (from the repository root, after `npx tsc -p tsconfig.json`):

    /tmp/venv/bin/python -m pytest test/agent/test_agent_recording.py -q
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from queue import Empty

import psutil
from conftest import WRAPPED, Kernel
from jupyter_client.session import Session
from test_wrapped_kernel import executions, run, wait_for

BURN = "import time\nt = time.process_time()\nwhile time.process_time() - t < 1.5: pass\nx = bytearray(200_000_000)"


def test_samples_are_attributed_to_the_cell_that_ran_and_total_its_cpu(wrapped: Kernel) -> None:
    reply, _ = run(wrapped, BURN)
    assert reply["content"]["status"] == "ok"
    # The agent flushes on execution.finished; the closing sample precedes it.
    assert wait_for(lambda: any(e["kind"] == "execution.finished" for e in wrapped.journal()))
    journal = wrapped.journal()
    burn = executions(journal)[reply["parent_header"]["msg_id"]]
    execution = burn["execution.requested"][0]["execution"]
    samples = [e for e in journal if e["kind"] == "resource.sample"]
    mine = [s for s in samples if s.get("execution") == execution]
    # Bracketed (a sample at the start closes the idle time, one at the end)
    # and sampled at the busy interval (0.25 s) in between: a 1.5 s cell has
    # several.
    assert len(mine) >= 4, mine
    # The samples' CPU seconds grow by at least the 1.5 s the cell burned.
    before = [s for s in samples if s.get("execution") != execution and s["t"] <= mine[0]["t"]]
    start = before[-1]["cpuSeconds"] if before else mine[0]["cpuSeconds"] - mine[0]["interval"] * mine[0]["cpuPercent"] / 100
    assert mine[-1]["cpuSeconds"] - start >= 1.4
    assert max(s["cpuPercent"] for s in mine) > 50
    # 200 MB allocated and zeroed: RSS shows it by the closing sample.
    assert mine[-1]["rssBytes"] >= 200_000_000
    assert all(s["processCount"] >= 1 and s["threads"] >= 1 for s in mine)
    pid = wrapped.kernel_pid()
    rss = psutil.Process(pid).memory_info().rss
    assert abs(mine[-1]["rssBytes"] - rss) < 50_000_000
    # Host facts, once per session.
    facts = [e for e in journal if e["kind"] == "host.facts"]
    assert len(facts) == 1
    assert facts[0]["logicalCores"] == os.cpu_count()
    assert facts[0]["memoryTotalBytes"] == psutil.virtual_memory().total


def test_export_carries_each_executions_resource_aggregates(wrapped: Kernel, tmp_path: Path) -> None:
    import subprocess
    import sys

    from conftest import CLI

    reply, _ = run(wrapped, BURN)
    msg_id = reply["parent_header"]["msg_id"]
    assert wait_for(lambda: any(e["kind"] == "execution.finished" for e in wrapped.journal()))
    notebook = wrapped.workdir / wrapped.notebook
    notebook.write_text("{}")
    out = tmp_path / "out.prov.json"
    subprocess.run(["node", str(CLI), "export", str(notebook), "-o", str(out)], check=True)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "oracle"))
    from prov.model import ProvDocument

    document = ProvDocument.deserialize(str(out), format="json")
    records = {str(r.identifier): r for r in document.get_records()}
    burned = [
        r
        for r in records.values()
        if any(str(v) == msg_id for _, v in r.attributes)
    ]
    assert len(burned) == 1, "one activity for the cell"
    attributes = {str(k): v for k, v in burned[0].attributes}
    assert float(attributes["nbprov:cpuSeconds"]) >= 1.4
    assert int(attributes["nbprov:peakRssBytes"]) >= 200_000_000
    assert float(attributes["nbprov:wallSeconds"]) >= 1.4
    environments = [r for r in records.values() if "nbprov:Environment" in {str(v) for _, v in r.attributes}]
    assert len(environments) == 1
    env_attributes = {str(k): v for k, v in environments[0].attributes}
    assert int(env_attributes["nbprov:logicalCores"]) == os.cpu_count()


def test_sampling_off_records_no_samples(kernel_prefix: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NBPROV_SAMPLING", "off")
    kernel = Kernel(WRAPPED, tmp_path)
    try:
        reply, _ = run(kernel, "import time; time.sleep(1.2)")
        assert reply["content"]["status"] == "ok"
        assert wait_for(lambda: any(e["kind"] == "execution.finished" for e in kernel.journal()))
        kinds = {e["kind"] for e in kernel.journal()}
        assert "resource.sample" not in kinds and "host.facts" not in kinds
        assert "execution.finished" in kinds
    finally:
        kernel.close()


def test_a_bad_sampling_setting_is_reported_and_the_default_used(kernel_prefix: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NBPROV_SAMPLE_INTERVAL", "fast")
    kernel = Kernel(WRAPPED, tmp_path)
    try:
        reply, _ = run(kernel, "import time; time.sleep(1.2)")
        assert reply["content"]["status"] == "ok"
        assert wait_for(lambda: any(e["kind"] == "resource.sample" for e in kernel.journal()), 5)
        assert "NBPROV_SAMPLE_INTERVAL=fast" in kernel.stderr()
    finally:
        kernel.close()


def test_the_agent_journals_the_notebook_context_a_client_sends(wrapped: Kernel) -> None:
    msg = wrapped.kc.session.msg(
        "nbprov_context_request",
        {"protocol": 1, "notebookPath": "some/dir/test.ipynb", "format": "4.5", "cellOrder": ["a", "b", "c"]},
    )
    wrapped.kc.shell_channel.send(msg)
    reply = wrapped.shell_reply(msg["header"]["msg_id"])
    assert reply["msg_type"] == "nbprov_context_reply"
    assert reply["parent_header"]["msg_id"] == msg["header"]["msg_id"]
    assert reply["content"] == {"protocol": 1, "recorded": True}
    assert wait_for(lambda: any(e["kind"] == "notebook.context" for e in wrapped.journal()), 5)
    context = [e for e in wrapped.journal() if e["kind"] == "notebook.context"]
    assert context[0]["notebookPath"] == "some/dir/test.ipynb"
    assert context[0]["cellOrder"] == ["a", "b", "c"]
    # A malformed one is answered `recorded: false` and journals nothing.
    bad = wrapped.kc.session.msg("nbprov_context_request", {"protocol": 1, "cellOrder": "nope"})
    wrapped.kc.shell_channel.send(bad)
    reply = wrapped.shell_reply(bad["header"]["msg_id"])
    assert reply["content"]["recorded"] is False
    run(wrapped, "pass")
    assert len([e for e in wrapped.journal() if e["kind"] == "notebook.context"]) == 1
    assert "nbprov_context_request" not in wrapped.stderr()


def drain_iopub(kernel: Kernel, seconds: float) -> list[dict]:
    got: list[dict] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            got.append(kernel.kc.get_iopub_msg(timeout=0.1))
        except Empty:
            pass
    return got


def test_journal_events_stream_live_on_iopub_signed_and_parented_by_the_stream(wrapped: Kernel) -> None:
    drain_iopub(wrapped, 0.5)
    msg_id = wrapped.kc.execute("import time\nfor i in range(3):\n    print(i); time.sleep(0.5)")
    messages = drain_iopub(wrapped, 3.0)
    # jupyter_client verified every signature while deserializing (a wrong
    # one raises), with the kernel's key.
    streamed = [m for m in messages if m["msg_type"] == "nbprov_event"]
    assert streamed, [m["msg_type"] for m in messages]
    requests = {msg_id}
    for message in streamed:
        # A parent of the stream's own: no client request's, and of a type
        # Jupyter Server is told not to count as kernel activity.
        assert message["parent_header"]["msg_type"] == "nbprov_event"
        assert message["parent_header"]["msg_id"] not in requests
        assert message["content"]["protocol"] == 1
        assert message["content"]["journalPath"] == str(wrapped.journal_path)
    # Live: events arrive while the cell still runs (before its idle).
    idle_at = next(
        i
        for i, m in enumerate(messages)
        if m["msg_type"] == "status"
        and m["content"]["execution_state"] == "idle"
        and m["parent_header"].get("msg_id") == msg_id
    )
    assert any(m["msg_type"] == "nbprov_event" for m in messages[:idle_at])
    events = [e for m in streamed for e in m["content"]["events"]]
    # The same events as the journal (written within its 1 s flush
    # interval), in the same order.
    streamed_lines = [json.dumps(e, sort_keys=True) for e in events]

    def on_disk() -> list[str]:
        return [json.dumps(e, sort_keys=True) for e in wrapped.journal()]

    assert wait_for(lambda: set(streamed_lines) <= set(on_disk()), 5)
    journal = on_disk()
    positions = [journal.index(json.dumps(e, sort_keys=True)) for e in events]
    assert positions == sorted(positions)
    kinds = [e["kind"] for e in events]
    assert kinds.count("execution.output") == 3
    assert "execution.finished" in kinds and "resource.sample" in kinds
    # Few messages: batched, not one per event.
    assert len(streamed) < len(events)


def test_streaming_off_sends_nothing_extra(kernel_prefix: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NBPROV_STREAM", "off")
    kernel = Kernel(WRAPPED, tmp_path)
    try:
        drain_iopub(kernel, 0.3)
        kernel.kc.execute("import time; time.sleep(0.6)")
        messages = drain_iopub(kernel, 2.0)
        assert messages, "the kernel's own iopub still arrives"
        assert not [m for m in messages if m["msg_type"] == "nbprov_event"]
        assert any(e["kind"] == "resource.sample" for e in kernel.journal())
    finally:
        kernel.close()


def test_a_stream_message_is_signed_with_the_session_key(wrapped: Kernel) -> None:
    # Check the signature ourselves, against a session with the right key
    # and one with a wrong key: jupyter_client must reject the latter.
    wrapped.kc.execute("print(1)")
    deadline = time.monotonic() + 5
    raw = None
    socket = wrapped.kc.iopub_channel.socket
    while time.monotonic() < deadline and raw is None:
        if socket.poll(100):
            frames = socket.recv_multipart()
            if b'"nbprov_event"' in b"".join(frames):
                raw = frames
    assert raw is not None
    session = wrapped.kc.session
    idents, rest = session.feed_identities(raw)
    assert idents == [b"nbprov_event"]
    assert session.deserialize(rest)["msg_type"] == "nbprov_event"
    wrong = Session(key=b"not-the-key", signature_scheme="hmac-sha256")
    try:
        wrong.deserialize(rest)
    except ValueError as error:
        assert "signature" in str(error).lower()
    else:
        raise AssertionError("a wrong key verified")
