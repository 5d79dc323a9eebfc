"""Cross-checks the corpus's hand-written expectations by ablation.

For each notebook of `corpus/` (or the ones named), runs its code cells in a
fresh in-process IPython shell once as written (twice, to find what is not
deterministic) and once more for every code cell U with U left out. A later
cell C counterfactually depends on U when, without U, C behaves differently:
other output or error, or other values of the names and files C changed in the
full run. That set is compared with the transitive closure of the expected
`upstream` lists, and each difference is printed for a person to judge.

Ablation is a check, not the definition. It cannot see a dependency whose
removal is masked (another cell would have bound the same name, `del x` works
after any binding) and it sees the random generator's state, which the
expectations leave out where the corpus does not depend on it.

Usage: python test/lineage/ablate_corpus.py [NOTEBOOK.ipynb ...]
Takes a few minutes (a shell per left-out cell; torch is imported each time).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from lineage_corpus import CorpusNotebook, data_files, load_corpus  # noqa: E402

DRIVER = r"""
import hashlib, json, os, re, sys, types
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

cells, skip, out_path = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
shell = InteractiveShell.instance()
shell.showtraceback = lambda *a, **k: None
shell.showsyntaxerror = lambda *a, **k: None
shell.displayhook.write_output_prompt = lambda: None
shell.displayhook.write_format_data = lambda *a, **k: None
hidden = set(shell.user_ns) | {"In", "Out", "exit", "quit", "get_ipython"}
ADDRESS = re.compile(r" (at|object at) 0x[0-9a-f]+")


def describe(obj, depth=0, seen=()):
    if id(obj) in seen or depth > 8:
        return "<cycle>"
    seen = seen + (id(obj),)
    d = lambda o: describe(o, depth + 1, seen)
    if obj is None or isinstance(obj, (bool, int, float, complex, str, bytes)):
        return repr(obj)
    if isinstance(obj, (list, tuple)):
        return [type(obj).__name__, [d(x) for x in obj]]
    if isinstance(obj, dict):
        return ["dict", sorted(([repr(k), d(v)] for k, v in obj.items()), key=repr)]
    if isinstance(obj, (set, frozenset)):
        return ["set", sorted(repr(d(x)) for x in obj)]
    if isinstance(obj, types.ModuleType):
        return "module " + obj.__name__
    if isinstance(obj, types.FunctionType):
        code = obj.__code__
        cells_ = [d(c.cell_contents) if c.cell_contents is not obj else "self"
                  for c in (obj.__closure__ or ())]
        return ["function", obj.__qualname__, code.co_code.hex(), repr(code.co_consts),
                d(obj.__defaults__), cells_]
    if isinstance(obj, type):
        attrs = {k: v for k, v in vars(obj).items()
                 if k not in ("__dict__", "__weakref__", "__module__", "__doc__")}
        return ["class", obj.__qualname__, d(attrs)]
    if type(obj).__module__ == "numpy" or hasattr(obj, "__array_interface__"):
        try:
            data = hashlib.sha1(obj.tobytes()).hexdigest()
            return ["ndarray", str(obj.dtype), list(obj.shape), data]
        except AttributeError:
            pass
    torch = sys.modules.get("torch")
    if torch is not None:
        if isinstance(obj, torch.Tensor):
            return ["tensor", hashlib.sha1(obj.detach().cpu().numpy().tobytes()).hexdigest()]
        if isinstance(obj, torch.nn.Module):
            return ["nn", type(obj).__name__, d(dict(obj.state_dict()))]
        if isinstance(obj, torch.optim.Optimizer):
            return ["optim", d(obj.state_dict())]
        if isinstance(obj, torch.Generator):
            return ["generator", d(obj.get_state())]
    if isinstance(obj, types.GeneratorType):
        return "generator"
    if hasattr(obj, "__dict__"):
        return [type(obj).__qualname__, d(dict(vars(obj)))]
    return ADDRESS.sub("", repr(obj))


def digest(obj):
    return hashlib.sha1(json.dumps(describe(obj), default=str).encode()).hexdigest()


