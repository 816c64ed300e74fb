"""The book's structure: the table of contents, the intro's reading list and the chapters
the registry points readers to, checked against each other."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

from crossent import names

ROOT = Path(__file__).resolve().parents[1]

spec = importlib.util.spec_from_file_location("reading_list", ROOT / "tools" / "reading_list.py")
reading_list = importlib.util.module_from_spec(spec)
spec.loader.exec_module(reading_list)

PARTS = reading_list.toc_parts()
LISTED = [docname for _, chapters in PARTS for docname in chapters]


def test_every_toc_entry_has_a_source_file() -> None:
    missing = [
        docname
        for docname in LISTED
        if not any((ROOT / f"{docname}{suffix}").is_file() for suffix in (".ipynb", ".md"))
    ]
    assert not missing, f"_toc.yml lists pages that do not exist: {missing}"


def test_the_intro_reading_list_is_generated_from_the_toc() -> None:
    notebook = json.loads(reading_list.INTRO.read_text(encoding="utf-8"))
    shown = "".join(reading_list.intro_cell(notebook)["source"])
    assert shown == reading_list.reading_list(PARTS), (
        "the intro's reading list differs from _toc.yml: run python tools/reading_list.py"
    )


def test_the_reading_list_links_every_chapter_once_in_order() -> None:
    text = reading_list.reading_list(PARTS)
    linked = ["book/" + target for target in re.findall(r"\{doc\}`([^`]+)`", text)]
    assert linked == LISTED
    assert [caption for caption, _ in PARTS] == re.findall(r"^- \*\*(.+?):\*\*", text, re.M)


def test_every_chapter_the_registry_names_is_in_the_book() -> None:
    chapters = set(names.CHAPTERS) | {loss.chapter for loss in names.LOSSES}
    assert chapters <= set(LISTED), chapters - set(LISTED)


def test_the_notation_page_comes_before_part_one() -> None:
    assert LISTED.index("book/notation") < LISTED.index("book/foundations/tasks")


first_cell_spec = importlib.util.spec_from_file_location("first_cell", ROOT / "tools" / "first_cell.py")
first_cell = importlib.util.module_from_spec(first_cell_spec)
first_cell_spec.loader.exec_module(first_cell)
NOTEBOOKS = sorted(ROOT / f"{docname}.ipynb" for docname in LISTED if (ROOT / f"{docname}.ipynb").is_file())


def test_every_chapter_starts_with_the_install_cell() -> None:
    # So that a chapter opened in Colab or Binder installs crossent itself.
    url = first_cell.repository()
    stale = [
        str(path.relative_to(ROOT))
        for path in NOTEBOOKS
        if not first_cell.first_cell_is_current(json.loads(path.read_text(encoding="utf-8")), url)
    ]
    assert not stale, f"run python tools/first_cell.py, then make notebooks: {stale}"


def test_the_install_cell_names_the_repository_once_it_is_set() -> None:
    source = first_cell.cell_source("https://github.com/example/book")
    assert '"crossent[book] @ git+https://github.com/example/book"' in source
    assert 'os.environ.get("CROSSENT_BOOK_REQUIREMENT", "")' in first_cell.cell_source("")
