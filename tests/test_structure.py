"""The package's shape: no import cycle inside lrlab, and (almost) no imports hidden in functions."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "lrlab"
MAX_LOCAL_IMPORTS = 3  # lrlab imports inside a function, each needing a reason in a comment


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path):
    """(module-level lrlab imports, function-level lrlab imports) of one file, as module names:
    ``from lrlab import surfaces`` depends on the module lrlab.surfaces, ``from lrlab import descend``
    on the package lrlab (its __init__)."""
    tree = ast.parse(path.read_text())
    top, local = set(), []
    here = _module(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]

    def names(node) -> list[str]:
        if isinstance(node, ast.Import):
            return [a.name for a in node.names]
        base = node.module or ""
        if node.level:
            base = ".".join(
                package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
            )
        modules = {_module(p) for p in PKG.rglob("*.py")}
        return [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]

    def visit(node, in_function: bool):
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import | ast.ImportFrom):
                found = [n for n in names(child) if n == "lrlab" or n.startswith("lrlab.")]
                if found:
                    (local.append((child.lineno, found)) if in_function else top.update(found))
            visit(child, inner)

    visit(tree, False)
    return top, local


def _graph() -> dict[str, set[str]]:
    files = {_module(p): p for p in PKG.rglob("*.py")}
    graph = {}
    for mod, path in files.items():
        top, _ = _imports(path)
        graph[mod] = {m for m in top if m in files and m != mod}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    out, state = [], {}

    def walk(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                out.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                walk(nxt, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            walk(node, [])
    return out


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_lrlab():
    graph = _graph()
    assert {"lrlab.surfaces", "lrlab.ui.explorer.config"} <= graph["lrlab.ui.explorer.page"]  # it reads
    assert _cycles(graph) == []


def test_lrlab_imports_inside_functions_are_few():
    local = []
    for path in sorted(PKG.rglob("*.py")):
        local += [(str(path.relative_to(ROOT)), line, mods) for line, mods in _imports(path)[1]]
    assert len(local) <= MAX_LOCAL_IMPORTS, local


def test_the_engine_never_imports_streamlit():
    for path in PKG.rglob("*.py"):
        if "ui" in path.relative_to(PKG).parts:
            continue
        tree = ast.parse(path.read_text())
        mods = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        mods += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not any(m.split(".")[0] == "streamlit" for m in mods), path