def files():
    found = {}
    for root, dirs, names in os.walk("."):
        for name in names:
            path = os.path.relpath(os.path.join(root, name))
            if path not in ("cells.json", "run.json"):
                found[path] = hashlib.sha1(open(path, "rb").read()).hexdigest()
        for name in dirs:
            found[os.path.relpath(os.path.join(root, name)) + "/"] = "dir"
    return found


records = {}
for cell_id, source in cells:
    if cell_id == skip:
        continue
    with capture_output() as captured:
        result = shell.run_cell(source, store_history=True)
    error = result.error_before_exec or result.error_in_exec
    names = {k: digest(v) for k, v in shell.user_ns.items()
             if k not in hidden and not k.startswith("_")}
    records[cell_id] = {
        "out": captured.stdout + captured.stderr,
        "error": type(error).__name__ if error else None,
        "result": digest(result.result),
        "names": names,
        "files": files(),
    }
json.dump(records, open(out_path, "w"))
"""


def run_cells(nb: CorpusNotebook, skip: str, work: Path) -> dict:
    """Runs the notebook's code cells but `skip` in a fresh folder; returns each cell's record."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for data in data_files():
        shutil.copy(data, work)
    (work / "cells.json").write_text(json.dumps([[c.id, c.source] for c in nb.code_cells]))
    subprocess.run(
        [sys.executable, "-c", DRIVER, "cells.json", skip, "run.json"],
        cwd=work,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return json.loads((work / "run.json").read_text())


def changed(records: dict, order: list[str], cell: str) -> set[str]:
    """What `cell` changed in a run: names (`n:`) and files (`f:`) that differ from before it."""
    i = order.index(cell)
    before = records[order[i - 1]] if i else {"names": {}, "files": {}}
    after = records[cell]
    out = set()
    for kind, key in (("n:", "names"), ("f:", "files")):
        for name in set(before[key]) | set(after[key]):
            if before[key].get(name) != after[key].get(name):
                out.add(kind + name)
    return out


def observed(records: dict, cell: str, keys: set[str]) -> dict:
    record = records.get(cell)
    if record is None:
        return {}
    seen = {"error": record["error"], "result": record["result"], "out": record["out"]}
    for key in keys - set(seen):
        kind, name = key[:2], key[2:]
        seen[key] = record["names" if kind == "n:" else "files"].get(name)
    return seen


def ablate(nb: CorpusNotebook, scratch: Path) -> list[str]:
    order = [c.id for c in nb.code_cells]
    first = run_cells(nb, "", scratch / "baseline-1")
    second = run_cells(nb, "", scratch / "baseline-2")
    # What the cell changed, less what differs between two full runs anyway.
    keys = {}
    for cell in order:
        keys[cell] = {
            k
            for k in changed(first, order, cell) | {"out", "error", "result"}
            if observed(first, cell, {k}).get(k) == observed(second, cell, {k}).get(k)
        }
    depends: dict[str, set[str]] = {cell: set() for cell in order}
    for left_out in order:
        trial = run_cells(nb, left_out, scratch / f"without-{left_out}")
        for cell in order[order.index(left_out) + 1 :]:
            want = {k: v for k, v in observed(first, cell, keys[cell]).items() if k in keys[cell]}
            got = {k: v for k, v in observed(trial, cell, keys[cell]).items() if k in keys[cell]}
            if want != got:
                depends[cell].add(left_out)
    report = []
    for cell in nb.code_cells:
        expected = nb.closure(cell.id)
        only_ablation = sorted(depends[cell.id] - expected)
        only_expected = sorted(expected - depends[cell.id])
        if only_ablation or only_expected:
            report.append(
                f"{nb.name}:{cell.id}: ablation also finds {only_ablation}; "
                f"expected but not seen by ablation {only_expected}"
            )
    return report


def main(args: list[str]) -> int:
    notebooks = load_corpus()
    if args:
        notebooks = [nb for nb in notebooks if nb.path.name in args or nb.name in args]
    lines = []
    with tempfile.TemporaryDirectory(prefix="ablate-") as scratch:
        for nb in notebooks:
            found = ablate(nb, Path(scratch) / nb.name)
            print(f"{nb.name}: {len(nb.code_cells)} cells, {len(found)} differences", flush=True)
            lines += found
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
