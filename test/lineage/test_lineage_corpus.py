"""The lineage corpus (issue 5): `nbprov lineage` and `nbprov replay` against
notebooks whose code cells say, by hand, what they depend on.

Each notebook of `corpus/` is copied with the corpus's data files into a
folder of its own and run top to bottom once by `nbprov run` through the real
agent (the wrapped kernel of `kernel_prefix`). Then, for every code cell,

    nbprov lineage NOTEBOOK --cell ID --json

(one process per cell) gives `upstream_cells`, which is compared with the
transitive closure of the cell's expected `upstream` (see lineage_corpus.py).
Over all cells (micro-average): recall = TP / (TP + FN) must be 1.0;
precision = TP / (TP + FP) is printed. `files_read` / `files_written` are
compared as paths relative to the notebook's folder (an absolute path under
that folder is made relative; `./` and `a/../` are normalised): every expected
path must be reported, extra ones only lower precision. `downstream_cells`
must be the reverse of the upstream closures the command itself reports.
Everything is written to test-reports/lineage-corpus.json (per cell:
expected, got, misses, extras).

What runs today: the corpus is well formed, and every notebook runs through
the agent with one journaled execution per code cell. What waits for the
commands of issue 5 — and FAILS, naming the missing command, until they
exist: the lineage tests (`nbprov lineage`) and the replay tests
(`nbprov replay`).

Build first: `npx tsc -p tsconfig.json`. The training notebook needs
`torch==2.13.0` in the venv (scripts/test.sh installs it). About a minute:
~15 s of notebook runs, then one `nbprov lineage` process per code cell.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import nbformat
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from lineage_corpus import CorpusNotebook, data_files, load_corpus  # noqa: E402
from nbprov_harness import ROOT, WRAPPED, journal, nbprov  # noqa: E402

NOTEBOOKS = load_corpus()
REPORT = ROOT / "test-reports" / "lineage-corpus.json"
CELL_ID = re.compile(r"^[a-z][a-z0-9-]*$")


def not_implemented(command: str, result: subprocess.CompletedProcess[str]) -> str | None:
    """The failure message when `nbprov COMMAND` does not exist yet."""
    if result.returncode == 2 and f'Unknown command "{command}"' in result.stderr:
        return (
            f"nbprov {command} is not implemented: unknown command "
            f"(this test waits for issue 5's `nbprov {command}`)"
        )
    return None


@dataclass
class Run:
    """One notebook run by `nbprov run` in a folder of its own."""

    nb: CorpusNotebook
    path: Path
    result: subprocess.CompletedProcess[str]
    seconds: float
    events: list[dict] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.path.parent

    def executions(self) -> dict[str, str]:
        """Each cell's latest execution id."""
        return {
            e["cellId"]: e["execution"]
            for e in self.events
            if e["kind"] == "execution.requested" and "cellId" in e
        }


