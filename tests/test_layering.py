"""The package's import structure: levels depend downwards only, and no module imports
(at module level) one that imports it back."""

from __future__ import annotations

import ast
import pathlib

import tensorir

ROOT = pathlib.Path(tensorir.__file__).parent


def _modules() -> dict[str, pathlib.Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _imports(name: str, module_level_only: bool) -> set[str]:
    """The tensorir modules ``name`` imports (``from pkg import mod`` counts as ``pkg.mod``);
    with ``module_level_only``, not those imported inside functions."""
    tree = ast.parse(MODULES[name].read_text())
    is_package = MODULES[name].name == "__init__.py"
    nodes = []
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            nodes.append(node)
        elif not (module_level_only and isinstance(node, ast.FunctionDef | ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
            continue
        if node.level:
            package = name.split(".")
            package = package[: len(package) - node.level + (1 if is_package else 0)]
            base = ".".join(package + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        for alias in node.names:
            full = f"{base}.{alias.name}"
            found.add(full if full in MODULES else base)
    return {m for m in found if m in MODULES}


def test_no_import_cycles() -> None:
    graph = {m: _imports(m, module_level_only=True) for m in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while (w := stack.pop()) != v:
                component.append(w)
            if component:
                cycles.append(sorted([v, *component]))

    for v in graph:
        if v not in index:
            visit(v)
    assert cycles == [], f"modules importing each other: {cycles}"


def _imports_any(prefixes: tuple[str, ...], of: str) -> dict[str, set[str]]:
    bad = {}
    for m in MODULES:
        if m == of or m.startswith(of + "."):
            hits = {i for i in _imports(m, module_level_only=False) if i.startswith(prefixes)}
            if hits:
                bad[m] = hits
    return bad


def test_dialects_and_lowering_do_not_import_the_runtime_or_frontend() -> None:
    banned = ("tensorir.runtime", "tensorir.frontend", "tensorir.compile")
    assert _imports_any(banned, "tensorir.dialects") == {}
    assert _imports_any(banned, "tensorir.lowering") == {}


def test_the_runtime_imports_no_compiler_module() -> None:
    banned = ("tensorir.dialects", "tensorir.lowering", "tensorir.frontend", "tensorir.compile")
    assert _imports_any(banned, "tensorir.runtime") == {}


def test_variable_methods_are_all_defined() -> None:
    from tensorir.frontend import graph, methods

    assert set(methods.METHODS) == set(graph._METHOD_NAMES)
    assert set(methods.PROPERTIES) == set(graph._PROPERTY_NAMES)
