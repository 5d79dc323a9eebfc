"""The lineage corpus: notebooks whose code cells say what they depend on.

Each code cell of `corpus/*.ipynb` has metadata

    "nbprov_expect": {
        "upstream": [ids of the cells it directly depends on],
        "files_read": [paths relative to the notebook's folder],
        "files_written": [...],
        "error": "ZeroDivisionError",        # only where the cell fails on purpose
        "replay": "reproduced" | "differs",  # only where replay is checked
        "why": "..."                          # where the expectation is subtle
    }

written by hand: the cells whose effects (bindings, in-place changes, files)
the cell's result depends on, for one top-to-bottom run. Direct dependencies
only; `closure` gives the transitive upstream. A notebook's metadata
`nbprov_corpus.allow_errors` says it must run with `--allow-errors`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"


@dataclass(frozen=True)
class CorpusCell:
    id: str
    source: str
    upstream: tuple[str, ...]
    files_read: tuple[str, ...]
    files_written: tuple[str, ...]
    error: str | None = None
    replay: str | None = None
    why: str | None = None

    @property
    def first_line(self) -> str:
        return self.source.splitlines()[0] if self.source else ""


@dataclass
class CorpusNotebook:
    path: Path
    allow_errors: bool
    cell_order: list[str]
    code_cells: list[CorpusCell] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.stem

    def cell(self, cell_id: str) -> CorpusCell:
        return next(c for c in self.code_cells if c.id == cell_id)

    def closure(self, cell_id: str, executed: set[str] | None = None) -> set[str]:
        """The expected transitive upstream of `cell_id`, over the cells that ran."""
        ran = executed if executed is not None else {c.id for c in self.code_cells}
        found: set[str] = set()
        todo = [u for u in self.cell(cell_id).upstream if u in ran]
        while todo:
            up = todo.pop()
            if up not in found:
                found.add(up)
                todo += [u for u in self.cell(up).upstream if u in ran]
        return found

    def downstream(self, cell_id: str, executed: set[str] | None = None) -> set[str]:
        """The expected transitive downstream: the cells whose closure holds `cell_id`."""
        return {c.id for c in self.code_cells if cell_id in self.closure(c.id, executed)}


def source_text(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def load_notebook(path: Path) -> CorpusNotebook:
    nb = json.loads(path.read_text())
    meta = nb["metadata"].get("nbprov_corpus", {})
    notebook = CorpusNotebook(
        path=path,
        allow_errors=bool(meta.get("allow_errors", False)),
        cell_order=[c["id"] for c in nb["cells"]],
    )
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        expect = cell["metadata"].get("nbprov_expect")
        if expect is None:
            raise ValueError(f"{path.name}: code cell {cell['id']} has no nbprov_expect metadata")
        notebook.code_cells.append(
            CorpusCell(
                id=cell["id"],
                source=source_text(cell),
                upstream=tuple(expect["upstream"]),
                files_read=tuple(expect.get("files_read", ())),
                files_written=tuple(expect.get("files_written", ())),
                error=expect.get("error"),
                replay=expect.get("replay"),
                why=expect.get("why"),
            )
        )
    ids = [c.id for c in notebook.code_cells]
    for i, cell in enumerate(notebook.code_cells):
        for up in cell.upstream:
            if up not in ids[:i]:
                raise ValueError(f"{path.name}: {cell.id} names {up}, not a code cell before it")
    return notebook


def load_corpus() -> list[CorpusNotebook]:
    return [load_notebook(path) for path in sorted(CORPUS.glob("*.ipynb"))]


def data_files() -> list[Path]:
    """The files beside the notebooks that the notebooks read (copied with them)."""
    return sorted(p for p in CORPUS.iterdir() if p.is_file() and p.suffix != ".ipynb")
