"""A real ipykernel wrapped by the real agent behaves as the bare kernel.

Run (from the repository root, after `npx tsc -p tsconfig.json`):

    /tmp/venv/bin/python -m pytest test/agent -q
"""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from pathlib import Path
from queue import Empty

import psutil
import pytest
import zmq
from conftest import Kernel, gone
from jupyter_client.session import Session

SNIPPETS = [
    "print('hello'); 1 + 1",
    "import sys; print('to stderr', file=sys.stderr)",
    "from IPython.display import display, HTML; display(HTML('<b>x</b>'))",
    "for i in range(3): print(i)",
    "1 / 0",
]


def run(kernel: Kernel, code: str, **kwargs: object) -> tuple[dict, list[dict]]:
    """Executes `code`; the reply and the outputs, as a notebook would keep them."""
    outputs: list[dict] = []

    def hook(msg: dict) -> None:
        kind = msg["msg_type"]
        content = msg["content"]
        if kind == "stream":
            outputs.append({"stream": content["name"], "text": content["text"]})
        elif kind in ("display_data", "execute_result"):
            outputs.append({kind: content["data"]})
        elif kind == "error":
            outputs.append({"error": content["ename"], "evalue": content["evalue"]})

    reply = kernel.kc.execute_interactive(code, timeout=30, output_hook=hook, **kwargs)
    return reply, outputs


def executions(journal: list[dict]) -> dict[str, dict]:
    """Each execution's recorded events by kind, keyed by execution id."""
    out: dict[str, dict] = {}
    for event in journal:
        if "execution" in event:
            out.setdefault(event["execution"], {}).setdefault(event["kind"], []).append(event)
    return out


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_execute_gives_the_bare_kernels_outputs(wrapped: Kernel, bare: Kernel) -> None:
    for code in SNIPPETS:
        w_reply, w_out = run(wrapped, code)
        b_reply, b_out = run(bare, code)
        assert w_reply["content"]["status"] == b_reply["content"]["status"], code
        assert w_out == b_out, code


def test_execution_is_recorded_in_the_sidecar_journal(wrapped: Kernel) -> None:
    reply, _ = run(wrapped, "print('hi')")
    msg_id = reply["parent_header"]["msg_id"]
    assert wait_for(lambda: msg_id in executions(wrapped.journal()))
    journal = wrapped.journal()
    assert journal[0]["kind"] == "journal.created"
    assert journal[0]["notebookPath"] == "some/dir/test.ipynb"
    assert any(e["kind"] == "session.started" and e["tap"] == "agent" for e in journal)
    recorded = executions(journal)[msg_id]
    assert recorded["execution.requested"][0]["source"] == "print('hi')"
    assert recorded["execution.output"][0]["preview"] == "hi\n"
    assert recorded["execution.finished"][0]["status"] == "ok"
    assert oct(wrapped.journal_path.stat().st_mode & 0o777) == "0o600"


def test_input_over_stdin(wrapped: Kernel) -> None:
    prompts: list[str] = []

    def answer(msg: dict) -> None:
        prompts.append(msg["content"]["prompt"])
        wrapped.kc.input("Ada")

    reply, outputs = run(
        wrapped, "name = input('name? '); print('hello', name)", allow_stdin=True, stdin_hook=answer
    )
    assert reply["content"]["status"] == "ok"
    assert prompts == ["name? "]
    assert outputs == [{"stream": "stdout", "text": "hello Ada\n"}]


def test_completion(wrapped: Kernel, bare: Kernel) -> None:
    code = "import collections; collections.Ord"
    w = wrapped.kc.complete(code, reply=True, timeout=30)["content"]
    b = bare.kc.complete(code, reply=True, timeout=30)["content"]
    assert "OrderedDict" in w["matches"]
    assert (w["matches"], w["cursor_start"], w["cursor_end"]) == (
        b["matches"],
        b["cursor_start"],
        b["cursor_end"],
    )


def test_inspection(wrapped: Kernel, bare: Kernel) -> None:
    w = wrapped.kc.inspect("len", reply=True, timeout=30)["content"]
    b = bare.kc.inspect("len", reply=True, timeout=30)["content"]
    assert w["found"] is True
    assert w["data"] == b["data"]


