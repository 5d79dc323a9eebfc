"""What the Python tests that drive the real agent share (test/agent, test/lineage).

Build first: `npx tsc -p tsconfig.json`. `test/conftest.py` turns
`install_wrapped_kernels` into the session fixture `kernel_prefix`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / "lib" / "agent" / "cli.js"
WRAPPED = "python3-provenance"
NODE = shutil.which("node") or "node"


def env() -> dict[str, str]:
    """The environment with this interpreter's `jupyter` and `python` first on PATH."""
    return dict(
        os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    )


def nbprov(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Runs `nbprov ARGS…` (the built CLI) and returns what it did."""
    return subprocess.run(
        [NODE, str(CLI), *map(str, args)],
        env=env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def journal(path: Path) -> list[dict]:
    """The events of a JSONL journal."""
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def install_wrapped_kernels(prefix: Path) -> Path:
    """Installs the wrapped python3 kernel (and a copy interrupted by message) under
    `prefix` with the real `nbprov kernel install`; returns the share/jupyter folder."""
    if not CLI.exists():
        raise FileNotFoundError(f"{CLI} is missing: run `npx tsc -p tsconfig.json` first")
    assert shutil.which("node") is not None, "node is not on PATH"
    subprocess.run(
        [NODE, str(CLI), "kernel", "install", "--name", "python3", "--prefix", str(prefix)],
        check=True,
        env=env(),
        capture_output=True,
        text=True,
    )
    share = prefix / "share" / "jupyter"
    assert (share / "kernels" / WRAPPED / "kernel.json").exists()
    # The same wrapped kernel, interrupted by message instead of signal.
    by_message = share / "kernels" / f"{WRAPPED}-message"
    shutil.copytree(share / "kernels" / WRAPPED, by_message)
    spec = json.loads((by_message / "kernel.json").read_text())
    spec["interrupt_mode"] = "message"
    (by_message / "kernel.json").write_text(json.dumps(spec))
    return share
