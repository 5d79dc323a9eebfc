"""The `nbprov` console script: runs the bundled agent/CLI with Node.js.

`pip install jupyterlab-provenance` puts this on PATH as `nbprov`. The agent
itself is JavaScript (`agent/nbprov.mjs`, bundled by `npm run build:agent`,
with zeromq's native addon beside it), so it needs Node.js 18.3 or newer on the
machine that runs it: the kernel's host.

The Node process *replaces* this one (`os.execv`) rather than running as its
child: the agent must be the kernel's parent and in the process group the
Jupyter server started, because the server interrupts a kernel by sending
SIGINT to that group and the agent decides what a signal means for the
kernel (lifecycle.ts). A Python parent in between would take the signals
too, and the exit status would have to be relayed.

Kernelspecs written by `nbprov kernel install` do not come through here:
they run the absolute Node and bundle directly (one Python start less per
kernel start), so this check runs when the kernel is installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Mapping, NoReturn

# 18.3: the CLI parses its arguments with util.parseArgs.
MIN_NODE = (18, 3)
BUNDLE = Path(__file__).resolve().parent / "agent" / "nbprov.mjs"
# What a shell answers for a command it cannot find: Node is that command.
NODE_MISSING = 127

HOW_TO_GET_NODE = """\
nbprov runs its agent with Node.js {min} or newer on the machine the kernel
runs on. Make one available, then run nbprov again:
  - on a cluster: `module load nodejs` (or your site's name for it) in the
    environment JupyterHub starts, or
  - `conda install -c conda-forge 'nodejs>={min}'`, or
  - https://nodejs.org/en/download,
and put `node` on PATH, or set NBPROV_NODE=/absolute/path/to/node.""".format(
    min=".".join(map(str, MIN_NODE))
)


def _fail(message: str, status: int) -> NoReturn:
    sys.stderr.write(f"nbprov: {message}\n")
    raise SystemExit(status)


def find_node(env: Mapping[str, str] = os.environ) -> str:
    """The Node.js executable: $NBPROV_NODE, else `node` on PATH."""
    configured = env.get("NBPROV_NODE")
    if configured:
        found = shutil.which(configured, path=env.get("PATH"))
        if found is None:
            _fail(f"NBPROV_NODE={configured} is not an executable.\n{HOW_TO_GET_NODE}", NODE_MISSING)
        return os.path.abspath(found)
    found = shutil.which("node", path=env.get("PATH"))
    if found is None:
        _fail(f"Node.js (`node`) was not found on PATH.\n{HOW_TO_GET_NODE}", NODE_MISSING)
    return os.path.abspath(found)


def node_version(node: str) -> tuple[int, ...] | None:
    """`node`'s version as numbers, or None when it does not run."""
    try:
        out = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
        return tuple(int(part) for part in out.lstrip("v").split("."))
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def main() -> None:
    node = find_node()
    version = node_version(node)
    if version is None:
        _fail(f"`{node} --version` failed: not a Node.js.\n{HOW_TO_GET_NODE}", NODE_MISSING)
    if version[: len(MIN_NODE)] < MIN_NODE:
        found = ".".join(map(str, version))
        _fail(f"{node} is Node.js {found}, too old.\n{HOW_TO_GET_NODE}", NODE_MISSING)
    if not sys.platform.startswith("linux"):
        _fail(
            "the agent ships ZeroMQ's native addon for Linux (x64, arm64; glibc "
            f"2.25+ or musl) only, and this is {sys.platform}. Run nbprov on the "
            "Linux host the kernels run on.",
            1,
        )
    if not BUNDLE.is_file():
        _fail(
            f"the agent bundle {BUNDLE} is missing: this installation was built "
            "without it. Reinstall jupyterlab-provenance, or in a source checkout "
            "run `npm run build:agent`.",
            1,
        )
    os.execv(node, [node, str(BUNDLE), *sys.argv[1:]])


if __name__ == "__main__":
    main()
