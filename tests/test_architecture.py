"""The layout's contracts and the habits that keep it so, checked as tests:
the import-linter contracts of pyproject.toml, no import cycle between any
two modules (lazy and TYPE_CHECKING imports included), ruff and mypy."""

from __future__ import annotations

import subprocess
import sys

import grimp

from conftest import REPO


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)


def test_import_linter_contracts_are_kept():
    # in this interpreter, so that it checks the qieci the tests import
    code = (
        "import sys; from importlinter.cli import lint_imports_command; "
        "sys.argv = ['lint-imports', '--no-cache']; lint_imports_command()"
    )
    res = run(sys.executable, "-c", code)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "0 broken" in res.stdout


def strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
    """The import cycles of ``graph``: its strongly connected components of
    more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles: list[set[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        m = stack.pop()
                        on_stack.discard(m)
                        component.add(m)
                        if m == node:
                            break
                    if len(component) > 1:
                        cycles.append(component)
    return cycles


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for a, b in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        graph.add_import(importer=a, imported=b)
    assert strongly_connected(graph) == [{"p.a", "p.b", "p.c"}]


def kernels() -> dict[str, set[str]]:
    """package -> the compiled kernels in it (``_core`` ...), from the .pyx files."""
    out: dict[str, set[str]] = {}
    for pyx in (REPO / "src").rglob("*.pyx"):
        parts = pyx.relative_to(REPO / "src").with_suffix("").parts
        out.setdefault(".".join(parts[:-1]), set()).add(parts[-1])
    return out


def module_graph() -> grimp.ImportGraph:
    """qieci's import graph, with the imports of compiled kernels pointing
    at the kernels. grimp sees only .py files, so it records
    ``from . import _core`` as an import of the package itself; a kernel
    imports no Python module of qieci."""
    graph = grimp.build_graph("qieci", exclude_type_checking_imports=False, cache_dir=None)
    found = kernels()
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            names = found.get(imported, set())
            lines = [
                d["line_contents"]
                for d in graph.get_import_details(importer=importer, imported=imported)
            ]
            used = {k for k in names if any(k in line for line in lines)}
            if used and all(any(k in line for k in used) for line in lines):
                graph.remove_import(importer=importer, imported=imported)
                for k in used:
                    graph.add_import(importer=importer, imported=f"{imported}.{k}")
    return graph


def test_the_kernels_are_found():
    assert kernels() == {
        "qieci.engines.jieba": {"_core", "_posseg"},
        "qieci.engines.learned": {"_learned"},
        "qieci.analyse": {"_keywords"},
        "qieci.discover": {"_discover"},
        "qieci._cpu": {"_vector"},
    }


def test_no_import_cycle_between_modules():
    assert strongly_connected(module_graph()) == []


def test_ruff_lint_and_format():
    res = run(sys.executable, "-m", "ruff", "check", "src", "tests", "bench", "tools")
    assert res.returncode == 0, res.stdout + res.stderr
    res = run(sys.executable, "-m", "ruff", "format", "--check", "src", "tests", "bench", "tools")
    assert res.returncode == 0, res.stdout + res.stderr


def test_mypy_is_clean():
    res = run(sys.executable, "-m", "mypy")
    assert res.returncode == 0, res.stdout + res.stderr