class Corpus:
    """The corpus notebooks, each run once, and what `nbprov lineage` says of each cell."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._runs: dict[str, Run] = {}
        self._lineage: dict[str, dict[str, dict]] | None = None
        self._failure: str | None = None
        self.lineage_seconds = 0.0

    def run(self, nb: CorpusNotebook) -> Run:
        if nb.name not in self._runs:
            folder = self.root / nb.name
            folder.mkdir()
            for data in data_files():
                shutil.copy(data, folder)
            path = folder / nb.path.name
            shutil.copy(nb.path, path)
            args: list[str | Path] = ["run", path, "--kernel", WRAPPED]
            if nb.allow_errors:
                args.append("--allow-errors")
            began = time.monotonic()
            result = nbprov(*args, timeout=300)
            run = Run(nb, path, result, time.monotonic() - began)
            journal_path = folder / f"{nb.name}.provenance.jsonl"
            if journal_path.exists():
                run.events = journal(journal_path)
            self._runs[nb.name] = run
        return self._runs[nb.name]

    @property
    def run_seconds(self) -> float:
        return sum(r.seconds for r in self._runs.values())

    def lineage(self) -> dict[str, dict[str, dict]]:
        """notebook -> cell -> the `--json` object of `nbprov lineage`; fails the test if absent."""
        if self._failure:
            pytest.fail(self._failure)
        if self._lineage is None:
            try:
                self._lineage = self._ask_lineage()
            except pytest.fail.Exception as failure:
                self._failure = str(failure)
                write_report({"error": self._failure})
                raise
        return self._lineage

    def _ask_lineage(self) -> dict[str, dict[str, dict]]:
        for nb in NOTEBOOKS:
            run = self.run(nb)
            if run.result.returncode != 0:
                pytest.fail(f"{nb.name} did not run: {run.result.stderr[-2000:]}")
        jobs = [(nb, self.run(nb).path, c.id) for nb in NOTEBOOKS for c in nb.code_cells]

        def ask(job: tuple[CorpusNotebook, Path, str]) -> subprocess.CompletedProcess[str]:
            return nbprov("lineage", job[1], "--cell", job[2], "--json")

        began = time.monotonic()
        first = ask(jobs[0])  # alone: a missing command fails at once
        message = not_implemented("lineage", first)
        if message:
            pytest.fail(message)
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = [first, *pool.map(ask, jobs[1:])]
        self.lineage_seconds = time.monotonic() - began
        found: dict[str, dict[str, dict]] = {nb.name: {} for nb in NOTEBOOKS}
        for (nb, _, cell), result in zip(jobs, results, strict=True):
            if result.returncode != 0:
                pytest.fail(
                    f"nbprov lineage {nb.name}.ipynb --cell {cell} --json exited "
                    f"{result.returncode}: {result.stderr[-2000:]}"
                )
            try:
                found[nb.name][cell] = json.loads(result.stdout)
            except json.JSONDecodeError as error:
                pytest.fail(
                    f"nbprov lineage {nb.name}.ipynb --cell {cell} --json printed no JSON "
                    f"({error}): {result.stdout[:500]!r}"
                )
        return found


@pytest.fixture(scope="module")
def corpus(kernel_prefix: Path, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return Corpus(tmp_path_factory.mktemp("lineage-corpus"))


# ----------------------------------------------------------------- today


def test_the_corpus_is_well_formed() -> None:
    cells = [c for nb in NOTEBOOKS for c in nb.code_cells]
    assert len(NOTEBOOKS) >= 5 and len(cells) >= 40
    for nb in NOTEBOOKS:
        raw = nbformat.read(nb.path, as_version=4)
        nbformat.validate(raw)
        assert (raw.nbformat, raw.nbformat_minor) == (4, 5), nb.name
        for cell in raw.cells:
            assert CELL_ID.match(cell.id), f"{nb.name}: unreadable cell id {cell.id!r}"
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, (nb.name, cell.id)
        for cell in nb.code_cells:
            assert cell.id not in cell.upstream, (nb.name, cell.id)
            assert cell.replay in (None, "reproduced", "differs"), (nb.name, cell.id)
            assert not cell.error or nb.allow_errors, f"{nb.name} must allow errors"
    replays = {c.replay for c in cells}
    assert {"reproduced", "differs"} <= replays


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda nb: nb.name)
def test_each_notebook_runs_through_the_agent_once_per_cell(
    corpus: Corpus, nb: CorpusNotebook
) -> None:
    if "import torch" in "".join(c.source for c in nb.code_cells):
        if importlib.util.find_spec("torch") is None:
            pytest.fail(f"{nb.name} needs PyTorch: pip install torch==2.13.0 (the CPU build)")
    run = corpus.run(nb)
    assert run.result.returncode == 0, run.result.stderr[-3000:]
    code = [c.id for c in nb.code_cells]
    requested = [e["cellId"] for e in run.events if e["kind"] == "execution.requested"]
    assert requested == code, "one execution per code cell, in notebook order"
    finished = {e["execution"]: e for e in run.events if e["kind"] == "execution.finished"}
    executions = run.executions()
    for cell in nb.code_cells:
        end = finished.get(executions[cell.id])
        assert end is not None, f"{cell.id}: no execution.finished"
        if cell.error:
            assert end["status"] == "error", f"{cell.id} should fail with {cell.error}"
            assert end.get("error", {}).get("ename") == cell.error, (cell.id, end.get("error"))
        else:
            assert end["status"] == "ok", f"{cell.id}: {end.get('error')}"
    executed = nbformat.read(run.path, as_version=4)
    assert [c.execution_count for c in executed.cells if c.cell_type == "code"] == list(
        range(1, len(code) + 1)
    )


# ------------------------------------------------ waits for `nbprov lineage`


def normalise(path: Any, folder: Path) -> str:
    """A reported file as a path relative to the notebook's folder (when under it)."""
    if isinstance(path, dict):  # tolerate {"path": ...} entries
        path = path.get("path") or path.get("name") or path.get("file") or json.dumps(path)
    text = str(path).removeprefix("file://")
    if os.path.isabs(text):
        real, base = os.path.realpath(text), os.path.realpath(folder)
        if real == base or real.startswith(base + os.sep):
            text = os.path.relpath(real, base)
    return os.path.normpath(text)


def score(expected: Iterable[str], got: Iterable[str]) -> dict[str, list[str]]:
    want, have = set(expected), set(got)
    return {
        "expected": sorted(want),
        "got": sorted(have),
        "misses": sorted(want - have),
        "extras": sorted(have - want),
    }


