"""Compare two directories written by scripts/page_snapshots.py, page by page, in a Markdown report (issue 13).

    python scripts/compare_snapshots.py BEFORE AFTER [--report FILE]

Each page is identical or changed; a change is classified (missing page, status changed, query count changed,
text changed, element/attribute changed) and shown as a unified diff of the normalised HTML, one element or text
a line ("| " starts a text line). The report goes to FILE, or to standard output. Exits 1 if any page changed.
"""

import argparse
import difflib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Index = dict[str, dict[str, dict[str, Any]]]


@dataclass
class Comparison:
    persona: str
    slug: str
    changes: list[str] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.persona}/{self.slug}"


def load_index(folder: Path) -> Index:
    index: Index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    return index


def compare_page(before: Path, after: Path, persona: str, slug: str, facts: tuple[Any, Any]) -> Comparison:
    """What differs about one page: its presence, status, query count, then its normalised HTML line by line."""
    found = Comparison(persona, slug)
    old, new = facts
    if old is None or new is None:
        found.changes.append("missing page: " + ("not in BEFORE" if old is None else "not in AFTER"))
        return found
    for key, label in (("status", "status"), ("queries", "query count"), ("location", "redirect")):
        if old.get(key) != new.get(key):
            found.changes.append(f"{label} changed: {old.get(key)} → {new.get(key)}")
    old_lines = (before / persona / slug).read_text(encoding="utf-8").splitlines()
    new_lines = (after / persona / slug).read_text(encoding="utf-8").splitlines()
    found.diff = list(
        difflib.unified_diff(old_lines, new_lines, f"before/{found.name}", f"after/{found.name}", n=2, lineterm="")
    )
    found.changes += classify(found.diff, plain_text=slug.endswith(".txt"))
    return found


def classify(diff: list[str], *, plain_text: bool = False) -> list[str]:
    """'text changed' and/or 'element/attribute changed', with how many lines the diff removes and adds of each:
    in normalised HTML an element's line starts with "<" and a text's with "|"; a plain text email is all text."""
    counts: dict[str, list[str]] = {"text": [], "element/attribute": []}
    for line in diff:
        if line[:1] in "+-" and not line.startswith(("+++", "---")):
            element = not plain_text and line[1:].lstrip().startswith("<")
            counts["element/attribute" if element else "text"].append(line[0])
    return [
        f"{kind} changed (-{signs.count('-')} +{signs.count('+')} lines)" for kind, signs in counts.items() if signs
    ]


def compare(before: Path, after: Path) -> list[Comparison]:
    old, new = load_index(before), load_index(after)
    results = []
    for persona in sorted(set(old) | set(new)):
        pages_before, pages_after = old.get(persona, {}), new.get(persona, {})
        for slug in sorted(set(pages_before) | set(pages_after)):
            facts = (pages_before.get(slug), pages_after.get(slug))
            results.append(compare_page(before, after, persona, slug, facts))
    return results


def report(before: Path, after: Path, results: list[Comparison]) -> str:
    changed = [result for result in results if result.changes]
    lines = [
        "# Page snapshots compared",
        "",
        f"Before: `{before}` ({_commit(before)}); after: `{after}` ({_commit(after)}).",
        "",
        f"{len(results)} pages: {len(results) - len(changed)} identical, {len(changed)} changed.",
        "",
    ]
    if changed:
        lines += ["| Page | Changes |", "| --- | --- |"]
        lines += [f"| [{result.name}](#{_anchor(result.name)}) | {'; '.join(result.changes)} |" for result in changed]
    for result in changed:
        lines += ["", f"## {result.name}", "", *[f"- {change}" for change in result.changes]]
        if result.diff:
            lines += ["", "```diff", *result.diff, "```"]
    return "\n".join(lines) + "\n"


def _commit(folder: Path) -> str:
    commit = folder / "COMMIT"
    return commit.read_text(encoding="utf-8").splitlines()[0] if commit.exists() else "commit not recorded"


def _anchor(name: str) -> str:
    """GitHub's anchor for a heading: lower case, no punctuation but hyphens, spaces as hyphens."""
    return "".join(char for char in name.lower() if char.isalnum() or char in "-_ ").replace(" ", "-")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--report", type=Path, help="write the Markdown report here (default: standard output)")
    arguments = parser.parse_args(argv[1:])
    results = compare(arguments.before, arguments.after)
    text = report(arguments.before, arguments.after, results)
    if arguments.report:
        arguments.report.write_text(text, encoding="utf-8")
        changed = sum(bool(result.changes) for result in results)
        print(f"{len(results)} pages, {changed} changed: {arguments.report}")
    else:
        sys.stdout.write(text)
    return 1 if any(result.changes for result in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