def test_kernel_info_and_heartbeat(wrapped: Kernel, bare: Kernel) -> None:
    w = wrapped.kc.kernel_info(reply=True, timeout=30)["content"]
    b = bare.kc.kernel_info(reply=True, timeout=30)["content"]
    # The banner ends with a random IPython tip.
    w.pop("banner")
    b.pop("banner")
    assert w == b
    assert wrapped.kc.hb_channel.is_beating()
    assert wrapped.km.is_alive()


def test_history(wrapped: Kernel) -> None:
    run(wrapped, "x = 41")
    reply = wrapped.kc.history(hist_access_type="tail", n=5, reply=True, timeout=30)
    assert any("x = 41" in entry[2] for entry in reply["content"]["history"])


def test_comm_round_trip(wrapped: Kernel) -> None:
    reply, _ = run(
        wrapped,
        "from comm import get_comm_manager\n"
        "def _target(comm, open_msg):\n"
        "    @comm.on_msg\n"
        "    def _echo(msg):\n"
        "        comm.send({'echo': msg['content']['data']['value']})\n"
        "get_comm_manager().register_target('nbprov-echo', _target)\n",
    )
    assert reply["content"]["status"] == "ok"
    kc = wrapped.kc
    comm_id = uuid.uuid4().hex
    kc.shell_channel.send(
        kc.session.msg("comm_open", {"comm_id": comm_id, "target_name": "nbprov-echo", "data": {}})
    )
    kc.shell_channel.send(
        kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"value": 42}})
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except Empty:
            continue
        if msg["msg_type"] == "comm_msg" and msg["content"]["comm_id"] == comm_id:
            assert msg["content"]["data"] == {"echo": 42}
            return
    pytest.fail("no comm_msg came back")


def widget_round_trip(kernel: Kernel) -> tuple[str, str]:
    """Displays an ipywidgets slider, moves it from the client side as a
    frontend does (a comm `update`), and reads the value back: the model name
    the kernel opened and the value it then holds."""
    comms: list[dict] = []

    def hook(msg: dict) -> None:
        if msg["msg_type"] == "comm_open":
            comms.append(msg["content"])

    reply = kernel.kc.execute_interactive(
        "import ipywidgets\nslider = ipywidgets.IntSlider(value=1)\ndisplay(slider)",
        timeout=60,
        output_hook=hook,
    )
    assert reply["content"]["status"] == "ok"
    models = [c for c in comms if c["data"]["state"].get("_model_name") == "IntSliderModel"]
    assert len(models) == 1, comms
    comm_id = models[0]["comm_id"]
    kernel.kc.shell_channel.send(
        kernel.kc.session.msg(
            "comm_msg",
            {"comm_id": comm_id, "data": {"method": "update", "state": {"value": 7}, "buffer_paths": []}},
        )
    )
    _, outputs = run(kernel, "print(slider.value)")
    return models[0]["data"]["state"]["_model_name"], outputs[0]["text"]


def test_an_ipywidget_round_trip(wrapped: Kernel, bare: Kernel) -> None:
    assert widget_round_trip(wrapped) == widget_round_trip(bare) == ("IntSliderModel", "7\n")


def test_late_iopub_subscriber_is_welcomed(wrapped: Kernel) -> None:
    """JEP 65: a client that connects later still gets `iopub_welcome`."""
    client = wrapped.km.client()
    client.start_channels(shell=False, stdin=False, hb=False, control=False)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                msg = client.get_iopub_msg(timeout=1)
            except Empty:
                continue
            if msg["msg_type"] == "iopub_welcome":
                assert msg["content"] == {"subscription": ""}
                return
        pytest.fail("no iopub_welcome")
    finally:
        client.stop_channels()


def test_interrupt_stops_a_sleeping_cell_and_the_kernel_lives(wrapped: Kernel) -> None:
    interrupt_sleeping_cell(wrapped)


def test_interrupt_by_message_on_control(kernel_prefix: Path, tmp_path: Path) -> None:
    """`interrupt_mode: message`: the server sends interrupt_request on control."""
    from conftest import WRAPPED

    kernel = Kernel(f"{WRAPPED}-message", tmp_path)
    try:
        assert kernel.km.kernel_spec.interrupt_mode == "message"
        interrupt_sleeping_cell(kernel)
    finally:
        kernel.close()


