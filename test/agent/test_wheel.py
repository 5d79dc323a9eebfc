"""The agent as users get it: `pip install jupyterlab-provenance`, then `nbprov`.

The wheel is built from this checkout (`pip wheel --no-build-isolation`; the
npm build is skipped when `scripts/setup.sh` or `npm run build:agent` has
built its outputs already) and installed into a fresh venv in a temporary
folder, so nothing below refers to the checkout: the `nbprov` console
script, `nbprov kernel install`, and a real kernel started from the
kernelspec it writes. The venv has no pip and no packages of its own; a
`.pth` file lends it this interpreter's (jupyter_client, ipykernel), after
its own site-packages, so its own jupyterlab_provenance is the one imported.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import psutil
import pytest
from jupyter_client import KernelManager

ROOT = Path(__file__).resolve().parents[2]
# pyproject's skip-if-exists: with both built, `pip wheel` packs them and
# runs no npm build (whose `clean` would delete lib/ and build/ mid-session).
BUILT = [ROOT / "jupyterlab_provenance" / "agent" / "nbprov.mjs",
         ROOT / "jupyterlab_provenance" / "labextension" / "static" / "style.js"]
WHEEL_LIMIT = 10 * 1024 * 1024


@dataclass
class Installation:
    wheel: Path
    venv: Path
    package: Path
    kernels: Path

    @property
    def nbprov(self) -> Path:
        return self.venv / "bin" / "nbprov"


def run(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    missing = [str(p) for p in BUILT if not p.exists()]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: run scripts/setup.sh (or `npm run "
                    "build:agent` and `npm run build:labextension`) first")
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    built = run(sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps",
                "--disable-pip-version-check", "-w", dist, ROOT)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("jupyterlab_provenance-*.whl")

    venv = tmp / "venv"
    made = run(sys.executable, "-m", "venv", "--without-pip", venv)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
                       ).stdout.strip())
    pip = run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
              "--no-index", "--disable-pip-version-check", wheel)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    # Only now: with this interpreter's packages visible, pip would find the
    # outer jupyterlab-provenance "already satisfied" and install nothing.
    (purelib / "zz-lent-by-test.pth").write_text("\n".join(site.getsitepackages()) + "\n")

    # The kernel to wrap: a python3 kernelspec of this venv's interpreter,
    # first on JUPYTER_PATH, so the wrapped argv can hold no checkout path.
    kernels = tmp / "share" / "jupyter"
    (kernels / "kernels" / "python3").mkdir(parents=True)
    (kernels / "kernels" / "python3" / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (wheel test)",
        "language": "python",
        "interrupt_mode": "signal",
    }))
    yield Installation(wheel=wheel, venv=venv, package=purelib / "jupyterlab_provenance",
                       kernels=kernels)


def user_env(installation: Installation, **extra: str) -> dict[str, str]:
    """A user's shell: the venv first, then `jupyter` and `node` where they are."""
    env = {k: v for k, v in os.environ.items() if k != "NBPROV_NODE"}
    env.update(extra)
    env["PATH"] = os.pathsep.join([str(installation.venv / "bin"), str(Path(sys.executable).parent),
                                   env.get("PATH", "")])
    # Only the test's own kernels: the session may have set JUPYTER_PATH.
    env["JUPYTER_PATH"] = extra.get("JUPYTER_PATH", str(installation.kernels))
    return env


def test_the_wheel_holds_the_bundle_and_zeromq_for_linux(installed: Installation) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    agent = "jupyterlab_provenance/agent/"
    assert agent + "nbprov.mjs" in names
    assert agent + "node_modules/zeromq/lib/index.js" in names
    assert agent + "node_modules/cmake-ts/build/loader.js" in names
    manifest = agent + "node_modules/zeromq/build/manifest.json"
    assert manifest in names
    addons = {n for n in names if n.endswith(".node")}
    assert agent + "node_modules/zeromq/build/linux/x64/node/glibc-127-Release/addon.node" in addons
    # Every addon the trimmed manifest lists is in the wheel, and only those.
    listed = json.loads(zipfile.ZipFile(installed.wheel).read(manifest))
    assert {agent + "node_modules/zeromq/build/" + f for f in listed.values()} == addons
    assert any(n.endswith(".dist-info/entry_points.txt") for n in names)
    size = installed.wheel.stat().st_size
    print(f"\n{installed.wheel.name}: {size / 1024 / 1024:.2f} MiB, {len(addons)} addons")
    assert size < WHEEL_LIMIT


