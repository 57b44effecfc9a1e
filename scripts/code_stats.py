"""Size of the application code: lines of Python and of templates, and how long its functions are.

    .venv/bin/python scripts/code_stats.py [ROOT]

Application code is the project's packages without tests, migrations, bench/ and scripts/; lines are non-blank.
A function's length is its lines from `def` to its last statement, docstring included.
"""

import ast
import statistics
import sys
from pathlib import Path

PACKAGES = ("accounts", "config", "core", "inspections", "recommendations", "reminders")
TEMPLATE_DIRS = ("templates", *(f"{package}/templates" for package in PACKAGES))


def python_files(root: Path) -> list[Path]:
    return sorted(
        path for package in PACKAGES for path in (root / package).rglob("*.py") if "migrations" not in path.parts
    )


def template_files(root: Path) -> list[Path]:
    return sorted(path for folder in TEMPLATE_DIRS for path in (root / folder).rglob("*") if path.is_file())


def non_blank_lines(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def function_lengths(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.end_lineno or node.lineno) - node.lineno + 1
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def percentile(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(root: Path) -> None:
    modules = python_files(root)
    lengths = [length for path in modules for length in function_lengths(path)]
    templates = template_files(root)
    print(f"Python: {sum(map(non_blank_lines, modules)):,} lines in {len(modules)} modules")
    print(f"Templates: {sum(map(non_blank_lines, templates)):,} lines in {len(templates)} files")
    print(
        f"Functions: {len(lengths):,}; length median {statistics.median(lengths):g}, "
        f"p90 {percentile(lengths, 0.9)}, longest {max(lengths)} lines"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]))
