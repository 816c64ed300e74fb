"""Checks on the notebooks themselves, the ones nbval cannot make.

nbval compares each stored output with a fresh run, but it silently skips a code cell that
was never executed, and it cannot tell a deliberate ``nbval-ignore-output`` from a lazy one.
These tests close those gaps.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    path for path in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts
)
# Tag for outputs that depend on the machine (timings); nothing else may carry it.
IGNORE_OUTPUT_TAG = "nbval-ignore-output"
TIMING_MARKERS = ("timeit", "perf_counter", "time.time", "benchmark")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def source(cell: dict) -> str:
    text = cell["source"]
    return "".join(text) if isinstance(text, list) else text


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "no notebooks found under book/"


@pytest.fixture(params=NOTEBOOKS, ids=lambda path: str(path.relative_to(ROOT)))
def notebook(request: pytest.FixtureRequest) -> dict:
    return load(request.param)


def test_every_code_cell_was_executed(notebook: dict) -> None:
    never_run = [
        index
        for index, cell in enumerate(code_cells(notebook))
        if source(cell).strip() and cell.get("execution_count") is None
    ]
    assert not never_run, f"code cells never executed (nbval would skip them): {never_run}"


def test_cells_were_executed_in_order_in_one_session(notebook: dict) -> None:
    counts = [
        cell["execution_count"] for cell in code_cells(notebook) if source(cell).strip()
    ]
    assert counts == list(range(1, len(counts) + 1)), (
        f"execution counts {counts}: re-run the notebook top to bottom (make notebooks)"
    )


def test_no_error_or_stderr_output(notebook: dict) -> None:
    problems = []
    for index, cell in enumerate(code_cells(notebook)):
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                problems.append(f"cell {index}: {output['ename']}: {output['evalue']}")
            elif output["output_type"] == "stream" and output["name"] == "stderr":
                problems.append(f"cell {index}: stderr: {''.join(output['text'])[:200]!r}")
    assert not problems, "\n".join(problems)


def test_ignore_output_tag_only_on_timing_cells(notebook: dict) -> None:
    misused = [
        index
        for index, cell in enumerate(code_cells(notebook))
        if IGNORE_OUTPUT_TAG in cell.get("metadata", {}).get("tags", [])
        and not any(marker in source(cell) for marker in TIMING_MARKERS)
    ]
    assert not misused, f"cells tagged {IGNORE_OUTPUT_TAG} that time nothing: {misused}"


def test_kernel_is_python3(notebook: dict) -> None:
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


def test_exactly_one_title(notebook: dict) -> None:
    titles = [
        line
        for cell in notebook["cells"]
        if cell["cell_type"] == "markdown"
        for line in source(cell).splitlines()
        if line.startswith("# ")
    ]
    assert len(titles) == 1, f"expected one '# ' title, found {titles}"


def test_every_notebook_is_in_the_table_of_contents() -> None:
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    missing = [
        str(path.relative_to(ROOT))
        for path in NOTEBOOKS
        if str(path.relative_to(ROOT).with_suffix("")) not in toc
    ]
    assert not missing, f"notebooks missing from _toc.yml: {missing}"


def test_no_figure_is_glued(notebook: dict) -> None:
    # nbval skips image/png outputs, but a glued figure is stored under a papermill mime
    # type that it compares byte for byte, and the bytes change with the CPU's math
    # kernels. Caption and label a figure through the cell's mystnb metadata instead.
    glued = [
        index
        for index, cell in enumerate(code_cells(notebook))
        for output in cell.get("outputs", [])
        if "application/papermill.record/image/png" in output.get("data", {})
    ]
    assert not glued, f"code cells that glue a figure: {glued}"