def totals(entries: Iterable[dict[str, list[str]]]) -> dict[str, float]:
    entries = list(entries)
    tp = sum(len(set(e["expected"]) & set(e["got"])) for e in entries)
    fn = sum(len(e["misses"]) for e in entries)
    fp = sum(len(e["extras"]) for e in entries)
    return {
        "tp": tp,
        "fn": fn,
        "fp": fp,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
    }


def write_report(report: dict) -> None:
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2) + "\n")


@pytest.fixture(scope="module")
def comparison(corpus: Corpus) -> Callable[[], dict]:
    """Compares lazily, inside the test that asks first, so that a missing command
    fails the tests (rather than erroring their set-up); later tests reuse it."""
    cache: dict[str, dict] = {}

    def get() -> dict:
        if "report" not in cache:
            cache["report"] = compare(corpus)
        return cache["report"]

    return get


def compare(corpus: Corpus) -> dict:
    """Expected against reported, per cell, for every corpus notebook (and the report file)."""
    lineage = corpus.lineage()
    cells = []
    shape: list[str] = []
    inconsistent: list[str] = []
    for nb in NOTEBOOKS:
        run = corpus.run(nb)
        executions = run.executions()
        ran = set(executions)
        got = lineage[nb.name]
        reported_up = {c: set(map(str, got[c].get("upstream_cells") or [])) for c in got}
        for cell in nb.code_cells:
            out = got[cell.id]
            for key in (
                "cell",
                "execution",
                "upstream_cells",
                "downstream_cells",
                "files_read",
                "files_written",
            ):
                if key not in out:
                    shape.append(f"{nb.name}:{cell.id}: no {key!r} in the JSON")
            if out.get("cell") != cell.id:
                shape.append(f"{nb.name}:{cell.id}: cell is {out.get('cell')!r}")
            if out.get("execution") != executions[cell.id]:
                shape.append(
                    f"{nb.name}:{cell.id}: execution is {out.get('execution')!r}, "
                    f"the latest is {executions[cell.id]}"
                )
            reverse = {c for c, ups in reported_up.items() if cell.id in ups}
            down = set(map(str, out.get("downstream_cells") or []))
            if down != reverse:
                inconsistent.append(
                    f"{nb.name}:{cell.id}: downstream_cells {sorted(down)} but the cells whose "
                    f"upstream_cells name it are {sorted(reverse)}"
                )
            folder = run.folder
            cells.append(
                {
                    "notebook": nb.name,
                    "cell": cell.id,
                    "first_line": cell.first_line,
                    "why": cell.why,
                    "upstream": score(nb.closure(cell.id, ran), reported_up[cell.id]),
                    "downstream": score(nb.downstream(cell.id, ran), down),
                    "files_read": score(
                        cell.files_read, (normalise(p, folder) for p in out.get("files_read") or [])
                    ),
                    "files_written": score(
                        cell.files_written,
                        (normalise(p, folder) for p in out.get("files_written") or []),
                    ),
                }
            )
    report = {
        "notebooks": len(NOTEBOOKS),
        "cells": len(cells),
        "paths": "files are compared relative to the notebook's folder",
        "seconds": {
            "nbprov run (all notebooks)": round(corpus.run_seconds, 1),
            "nbprov lineage (all cells, 2 at a time)": round(corpus.lineage_seconds, 1),
        },
        "upstream": totals(c["upstream"] for c in cells),
        "upstream_per_notebook": {
            nb.name: totals(c["upstream"] for c in cells if c["notebook"] == nb.name)
            for nb in NOTEBOOKS
        },
        "downstream": totals(c["downstream"] for c in cells),
        "files": totals([c["files_read"] for c in cells] + [c["files_written"] for c in cells]),
        "json_problems": shape,
        "downstream_inconsistent": inconsistent,
        "per_cell": cells,
    }
    write_report(report)
    return report


def test_lineage_json_names_the_cell_and_its_latest_execution(
    comparison: Callable[[], dict],
) -> None:
    report = comparison()
    assert not report["json_problems"], "\n".join(report["json_problems"])


def test_lineage_upstream_recall_is_1_and_precision_is_reported(
    comparison: Callable[[], dict],
) -> None:
    report = comparison()
    up = report["upstream"]
    print(
        f"\nlineage corpus: upstream recall {up['recall']:.3f}, precision {up['precision']:.3f} "
        f"(TP {up['tp']}, FN {up['fn']}, FP {up['fp']}) over {report['cells']} cells; "
        f"report {REPORT}"
    )
    missed = [
        f"  {c['notebook']}:{c['cell']} misses {m}   # {c['first_line']}"
        for c in report["per_cell"]
        for m in c["upstream"]["misses"]
    ]
    assert up["recall"] == 1.0, (
        f"upstream recall {up['recall']:.3f} ({up['fn']} missed dependencies):\n"
        + "\n".join(missed)
    )