def test_nbprov_help_runs_the_installed_bundle(installed: Installation) -> None:
    result = run(installed.nbprov, "--help", env=user_env(installed))
    assert result.returncode == 0, result.stderr
    assert "nbprov kernel install" in result.stdout


def test_kernel_install_writes_an_argv_of_the_installation(
    installed: Installation, tmp_path: Path
) -> None:
    prefix = tmp_path / "prefix"
    result = run(installed.nbprov, "kernel", "install", "--name", "python3", "--prefix", prefix,
                 env=user_env(installed))
    assert result.returncode == 0, result.stderr
    spec = json.loads((prefix / "share" / "jupyter" / "kernels" / "python3-provenance"
                       / "kernel.json").read_text())
    argv = spec["argv"]
    assert not [a for a in argv if str(ROOT) in a], argv
    assert Path(argv[0]).is_absolute() and run(argv[0], "--version").stdout.startswith("v")
    assert Path(argv[1]) == (installed.package / "agent" / "nbprov.mjs").resolve()
    assert argv[2:6] == ["agent", "--connection-file", "{connection_file}", "--"]
    assert argv[6] == str(installed.venv / "bin" / "python")
    assert spec["metadata"]["nbprov"]["agent"] is True

    listed = run(installed.nbprov, "kernel", "list",
                 env=user_env(installed, JUPYTER_PATH=str(prefix / "share" / "jupyter")))
    assert listed.returncode == 0, listed.stderr
    assert any(line.startswith("* python3-provenance") for line in listed.stdout.splitlines())


def test_the_installed_kernelspec_runs_a_kernel_and_the_agent_journals(
    installed: Installation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = tmp_path / "prefix"
    assert run(installed.nbprov, "kernel", "install", "--name", "python3", "--prefix", prefix,
               env=user_env(installed)).returncode == 0
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
    km = KernelManager(kernel_name="python3-provenance")
    stderr = open(tmp_path / "kernel.stderr.log", "w")
    km.start_kernel(env=dict(os.environ, JPY_SESSION_NAME="nb/wheel.ipynb"), cwd=str(work),
                    stderr=stderr)
    kc = km.client()
    try:
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        agent = psutil.Process(km.provisioner.process.pid)  # type: ignore[union-attr]
        assert Path(agent.cmdline()[1]).resolve() == (installed.package / "agent"
                                                      / "nbprov.mjs").resolve()
        printed: list[str] = []
        reply = kc.execute_interactive(
            "print(1)", timeout=30,
            output_hook=lambda m: printed.append(m["content"]["text"])
            if m["msg_type"] == "stream" else None)
        assert reply["content"]["status"] == "ok"
        assert "".join(printed) == "1\n"
        journal = work / "wheel.provenance.jsonl"
        deadline = time.monotonic() + 10
        finished: list[dict] = []
        while time.monotonic() < deadline and not finished:
            if journal.exists():
                lines = [json.loads(x) for x in journal.read_text().splitlines() if x]
                finished = [e for e in lines if e["kind"] == "execution.finished"]
            time.sleep(0.05)
        assert finished and finished[0]["status"] == "ok", (tmp_path / "kernel.stderr.log").read_text()
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        stderr.close()


def test_nbprov_without_node_says_how_to_get_it(installed: Installation) -> None:
    env = user_env(installed)
    env["PATH"] = str(installed.venv / "bin")  # python only, no node
    result = run(installed.nbprov, "--help", env=env)
    assert result.returncode == 127
    assert "Node.js (`node`) was not found on PATH" in result.stderr
    assert "NBPROV_NODE" in result.stderr and "18" in result.stderr


def test_nbprov_with_too_old_a_node_says_so(installed: Installation, tmp_path: Path) -> None:
    old = tmp_path / "node"
    old.write_text("#!/bin/sh\necho v16.20.2\n")
    old.chmod(0o755)
    result = run(installed.nbprov, "--help", env=user_env(installed, NBPROV_NODE=str(old)))
    assert result.returncode == 127
    assert "Node.js 16.20.2, too old" in result.stderr


def test_nbprov_passes_its_exit_status_through(installed: Installation) -> None:
    # execv: the status is Node's own (2 for a usage error), no Python between.
    result = run(installed.nbprov, "frobnicate", env=user_env(installed))
    assert result.returncode == 2
    assert "Usage:" in result.stderr


def test_nbprov_node_picks_the_node(installed: Installation, tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node is not None
    env = user_env(installed, NBPROV_NODE=node)
    env["PATH"] = str(installed.venv / "bin")
    result = run(installed.nbprov, "--help", env=env)
    assert result.returncode == 0, result.stderr
