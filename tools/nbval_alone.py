"""Run nbval on each chapter copied alone into an empty folder, on a CPU without AVX2.

Usage: python tools/nbval_alone.py NOTEBOOK [...]

A reader who downloads one chapter, or opens it in Colab, has that notebook and nothing
else of the repository; and their CPU may lack the AVX-512 and AVX2 kernels that NumPy
uses here for exp and log, which changes the last digits of rounding-level results. One
nbval pass checks both: every chapter is copied into an empty folder of its own and
compared, with the project's nbval options, under NPY_DISABLE_CPU_FEATURES. A stored output
that reads a repository file, or prints a digit that the CPU decides, fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# NumPy's dispatch targets above the x86-64-v2 baseline: AVX-512 (Ice Lake and the v4
# level) and AVX2 (the v3 level). Switched off, NumPy runs the kernels of an older CPU.
WITHOUT_AVX2 = "AVX512_ICL X86_V4 X86_V3"


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    with tempfile.TemporaryDirectory(prefix="chapters-alone-") as folder:
        copies = []
        for name in argv:
            source = Path(name).resolve()
            alone = Path(folder) / "-".join(source.relative_to(ROOT).with_suffix("").parts)
            alone.mkdir()
            copies.append(str(shutil.copy(source, alone / source.name)))
        command = [
            sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"),
            "--rootdir", folder, "-q", *copies,
        ]
        env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": WITHOUT_AVX2}
        print(f"NPY_DISABLE_CPU_FEATURES={WITHOUT_AVX2!r}; {len(copies)} chapters, each alone")
        return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
