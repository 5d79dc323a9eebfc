"""Round-trip latency and output throughput: wrapped kernel vs bare, side by side.

    npx tsc -p tsconfig.json
    /tmp/venv/bin/python bench/agent-latency.py [executions] [rounds]

Installs the wrapped kernelspec into a temporary prefix (the user's kernels
are not touched), starts one bare and one wrapped ipykernel, and interleaves
them: each round runs a block of trivial `pass` executions on one kernel,
then on the other (the order alternates per round). A round trip is from
sending `execute_request` to having both its `execute_reply` and its
`status: idle`, as a notebook waits for. Then a cell printing 200,000 lines,
wall time to idle, three times each. Prints medians and ratios.

Besides the agent as shipped (every channel through it, sampling the
kernel's process tree and streaming its events live), `no samples/stream`
shows what those two cost, `names not confirmed` what the agent's
question to IPython after each execution costs (names-probe.ts), and two variants show what each hop costs: `iopub only` (the kernel binds the server's shell,
control and stdin ports itself; the agent relays iopub) and `copy only`
(the agent relays nothing and subscribes to the kernel's iopub beside the
clients). Neither records executions fully; they are measurements.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client import KernelManager

ROOT = Path(__file__).resolve().parents[1]
EXECUTIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 10


def wait_done(kc, msg_id: str) -> None:
    reply = idle = False
    while not (reply and idle):
        if not reply:
            while kc.shell_channel.msg_ready():
                if kc.get_shell_msg(timeout=0)["parent_header"].get("msg_id") == msg_id:
                    reply = True
        msg = kc.get_iopub_msg(timeout=60)
        if (
            msg["parent_header"].get("msg_id") == msg_id
            and msg["msg_type"] == "status"
            and msg["content"]["execution_state"] == "idle"
        ):
            idle = True
        if idle and not reply:
            kc.get_shell_msg(timeout=60)
            reply = True


def round_trips(kc, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        wait_done(kc, kc.execute("pass"))
        out.append(time.perf_counter() - start)
    return out


def flood(kc) -> float:
    start = time.perf_counter()
    wait_done(kc, kc.execute("for i in range(200000): print(i)"))
    return time.perf_counter() - start


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    prefix = Path(tempfile.mkdtemp(prefix="nbprov-bench-"))
    work = prefix / "work"
    work.mkdir()
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    subprocess.run(
        [shutil.which("node"), str(ROOT / "lib/agent/cli.js"), "kernel", "install", "--prefix", str(prefix)],
        check=True, env=env, capture_output=True,
    )
    os.environ["JUPYTER_PATH"] = str(prefix / "share/jupyter")
    kernels = {}
    quiet = {"NBPROV_SAMPLING": "off", "NBPROV_STREAM": "off"}
    configs: dict[str, tuple[str, dict[str, str]]] = {
        "bare": ("python3", {}),
        "agent": ("python3-provenance", {}),
        "agent, no samples/stream": ("python3-provenance", quiet),
        "agent, names not confirmed": ("python3-provenance", {"NBPROV_CONFIRM_NAMES": "off"}),
        "agent, iopub only": ("python3-provenance", {"NBPROV_AGENT_RELAY": "iopub"}),
        "agent, copy only": ("python3-provenance", {"NBPROV_AGENT_RELAY": "none"}),
    }
    for label, (name, extra) in configs.items():
        km = KernelManager(kernel_name=name)
        env = dict(os.environ, JPY_SESSION_NAME=f"bench-{len(kernels)}.ipynb", **extra)
        km.start_kernel(cwd=str(work), env=env)
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        round_trips(kc, 50)  # warm up
        kernels[label] = (km, kc)
    try:
        block = max(1, EXECUTIONS // ROUNDS)
        times: dict[str, list[float]] = {name: [] for name in kernels}
        for r in range(ROUNDS):
            order = list(kernels) if r % 2 == 0 else list(reversed(kernels))
            for label in order:
                times[label].extend(round_trips(kernels[label][1], block))
        bare = statistics.median(times["bare"]) * 1000
        print(f"pass round trip, median of {len(times['bare'])} each:")
        for label in kernels:
            t = statistics.median(times[label]) * 1000
            print(f"  {label:26} {t:.3f} ms  added {t - bare:+.3f} ms  ratio {t / bare:.3f}")
        floods: dict[str, list[float]] = {name: [] for name in kernels}
        for r in range(3):
            order = list(kernels) if r % 2 == 0 else list(reversed(kernels))
            for label in order:
                floods[label].append(flood(kernels[label][1]))
        fb = statistics.median(floods["bare"])
        print("200,000-line cell, median of 3 each:")
        for label in kernels:
            f = statistics.median(floods[label])
            print(f"  {label:26} {f:.3f} s  ratio {f / fb:.3f}")
        agent = kernels["agent"][0].provisioner.process.pid
        before = cpu_seconds(agent)
        time.sleep(10)
        idle = (cpu_seconds(agent) - before) / 10 * 100
        print(f"agent idle: {idle:.2f} % of one core over 10 s; RSS {rss_mb(agent):.0f} MB")
        busy_before, start = cpu_seconds(agent), time.perf_counter()
        round_trips(kernels["agent"][1], 1000)
        per_exec = (cpu_seconds(agent) - busy_before) / 1000 * 1000
        print(f"agent CPU per `pass` execution: {per_exec:.3f} ms "
              f"({time.perf_counter() - start:.2f} s for 1,000)")
        journal = work / "bench-1.provenance.jsonl"
        print(f"journal of the agent as shipped: {sum(1 for _ in journal.open())} lines")
    finally:
        for km, kc in kernels.values():
            kc.stop_channels()
            km.shutdown_kernel(now=True)
        shutil.rmtree(prefix, ignore_errors=True)


if __name__ == "__main__":
    main()
