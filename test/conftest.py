"""Fixtures for every Python test that runs the real agent (test/agent, test/lineage).

The wrapped kernelspec is installed with the real `nbprov kernel install`
into a temporary prefix that only these tests put on JUPYTER_PATH, so the
user's kernels are never touched. Build first: `npx tsc -p tsconfig.json`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbprov_harness import CLI, install_wrapped_kernels  # noqa: E402


@pytest.fixture(scope="session")
def kernel_prefix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if not CLI.exists():
        pytest.fail(f"{CLI} is missing: run `npx tsc -p tsconfig.json` first")
    prefix = tmp_path_factory.mktemp("kernels")
    share = install_wrapped_kernels(prefix)
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(share) + (os.pathsep + old if old else "")
    yield prefix
    if old is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = old