def test_lineage_files_read_and_written_are_all_reported(comparison: Callable[[], dict]) -> None:
    report = comparison()
    files = report["files"]
    print(
        f"\nlineage corpus: files recall {files['recall']:.3f}, precision {files['precision']:.3f}"
    )
    missed = [
        f"  {c['notebook']}:{c['cell']} {kind} misses {m}   # {c['first_line']}"
        for c in report["per_cell"]
        for kind in ("files_read", "files_written")
        for m in c[kind]["misses"]
    ]
    assert not missed, "files not reported:\n" + "\n".join(missed)


def test_lineage_downstream_is_the_reverse_of_upstream(comparison: Callable[[], dict]) -> None:
    report = comparison()
    problems = report["downstream_inconsistent"]
    assert not problems, "\n".join(problems)


# ------------------------------------------------- waits for `nbprov replay`

REPLAYS = [(nb, c) for nb in NOTEBOOKS for c in nb.code_cells if c.replay]


def values(tree: Any) -> Iterable[Any]:
    """Every value in a JSON tree (objects' values, arrays' items, recursively)."""
    yield tree
    children = tree.values() if isinstance(tree, dict) else tree if isinstance(tree, list) else []
    for child in children:
        yield from values(child)


def strings(tree: Any) -> set[str]:
    return {v for v in values(tree) if isinstance(v, str)}


def differing(report: Any, execution: str) -> list[dict]:
    """The objects of a replay report that name `execution`, say "differs" and name an
    output (a key with "output" in it), at any depth."""
    return [
        node
        for node in values(report)
        if isinstance(node, dict)
        and {execution, "differs"} <= strings(node)
        and any("output" in key for key in node)
    ]


@pytest.mark.parametrize(
    "nb,cell", REPLAYS, ids=[f"{nb.name}:{c.id}={c.replay}" for nb, c in REPLAYS]
)
def test_replay_verdict(corpus: Corpus, tmp_path: Path, nb: CorpusNotebook, cell) -> None:
    """`nbprov replay NB --cell ID --json` in a fresh kernel: exit 0 only if everything
    reproduced; a report that names the execution and the output that differ."""
    run = corpus.run(nb)
    assert run.result.returncode == 0, run.result.stderr[-2000:]
    # A copy of the run, so that what one replay records cannot change another's.
    folder = tmp_path / nb.name
    shutil.copytree(run.folder, folder)
    execution = run.executions()[cell.id]
    result = nbprov("replay", folder / run.path.name, "--cell", cell.id, "--json", timeout=300)
    message = not_implemented("replay", result)
    if message:
        pytest.fail(message)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError as error:
        pytest.fail(
            f"not JSON ({error}), exit {result.returncode}: {result.stdout[:500]!r} "
            f"{result.stderr[-1000:]}"
        )
    if cell.replay == "reproduced":
        assert result.returncode == 0, f"{cell.id} should reproduce: {json.dumps(report)[:2000]}"
        assert "differs" not in strings(report), json.dumps(report)[:2000]
    else:
        assert result.returncode != 0, f"{cell.id} should differ: {json.dumps(report)[:2000]}"
        assert differing(report, execution), (
            f"the report should name execution {execution} of {cell.id} and its output that "
            f"differs: {json.dumps(report)[:2000]}"
        )


def test_replay_after_the_data_file_changed_differs_at_the_execution_that_read_it(
    corpus: Corpus, tmp_path: Path
) -> None:
    """The data file a result depends on is changed after the run: the replay
    of the result reports `differs`, first at the execution that read the file
    (its printed row count), then at the result."""
    nb = next(n for n in NOTEBOOKS if n.name == "replay_file")
    run = corpus.run(nb)
    assert run.result.returncode == 0, run.result.stderr[-2000:]
    folder = tmp_path / nb.name
    shutil.copytree(run.folder, folder)
    with open(folder / "replay_input.csv", "a") as fh:
        fh.write("d,14\n")
    executions = run.executions()
    result = nbprov("replay", folder / run.path.name, "--cell", "result", "--json", timeout=300)
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["verdict"] == "differs"
    verdicts = {e["cell"]: e["verdict"] for e in report["executions"]}
    assert verdicts["imports"] == "reproduced"
    assert verdicts["read-input"] == "differs"
    assert verdicts["result"] == "differs"
    [read] = [e for e in report["executions"] if e["cell"] == "read-input"]
    assert read["original_execution"] == executions["read-input"]
    assert [d["output"] for d in read["differing_outputs"]] == ["stdout"]
