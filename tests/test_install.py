"""crossent outside the repository: as a programmer installs it, and as Colab runs a chapter.

Both tests build a wheel of the package and work in fresh virtual environments:

- ``pip install`` of the wheel alone brings only NumPy, and the package, its command line
  and a loss with its gradient work there;
- a chapter copied out of the repository and run in an environment that has the book's
  tools but no crossent installs the package itself, through its first cell (written by
  tools/first_cell.py), and runs to the end with the outputs it stores.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def run(*command: str | Path, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=600, **kwargs
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Build from a copy of what the package needs, so the build leaves nothing in the clone.
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info"))
    folder = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", folder, source)
    (built,) = folder.glob("crossent-*.whl")
    return built


def fresh_venv(folder: Path) -> Path:
    venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    return folder / "bin" / "python"


def test_pip_install_brings_only_numpy(wheel: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "venv")
    numpy_pin = f"numpy=={__import__('numpy').__version__}"
    run(python, "-m", "pip", "install", "--quiet", wheel, numpy_pin)

    installed = {
        re.split(r"==| @ ", line)[0].lower()
        for line in run(python, "-m", "pip", "freeze", "--all").stdout.splitlines()
    }
    assert installed - {"pip", "setuptools", "wheel"} == {"crossent", "numpy"}

    answer = run(python, "-m", "crossent", "names", "log loss", cwd=tmp_path).stdout
    assert "ambiguous" in answer
    program = (
        "import numpy as np, crossent\n"
        "loss, grad = crossent.softmax_cross_entropy_with_integer_labels_value_and_grad(\n"
        "    np.array([[1.0, 2.0, 0.5]]), np.array([1]))\n"
        "assert abs(loss - 0.46436878) < 1e-8, loss\n"
        "assert abs(grad.sum()) < 1e-15 and grad[0, 1] < 0, grad\n"
        "print(crossent.__file__)\n"
    )
    where = run(python, "-c", program, cwd=tmp_path).stdout
    assert str(tmp_path / "venv") in where, "crossent was not imported from the fresh venv"


def without_crossent(folder: Path) -> Path:
    """A folder that mirrors the project's site-packages, less crossent itself."""
    site_packages = Path(sysconfig.get_paths()["purelib"])
    folder.mkdir()
    for entry in site_packages.iterdir():
        if "crossent" not in entry.name:
            (folder / entry.name).symlink_to(entry)
    return folder


def test_a_chapter_installs_crossent_where_it_is_missing(wheel: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "venv")
    # The new venv sees the book's tools (Jupyter, SymPy, matplotlib, ...) but not crossent.
    tools = without_crossent(tmp_path / "tools")
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    Path(purelib.stdout.strip(), "book-tools.pth").write_text(f"{tools}\n", encoding="utf-8")
    probe = run(python, "-c", "import importlib.util as u; print(u.find_spec('crossent'))")
    assert probe.stdout.strip() == "None", "the venv must start without crossent"

    chapter = tmp_path / "alone" / "intro.ipynb"
    chapter.parent.mkdir()
    chapter.write_text((ROOT / "book" / "intro.ipynb").read_text(encoding="utf-8"))
    executed = tmp_path / "alone" / "executed.ipynb"
    program = (
        "import sys, nbformat\n"
        "from nbclient import NotebookClient\n"
        "notebook = nbformat.read(sys.argv[1], as_version=4)\n"
        "NotebookClient(notebook, kernel_name='python3', timeout=600,\n"
        "               resources={'metadata': {'path': sys.argv[3]}}).execute()\n"
        "nbformat.write(notebook, sys.argv[2])\n"
    )
    env = {
        **os.environ,
        "CROSSENT_BOOK_REQUIREMENT": f"{wheel}[book]",
        "PATH": f"{python.parent}{os.pathsep}{os.environ['PATH']}",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    run(python, "-c", program, chapter, executed, chapter.parent, env=env, cwd=tmp_path)

    probe = run(python, "-c", "import crossent; print(crossent.__file__)")
    assert str(tmp_path / "venv") in probe.stdout, "the first cell did not install crossent"
    stored = json.loads(chapter.read_text(encoding="utf-8"))["cells"]
    fresh = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    example = next(i for i, c in enumerate(stored) if "loss_and_grad(" in "".join(c["source"]))
    assert fresh[example]["outputs"] == stored[example]["outputs"]
    assert "".join(fresh[example]["outputs"][0]["text"]).startswith("loss")
