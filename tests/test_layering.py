"""The package follows the data flow: arrows point one way and there are no import cycles.

Reads the import graph of the *installed* ``duikou`` package (every ``import`` statement,
at module level or inside functions) and checks it against the declared layer order in
:data:`duikou.LAYERS`. A module may import only from its own layer or from layers before
it; no two modules may import each other, directly or through others.
"""

from __future__ import annotations

import ast
import importlib.util
import pkgutil
from pathlib import Path

import duikou


def _modules() -> dict[str, Path]:
    found = {"duikou": Path(duikou.__file__)}
    for info in pkgutil.walk_packages(duikou.__path__, prefix="duikou."):
        spec = importlib.util.find_spec(info.name)
        assert spec is not None and spec.origin, info.name
        found[info.name] = Path(spec.origin)
    return found


def _target(name: str, modules: dict[str, Path]) -> str | None:
    """The duikou module an import names (a package's attribute may be a module too)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                names = [f"{base}.{a.name}" for a in node.names] + [base]
            for n in names:
                if n == "duikou" or n.startswith("duikou."):
                    t = _target(n, modules)
                    if t and t != mod and not (t == "duikou" and n != "duikou"):
                        graph[mod].add(t)
    return graph


def layer_of(module: str) -> int | None:
    """The index of the layer holding ``module``: a layer's entry names a module and its
    submodules, except the root package ``duikou``, which names only itself."""
    for i, (_, prefixes) in enumerate(duikou.LAYERS):
        if any(module == p or (p != "duikou" and module.startswith(p + "."))
               for p in prefixes):
            return i
    return None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_every_module_belongs_to_a_layer():
    unassigned = sorted(m for m in import_graph() if layer_of(m) is None)
    assert not unassigned, f"modules outside every layer of duikou.LAYERS: {unassigned}"


def test_imports_point_against_the_flow_nowhere():
    graph = import_graph()
    names = [n for n, _ in duikou.LAYERS]
    bad = [f"{m} ({names[layer_of(m)]}) imports {t} ({names[layer_of(t)]})"
           for m, targets in sorted(graph.items()) for t in sorted(targets)
           if layer_of(m) is not None and layer_of(t) is not None and layer_of(t) > layer_of(m)]
    assert not bad, "imports against the layer order:\n" + "\n".join(bad)


def test_no_import_cycles():
    cycles = _cycles(import_graph())
    assert not cycles, f"import cycles: {cycles}"


def test_the_checker_sees_a_cycle_and_a_backward_arrow():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
    assert layer_of("duikou.schema") == 0
    assert layer_of("duikou.app.cli") == len(duikou.LAYERS) - 1
