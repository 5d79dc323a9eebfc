"""What the two kernelspec argv forms cost at kernel start, side by side.

    python bench/nbprov-start.py NBPROV [ROUNDS]

NBPROV is the `nbprov` console script of an installed jupyterlab-provenance
(a venv's bin/nbprov). Interleaved, ROUNDS times (default 20), medians:

- process start: `node <bundle> --help` against `nbprov --help` (Python
  start, the Node version check, execv Node);
- kernel start to ready (jupyter_client KernelManager, `wait_for_ready`,
  the kernelspec's own python3 kernel wrapped): the argv `nbprov kernel
  install` writes (`[node, <bundle>, "agent", ...]`) against the same argv
  started through the console script (`[nbprov, "agent", ...]`).

Needs `jupyter` and `node` on PATH and ipykernel importable by the kernel.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client import KernelManager


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def kernel_start(name: str) -> float:
    start = time.perf_counter()
    km = KernelManager(kernel_name=name)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    elapsed = time.perf_counter() - start
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return elapsed


def report(label: str, a: str, xs: list[float], b: str, ys: list[float]) -> None:
    ma, mb = statistics.median(xs), statistics.median(ys)
    print(f"{label}: {a} {ma * 1000:.1f} ms, {b} {mb * 1000:.1f} ms, "
          f"difference {(mb - ma) * 1000:+.1f} ms (x{mb / ma:.3f}), {len(xs)} rounds, medians")


def main() -> None:
    nbprov = str(Path(sys.argv[1]).absolute())
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    node = shutil.which(os.environ.get("NBPROV_NODE", "node"))
    assert node is not None, "node is not on PATH"
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp)
        subprocess.run([nbprov, "kernel", "install", "--name", "python3", "--prefix", tmp],
                       check=True, capture_output=True)
        kernels = prefix / "share" / "jupyter" / "kernels"
        direct = json.loads((kernels / "python3-provenance" / "kernel.json").read_text())
        bundle = direct["argv"][1]
        via = kernels / "python3-provenance-via-script"
        shutil.copytree(kernels / "python3-provenance", via)
        spec = dict(direct, argv=[nbprov, *direct["argv"][2:]])
        (via / "kernel.json").write_text(json.dumps(spec))
        os.environ["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")
        print(f"node {node}\nbundle {bundle}\nnbprov {nbprov}")

        xs: list[float] = []
        ys: list[float] = []
        for _ in range(rounds * 2):
            xs.append(timed([node, bundle, "--help"]))
            ys.append(timed([nbprov, "--help"]))
        report("process start", "node+bundle", xs, "nbprov script", ys)

        kernel_start("python3-provenance")  # warm the caches once
        xs, ys = [], []
        for i in range(rounds):
            first, second = ("python3-provenance", "python3-provenance-via-script")
            if i % 2:
                xs.append(kernel_start(first))
                ys.append(kernel_start(second))
            else:
                ys.append(kernel_start(second))
                xs.append(kernel_start(first))
        report("kernel start to ready", "node+bundle argv", xs, "nbprov-script argv", ys)


if __name__ == "__main__":
    main()
