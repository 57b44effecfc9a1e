"""No import cycles between the project's own modules, nor between its apps (top-level packages).

Every `import` and `from ... import` counts, at module level or inside a function: an import moved into a function
to dodge a cycle still ties the two modules together, so the shared rule belongs in the module that owns it. Only
imports under `if TYPE_CHECKING:` are left out: they never run and exist for type hints alone. A model named by a
string ("inspections.Region" in a ForeignKey) is not an import.

The apps are layered; each imports only those below it:

    core <- accounts <- inspections <- recommendations <- reminders <- config   (bench and tests on top)

core is page layout and shared helpers; accounts, the people and their roles; inspections, regions, inspections and
the report parser; recommendations, everything about a recommendation, including the pages, admin and import that
show or write an inspection with its recommendations (they need its rules); reminders, the emails about them;
config, the settings and URLs that put them together. Code that needs an app above its own belongs up there.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

Edge = tuple[str, int | str]  # the imported module (or app) and where: the line of the import (or module and line)
LAYERS = ("core", "accounts", "inspections", "recommendations", "reminders", "config")  # bottom first


def project_modules(root: Path) -> dict[str, Path]:
    """Every module of the project's packages (a top-level folder with __init__.py), by dotted name; not migrations,
    which Django loads by itself and which only import what they were generated with."""
    modules = {}
    for package in sorted(path.parent for path in root.glob("*/__init__.py")):
        for path in package.rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def _nearest(name: str, modules: dict[str, Path]) -> str | None:
    """The project module `name` names, or its nearest package that is one (None: not the project's)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of the module except those under `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        test = node.test if isinstance(node, ast.If) else None
        if (
            isinstance(node, ast.If)
            and test is not None
            and ast.unparse(test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
        ):
            yield from (child for orelse in node.orelse for child in [orelse, *_runtime_nodes(orelse)])
            continue
        yield node
        yield from _runtime_nodes(node)


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[Edge]:
    """The project modules that module `name` imports, wherever in it the import is."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    edges: set[Edge] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, up level - 1
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            # `from package import module` imports the module; `from module import name`, the module.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for target in targets:
            if (found := _nearest(target, modules)) and found != name:
                edges.add((found, node.lineno))
    return edges


def import_graph(root: Path) -> dict[str, set[Edge]]:
    modules = project_modules(root)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def app_graph(graph: dict[str, set[Edge]]) -> dict[str, set[Edge]]:
    """The imports between top-level packages, each with the module and line that makes it."""
    apps: dict[str, set[Edge]] = {name.partition(".")[0]: set() for name in graph}
    for name, edges in graph.items():
        for target, line in edges:
            if (app := name.partition(".")[0]) != (target_app := target.partition(".")[0]):
                apps[app].add((target_app, f"{name} line {line}"))
    return apps


def cycles(graph: dict[str, set[Edge]]) -> list[frozenset[str]]:
    """The groups of modules that import each other, directly or through others (strongly connected components of
    more than one module), by Tarjan's algorithm without recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(target for target, _ in graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(t for t, _ in graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(frozenset(group))
    return found


def describe(group: frozenset[str], graph: dict[str, set[Edge]]) -> str:
    """The group and one import path round it, e.g. `a, b: a (line 3) -> b (line 9) -> a`, found breadth-first
    (between apps: `a (a.admin line 3) -> b ...`)."""
    start = min(group)
    paths: dict[str, list[str]] = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target, line in sorted(graph[node]):
            where = f"line {line}" if isinstance(line, int) else line
            step = [*paths[node][:-1], f"{node} ({where})", target]
            if target == start:
                return f"{', '.join(sorted(group))}: {' -> '.join(step)}"
            if target in group and target not in paths:
                paths[target] = step
                queue.append(target)
    raise AssertionError(f"no cycle through {start}")


def test_the_project_has_no_import_cycle() -> None:
    graph = import_graph(ROOT)
    assert "recommendations.models" in graph and "accounts.models" in graph  # it read the project

    found = [describe(group, graph) for group in cycles(graph)]

    assert found == [], "import cycles:\n" + "\n".join(found)


def test_the_apps_have_no_import_cycle() -> None:
    apps = app_graph(import_graph(ROOT))
    assert set(LAYERS) <= set(apps)  # it read every app

    found = [describe(group, apps) for group in cycles(apps)]

    assert found == [], "import cycles between apps:\n" + "\n".join(found)


def test_each_app_imports_only_the_apps_below_it() -> None:
    apps = app_graph(import_graph(ROOT))
    rank = {app: LAYERS.index(app) if app in LAYERS else len(LAYERS) for app in apps}  # bench, tests: on top

    edges = [(app, target, where) for app in LAYERS for target, where in apps[app]]
    upward = sorted(f"{app} -> {target} ({where})" for app, target, where in edges if rank[target] > rank[app])

    assert upward == [], "imports of an app at or above the importer's layer (LAYERS):\n" + "\n".join(upward)


def test_a_cycle_is_found_and_reported_wherever_its_imports_are(tmp_path: Path) -> None:
    app = tmp_path / "app"
    (app / "migrations").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "migrations" / "0001_initial.py").write_text("import app.models\n")
    (app / "models.py").write_text("from app import rules\n")
    (app / "rules.py").write_text("def rule():\n    from .models import THING\n")  # inside a function
    (app / "hints.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app import views\n")
    (app / "views.py").write_text("import app.hints\nimport os\n")

    graph = import_graph(tmp_path)

    assert set(graph) == {"app", "app.models", "app.rules", "app.hints", "app.views"}  # not migrations
    assert cycles(graph) == [frozenset({"app.models", "app.rules"})]  # not hints <-> views (TYPE_CHECKING)
    assert describe(frozenset({"app.models", "app.rules"}), graph) == (
        "app.models, app.rules: app.models (line 1) -> app.rules (line 2) -> app.models"
    )


def test_a_cycle_between_apps_names_the_modules_that_make_it(tmp_path: Path) -> None:
    for app in ("lower", "upper"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
    (tmp_path / "lower" / "models.py").write_text("X = 1\n")
    (tmp_path / "lower" / "admin.py").write_text("import os\n\ndef f():\n    from upper.rules import Y\n")
    (tmp_path / "upper" / "rules.py").write_text("from lower.models import X\nY = X\n")

    graph = import_graph(tmp_path)
    apps = app_graph(graph)

    assert cycles(graph) == []  # no module imports itself back
    assert cycles(apps) == [frozenset({"lower", "upper"})]
    assert describe(frozenset({"lower", "upper"}), apps) == (
        "lower, upper: lower (lower.admin line 4) -> upper (upper.rules line 1) -> lower"
    )
