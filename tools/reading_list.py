"""Write the intro's "How to read it" list from the table of contents.

Usage: python tools/reading_list.py [--check]

The intro (book/intro.ipynb) lists every part of the book and links every chapter, in the
order of _toc.yml. The list is a plain Markdown cell, so the intro runs alone (in Colab, or
copied out of the repository) and shows the same page; this script generates that cell
from _toc.yml, and tests/test_book_structure.py fails when the two disagree. Run it after
adding a chapter or a part.
"""

from __future__ import annotations

import json
import posixpath
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
INTRO = ROOT / "book" / "intro.ipynb"
HEADING = "## How to read it"

# One line per part of the book, shown after its caption. A part without an entry here is
# still listed, with its chapters.
ABOUT = {
    "Before you start": "the letters every chapter uses.",
    "Part I: Foundations": (
        "the two classification tasks, the sigmoid, the softmax, and cross-entropy as "
        "information theory defines it."
    ),
    "Part II: The losses": (
        "each loss derived, its gradient checked and drawn, and the hand-written versions "
        "that circulate online put to the test."
    ),
    "Part III: In practice": "training, floating point, gradient checks and the frameworks.",
    "Reference": "the API of `crossent` and the bibliography.",
}


def toc_parts(toc_path: Path = ROOT / "_toc.yml") -> list[tuple[str, list[str]]]:
    """The parts of the book in reading order: (caption, [docname, ...])."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    return [
        (part["caption"], [re.sub(r"\.(ipynb|md)$", "", c["file"]) for c in part["chapters"]])
        for part in toc["parts"]
    ]


def reading_list(parts: list[tuple[str, list[str]]]) -> str:
    """The Markdown cell: the heading, then one item per part with its chapters linked."""
    items = []
    for caption, chapters in parts:
        about = f" {ABOUT[caption]}" if caption in ABOUT else ""
        links = "".join(
            f"\n  - {{doc}}`{posixpath.relpath(docname, 'book')}`" for docname in chapters
        )
        items.append(f"- **{caption}:**{about}{links}")
    return f"{HEADING}\n\n" + "\n".join(items)


def intro_cell(notebook: dict) -> dict:
    """The intro's Markdown cell that starts with the heading."""
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and source.startswith(HEADING):
            return cell
    raise LookupError(f"book/intro.ipynb has no Markdown cell starting with {HEADING!r}")


def main(argv: list[str]) -> int:
    expected = reading_list(toc_parts())
    notebook = json.loads(INTRO.read_text(encoding="utf-8"))
    cell = intro_cell(notebook)
    if "".join(cell["source"]) == expected:
        return 0
    if "--check" in argv:
        print("book/intro.ipynb: the reading list is out of date: run tools/reading_list.py")
        return 1
    cell["source"] = expected.splitlines(keepends=True)
    INTRO.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print("book/intro.ipynb: reading list updated from _toc.yml")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
