"""Write the first cell of every chapter: install crossent where it is missing.

Usage: python tools/first_cell.py [--check] [NOTEBOOK ...]   (default: every book/**/*.ipynb)

A chapter opened in Colab, Binder or a plain Jupyter has no ``crossent``. Its first cell,
hidden from the book (tag ``remove-cell``), installs the package with the book's extras
from the requirement that ``[tool.crossent.book] repository`` in pyproject.toml names, the
one place that says where the book is published. The environment variable
CROSSENT_BOOK_REQUIREMENT overrides it (a test points it at a local wheel). With neither,
the cell stops with a message that says how to install from a clone. Where crossent is
already importable, as in the project's own environment, the cell does nothing.

Run this after changing the repository URL or adding a chapter; the test
tests/test_book_structure.py fails when a chapter's first cell is not the generated one.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CELL_ID = "install-crossent"
TAG = "remove-cell"

TEMPLATE = '''\
# Install crossent and the book's extras where they are missing (Colab, Binder, a plain
# Jupyter). Written by tools/first_cell.py from pyproject.toml; hidden in the book.
import importlib.util
import os

if importlib.util.find_spec("crossent") is None:
    requirement = os.environ.get("CROSSENT_BOOK_REQUIREMENT", "{default}")
    if not requirement:
        raise ModuleNotFoundError(
            "This chapter needs the crossent package. In a clone of the book's repository, "
            "run:  pip install -e '.[book]'  (or make lab), then restart the kernel."
        )
    %pip install --quiet "{{requirement}}"
    importlib.invalidate_caches()
'''


def repository() -> str:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["tool"]["crossent"]["book"]["repository"].strip()


def cell_source(repository_url: str) -> str:
    default = f"crossent[book] @ git+{repository_url}" if repository_url else ""
    return TEMPLATE.format(default=default)


def install_cell(repository_url: str) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": CELL_ID,
        "metadata": {"tags": [TAG]},
        "outputs": [],
        "source": cell_source(repository_url).splitlines(keepends=True),
    }


def first_cell_is_current(notebook: dict, repository_url: str) -> bool:
    first = notebook["cells"][0]
    return (
        first["cell_type"] == "code"
        and "".join(first["source"]) == cell_source(repository_url)
        and first.get("metadata", {}).get("tags") == [TAG]
    )


def update(notebook: dict, repository_url: str) -> None:
    """Replace the install cell in place, or put a new one first."""
    if notebook["cells"] and notebook["cells"][0].get("id") == CELL_ID:
        notebook["cells"][0]["source"] = install_cell(repository_url)["source"]
        notebook["cells"][0]["metadata"] = {"tags": [TAG]}
    else:
        notebook["cells"].insert(0, install_cell(repository_url))


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a) for a in argv if a != "--check"] or sorted(
        p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )
    url = repository()
    stale = []
    for path in paths:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        if first_cell_is_current(notebook, url):
            continue
        stale.append(path)
        if not check:
            update(notebook, url)
            text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
            path.write_text(text, encoding="utf-8")
    verb = "out of date" if check else "updated (re-execute them: make notebooks)"
    for path in stale:
        print(f"{path.resolve().relative_to(ROOT)}: first cell {verb}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
