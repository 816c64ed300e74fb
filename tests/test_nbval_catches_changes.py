"""nbval really compares what a chapter shows: one changed digit in a stored output fails.

Every number in the book's prose is glued, and glue stores the value in the cell's output,
so nbval guards the prose as well as the printed results. This test proves it on the intro
(a chapter that runs alone in a second): a copy whose stored outputs are untouched passes
nbval, and copies with one digit changed, in a printed result or in a glued value, fail.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "intro.ipynb"


def change_one_digit(notebook: dict, kind: str) -> str:
    """Change the first digit of the first output of `kind`; return what was changed."""
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            if kind == "stream" and output["output_type"] == "stream":
                lines = output["text"]
            elif kind == "glue" and "scrapbook" in output.get("metadata", {}):
                lines = output["data"]["application/papermill.record/text/plain"]
            else:
                continue
            text = "".join(lines)
            digit = re.search(r"\d", text)
            if digit:
                new = str((int(digit.group()) + 1) % 10)
                changed = text[: digit.start()] + new + text[digit.end() :]
                if kind == "stream":
                    output["text"] = changed
                else:
                    output["data"]["application/papermill.record/text/plain"] = changed
                return f"{text!r} -> {changed!r}"
    raise LookupError(f"no {kind} output with a digit in {CHAPTER.name}")


@pytest.mark.slow
def test_a_changed_digit_fails_nbval(tmp_path: Path) -> None:
    original = json.loads(CHAPTER.read_text(encoding="utf-8"))
    copies = {"control": None, "stream": None, "glue": None}
    for name in copies:
        notebook = json.loads(json.dumps(original))
        if name != "control":
            copies[name] = change_one_digit(notebook, name)
        (tmp_path / f"{name}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")

    # The project's own nbval options (pyproject.toml), on the three copies at once.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"),
         "--rootdir", str(tmp_path), "-q", "-rA", *sorted(map(str, tmp_path.glob("*.ipynb")))],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
    )
    report = result.stdout
    failed = set(re.findall(r"^FAILED .*?(\w+)\.ipynb::", report, re.M))
    assert "control" not in failed, report[-3000:]
    assert re.search(r"^PASSED .*control\.ipynb::", report, re.M), report[-3000:]
    assert failed == {"stream", "glue"}, f"changes {copies} were not all caught:\n{report[-3000:]}"