def interrupt_sleeping_cell(wrapped: Kernel) -> None:
    kc = wrapped.kc
    msg_id = kc.execute("import time; time.sleep(30)")
    # Wait until the cell runs.
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if msg["msg_type"] == "execute_input" and msg["parent_header"]["msg_id"] == msg_id:
            break
    time.sleep(0.3)
    started = time.monotonic()
    wrapped.km.interrupt_kernel()
    reply = wrapped.shell_reply(msg_id)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - started < 5
    assert wrapped.km.is_alive()
    # ipykernel 7 aborts shell requests that reach it before it has processed
    # the "stop aborting" message it queues after an error reply
    # (kernelbase._abort_queues), bare or wrapped: let it.
    time.sleep(0.5)
    after, outputs = run(wrapped, "print('still here')")
    assert after["content"]["status"] == "ok"
    assert outputs == [{"stream": "stdout", "text": "still here\n"}]
    assert wait_for(
        lambda: executions(wrapped.journal())
        .get(msg_id, {})
        .get("execution.finished", [{}])[0]
        .get("status")
        == "interrupted"
    )


def test_restart_starts_a_new_kernel_and_a_new_session(wrapped: Kernel) -> None:
    old_agent = wrapped.process_pid
    old_kernel = wrapped.kernel_pid()
    wrapped.km.restart_kernel()
    wrapped.kc.wait_for_ready(timeout=60)
    assert gone(old_agent) and gone(old_kernel)
    new_kernel = wrapped.kernel_pid()
    assert new_kernel != old_kernel
    def sessions() -> list[tuple[str, str | None]]:
        return [(e["kind"], e.get("reason")) for e in wrapped.journal() if e["kind"].startswith("session.")]

    # The new agent's events reach the disk within one flush interval.
    assert wait_for(lambda: sessions()[-1] == ("session.started", None))
    journal = wrapped.journal()
    kinds = sessions()
    assert ("session.ended", "restart") in kinds
    assert kinds[-1] == ("session.started", None)
    assert sum(1 for k, _ in kinds if k == "session.started") == 2
    assert sum(1 for e in journal if e["kind"] == "journal.created") == 1


def test_shutdown_leaves_no_process(wrapped: Kernel) -> None:
    agent = wrapped.process_pid
    kernel = wrapped.kernel_pid()
    assert psutil.Process(kernel).ppid() == agent
    wrapped.kc.stop_channels()
    wrapped.km.shutdown_kernel()
    assert gone(agent) and gone(kernel)
    ended = [e for e in wrapped.journal() if e["kind"] == "session.ended"]
    assert [e["reason"] for e in ended] == ["shutdown"]


def test_kill_9_of_the_agent_leaves_no_orphan_kernel(wrapped: Kernel) -> None:
    agent = wrapped.process_pid
    kernel = wrapped.kernel_pid()
    wrapped.kc.execute("import time; time.sleep(30)")
    # Past one flush interval (1 s): what was recorded by then is on disk.
    time.sleep(1.5)
    os.kill(agent, signal.SIGKILL)
    assert gone(agent, 5)
    assert gone(kernel, 5), "the kernel outlived its agent"
    requested = [e for e in wrapped.journal() if e["kind"] == "execution.requested"]
    assert requested[-1]["source"] == "import time; time.sleep(30)"


def test_kernel_killed_mid_cell_is_recorded_as_died(wrapped: Kernel) -> None:
    agent = wrapped.process_pid
    kernel = wrapped.kernel_pid()
    msg_id = wrapped.kc.execute("import time; time.sleep(30)")
    time.sleep(0.5)
    os.kill(kernel, signal.SIGKILL)
    process = wrapped.km.provisioner.process  # type: ignore[union-attr]
    status = process.wait(timeout=10)
    assert status == 128 + signal.SIGKILL
    assert gone(agent)
    recorded = executions(wrapped.journal())[msg_id]
    assert recorded["execution.finished"][0]["status"] == "died"
    ended = [e for e in wrapped.journal() if e["kind"] == "session.ended"]
    assert ended[-1]["reason"] == "died"


