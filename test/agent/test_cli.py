"""`nbprov kernel install|list|uninstall` against the real `jupyter kernelspec`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import CLI

ENV = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")


def nbprov(*args: str, jupyter_path: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(ENV)
    if jupyter_path is not None:
        env["JUPYTER_PATH"] = str(jupyter_path)
    return subprocess.run(
        [shutil.which("node") or "node", str(CLI), *args], env=env, capture_output=True, text=True
    )


def test_install_list_uninstall(tmp_path: Path) -> None:
    installed = nbprov("kernel", "install", "--name", "python3", "--prefix", str(tmp_path),
                       "--display-name", "Py (recorded)")
    assert installed.returncode == 0, installed.stderr
    share = tmp_path / "share" / "jupyter"
    spec = json.loads((share / "kernels" / "python3-provenance" / "kernel.json").read_text())
    assert spec["argv"][2:6] == ["agent", "--connection-file", "{connection_file}", "--"]
    assert spec["argv"][1] == str(CLI)
    assert spec["argv"][6] == str(Path(sys.executable).parent / "python")
    assert spec["argv"][7:] == ["-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert spec["display_name"] == "Py (recorded)"
    assert spec["interrupt_mode"] == "signal"
    assert spec["language"] == "python"

    listed = nbprov("kernel", "list", jupyter_path=share)
    assert listed.returncode == 0, listed.stderr
    assert any(line.startswith("* python3-provenance") for line in listed.stdout.splitlines())
    assert any(line.startswith("  python3 ") for line in listed.stdout.splitlines())

    refused = nbprov("kernel", "uninstall", "python3", jupyter_path=share)
    assert refused.returncode == 1
    assert "does not run the provenance agent" in refused.stderr

    removed = nbprov("kernel", "uninstall", "python3-provenance", jupyter_path=share)
    assert removed.returncode == 0, removed.stderr
    assert not (share / "kernels" / "python3-provenance").exists()


def test_unknown_kernel_says_which_exist(tmp_path: Path) -> None:
    result = nbprov("kernel", "install", "--name", "nosuch", "--prefix", str(tmp_path))
    assert result.returncode == 1
    assert 'No kernel named "nosuch"' in result.stderr
    assert "python3" in result.stderr


def test_usage_errors_exit_2_with_usage() -> None:
    for args in (["frobnicate"], ["agent", "--", "python"], ["kernel", "install", "--user", "--sys-prefix"]):
        result = nbprov(*args)
        assert result.returncode == 2, args
        assert "Usage:" in result.stderr


def test_lineage_and_replay_say_what_is_missing(tmp_path: Path) -> None:
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}))
    for command in ("lineage", "replay"):
        result = nbprov(command, str(notebook), "--cell", "c1")
        assert result.returncode == 1, result.stderr
        assert "No provenance journal" in result.stderr
        missing = nbprov(command, str(notebook))
        assert missing.returncode == 2 and "--cell" in missing.stderr
    (tmp_path / "nb.provenance.jsonl").write_text(
        '{"v":1,"kind":"journal.created","t":"2026-11-24T10:00:00.000Z","journal":"j",'
        '"recorder":{"name":"x","version":"0"}}\nnot json\n'
    )
    never = nbprov("lineage", str(notebook), "--cell", "c1", "--json")
    assert never.returncode == 1
    assert "No cell c1" in never.stderr
    assert "skipped" in never.stderr  # the damaged line is reported, not fatal
