"""What the agent's namespace question costs the kernel, per execution.

    /tmp/venv/bin/python bench/names-question.py [rounds]

Against a bare ipykernel, interleaved: a trivial `pass` execution (the
round trip a notebook waits for: reply and idle) and the agent's question
(src/agent/names-probe.ts: a silent execute_request with empty code and
one user expression), timed the same way, with 0, 100 and 1,000 global
names in the user's namespace. Prints medians and the question's cost as
a ratio of the trivial round trip. The agent asks once per execution, or
once per run of executions queued together, after 100 ms of quiet, so a
user does not wait for it unless a cell is sent during that moment.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from jupyter_client import KernelManager

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 300
ROOT = Path(__file__).resolve().parents[1]


def expression() -> str:
    source = (ROOT / "src/agent/names-probe.ts").read_text()
    start = source.index('"__import__')
    return source[start + 1 : source.index('";', start)]


def timed(kc, **request) -> float:
    start = time.perf_counter()
    msg_id = kc.execute(**request)
    reply = idle = False
    while not (reply and idle):
        if not reply:
            try:
                msg = kc.get_shell_msg(timeout=0.001)
                reply = msg["parent_header"].get("msg_id") == msg_id
            except Exception:
                pass
        try:
            msg = kc.get_iopub_msg(timeout=0.001)
            idle = (
                msg["parent_header"].get("msg_id") == msg_id
                and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"
            )
        except Exception:
            pass
    return time.perf_counter() - start


def main() -> None:
    km = KernelManager(kernel_name="python3")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    question = {"code": "", "silent": True, "store_history": False,
                "user_expressions": {"nbprov": expression()}}
    try:
        print(f"medians of {ROUNDS}, interleaved:")
        for names in (0, 100, 1000):
            kc.execute_interactive(
                f"for _i in range({names}): globals()[f'v{{_i}}'] = [_i]", timeout=60
            )
            trivial, asked = [], []
            for _ in range(20):
                timed(kc, code="pass")
                timed(kc, **question)
            for _ in range(ROUNDS):
                trivial.append(timed(kc, code="pass"))
                asked.append(timed(kc, **question))
            t = statistics.median(trivial) * 1000
            q = statistics.median(asked) * 1000
            print(f"  {names:5} names: pass {t:.3f} ms, question {q:.3f} ms, ratio {q / t:.3f}")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