def test_wrongly_signed_and_malformed_frames_are_dropped_and_counted(wrapped: Kernel) -> None:
    info = wrapped.km.get_connection_info()
    context = zmq.Context.instance()
    sock = context.socket(zmq.DEALER)
    sock.linger = 1000
    sock.connect(f"tcp://{info['ip']}:{info['shell_port']}")
    try:
        wrong = Session(key=b"not-the-key", signature_scheme="hmac-sha256")
        msg = wrong.msg("execute_request", {"code": "print('forged')", "silent": False})
        wrong.send(sock, msg)
        sock.send_multipart([b"<IDS|MSG>", b"sig", b"{not json", b"{}", b"{}", b"{}"])
        sock.send_multipart([b"garbage without a delimiter"])
        assert wait_for(lambda: "(bad-signature)" in wrapped.stderr())
        assert wait_for(lambda: "(no-delimiter)" in wrapped.stderr())
    finally:
        sock.close()
    reply, outputs = run(wrapped, "print('fine')")
    assert reply["content"]["status"] == "ok"
    assert wrapped.km.is_alive()
    sources = [e.get("source") for e in wrapped.journal() if e["kind"] == "execution.requested"]
    assert "print('forged')" not in sources


def test_kill_9_of_the_agent_takes_any_kernel_with_it(kernel_prefix: Path, tmp_path: Path) -> None:
    """Not only ipykernel (which polls its parent): any program the agent starts."""
    import json
    import shutil
    import subprocess

    from conftest import CLI
    from jupyter_client.connect import write_connection_file

    connection_file, _ = write_connection_file(str(tmp_path / "kernel-any.json"))
    agent = subprocess.Popen(
        [shutil.which("node"), str(CLI), "agent", "--connection-file", connection_file,
         "--", "sleep", "300"],
        cwd=tmp_path,
        env=dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data")),
        start_new_session=True,
    )
    try:
        assert wait_for(lambda: len(psutil.Process(agent.pid).children()) == 1)
        child = psutil.Process(agent.pid).children()[0]
        assert wait_for(lambda: child.name() == "sleep")
        os.kill(agent.pid, signal.SIGKILL)
        agent.wait(timeout=5)
        assert gone(child.pid, 5), "the program outlived its agent"
    finally:
        if agent.poll() is None:
            agent.kill()
    # Without JPY_SESSION_NAME the journal goes to the data directory.
    journal = tmp_path / "data" / "nbprov" / "journals" / "any.jsonl"
    assert json.loads(journal.read_text().splitlines()[0])["kind"] == "journal.created"


def test_sigterm_to_the_agent_ends_the_kernel_and_the_session(wrapped: Kernel) -> None:
    agent = wrapped.process_pid
    kernel = wrapped.kernel_pid()
    msg_id = wrapped.kc.execute("import time; time.sleep(30)")
    time.sleep(0.3)
    os.kill(agent, signal.SIGTERM)
    assert gone(kernel, 5) and gone(agent, 5)
    recorded = executions(wrapped.journal())[msg_id]
    assert recorded["execution.finished"][0]["status"] == "aborted"
    ended = [e for e in wrapped.journal() if e["kind"] == "session.ended"]
    assert ended[-1]["reason"] == "shutdown"


def test_the_agent_answers_the_frontends_hello_itself(wrapped: Kernel) -> None:
    # What the JupyterLab extension sends to kernels whose kernelspec says
    # they are wrapped (src/core/protocol/agent.ts).
    msg = wrapped.kc.session.msg(
        "nbprov_hello_request", {"protocol": 1, "notebookPath": "some/dir/test.ipynb"}
    )
    wrapped.kc.shell_channel.send(msg)
    reply = wrapped.shell_reply(msg["header"]["msg_id"])
    assert reply["msg_type"] == "nbprov_hello_reply"
    assert reply["parent_header"]["msg_id"] == msg["header"]["msg_id"]
    content = reply["content"]
    assert content["protocol"] == 1
    assert content["recording"] is True
    assert content["journalPath"] == str(wrapped.journal_path)
    # The kernel never saw it: it still answers as before, and nothing
    # about the hello is in the journal.
    run(wrapped, "x = 2")
    assert "nbprov_hello" not in wrapped.journal_path.read_text()
    # ipykernel logs the message types it does not know: it never saw this.
    assert "nbprov_hello_request" not in wrapped.stderr()


def test_the_wrapped_kernelspec_tells_the_frontend_to_expect_the_agent(
    kernel_prefix: Path,
) -> None:
    spec = json.loads(
        (kernel_prefix / "share" / "jupyter" / "kernels" / "python3-provenance" / "kernel.json").read_text()
    )
    assert spec["metadata"]["nbprov"]["agent"] is True
    assert spec["metadata"]["nbprov"]["protocol"] == 1
