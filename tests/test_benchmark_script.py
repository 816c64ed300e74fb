"""The benchmark script runs and measures what it says; its timings are not asserted here.

Speed gates are checked by ``make bench`` (``benchmarks/run.py --check``), where crossent
is timed against baselines in the same run, PyTorch among them when ``TORCH_WHEEL`` names a
wheel; a timed unit test would only measure how busy the machine is. Here the gate logic is
tested on made-up measurements, without PyTorch (which is never a test dependency).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("crossent_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    return module


def test_quick_run_prints_a_row_per_size(capsys) -> None:
    bench = load_benchmark()
    assert bench.main(["--quick"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line for line in lines if " x " in line and "dtype" not in line]
    assert len(rows) == len(bench.QUICK_SIZES)


def test_textbook_baseline_computes_the_same_loss_and_gradient() -> None:
    bench = load_benchmark()
    logits, labels = bench.make_inputs((64, 7), np.float64, seed=3)
    loss, grad = bench.crossent_step(logits, labels)
    textbook_loss, textbook_grad = bench.textbook_step(logits, labels)
    np.testing.assert_allclose(loss, textbook_loss, rtol=1e-12)
    np.testing.assert_allclose(grad, textbook_grad, rtol=1e-10, atol=1e-15)


def test_memory_measurement_sees_the_gradient_array() -> None:
    # The gradient is as large as the logits, so the peak cannot be below 1x; the textbook
    # version allocates several full-size temporaries, so its peak must be larger.
    bench = load_benchmark()
    logits, labels = bench.make_inputs((256, 512), np.float32)
    ours = bench.peak_extra_memory(bench.crossent_step, logits, labels)
    textbook = bench.peak_extra_memory(bench.textbook_step, logits, labels)
    assert ours >= 1.0
    assert textbook > ours + 1.0


def made_up_row(bench, shape, vs_torch, vs_textbook=0.5, memory=1.0):
    return bench.Row(
        shape=shape,
        dtype="float32",
        median_ms={},
        vs_floor=3.0,  # the retired gates, 2.6x the floor and 1.0x the textbook version,
        vs_textbook=vs_textbook,  # are no longer misses
        exp_vs_floor=1.7,
        memory=memory,
        vs_torch=vs_torch,
    )


def test_gates_pass_and_miss_on_made_up_timings() -> None:
    bench = load_benchmark()
    rows = [
        made_up_row(bench, (1024, 32768), vs_torch=0.98, memory=1.01),
        made_up_row(bench, (4096, 1000), vs_torch=2.12, memory=1.27),
        made_up_row(bench, (4096, 10), vs_torch=0.5, vs_textbook=1.2),
    ]
    report = bench.evaluate_gates(rows)
    assert not report.skipped
    assert len(report.passed) == 3  # 0.98 <= 1.0, 1.01 <= 1.05, 0.5 <= 0.5 (a limit passes)
    assert len(report.missed) == 2
    missed = "\n".join(report.missed)
    assert "4096 x 1000 float32: at most 1.3x PyTorch 1-thread: 2.12x" in missed
    assert "4096 x 1000 float32: at most 1.05x the logits in peak extra memory: 1.27x" in missed


def test_pytorch_gates_are_skipped_without_pytorch_and_the_others_still_apply() -> None:
    bench = load_benchmark()
    rows = [
        made_up_row(bench, (1024, 32768), vs_torch=None, memory=1.5),
        made_up_row(bench, (4096, 1000), vs_torch=None),
        made_up_row(bench, (4096, 10), vs_torch=None),
    ]
    report = bench.evaluate_gates(rows)
    assert len(report.skipped) == 3 and all("PyTorch" in line for line in report.skipped)
    assert len(report.missed) == 1 and "1024 x 32768" in report.missed[0]
    assert len(report.passed) == 1


def test_the_gates_are_the_issue_s_and_apply_to_measured_sizes() -> None:
    bench = load_benchmark()
    limits = {(g.shape, g.dtype, g.measure): g.limit for g in bench.GATES}
    assert limits == {
        ((1024, 32768), "float32", "vs_torch"): 1.0,
        ((4096, 1000), "float32", "vs_torch"): 1.3,
        ((4096, 10), "float32", "vs_torch"): 0.5,
        ((1024, 32768), "float32", "memory"): 1.05,
        ((4096, 1000), "float32", "memory"): 1.05,
    }
    measured = {(shape, np.dtype(dtype).name) for shape, dtype in bench.SIZES}
    assert {(g.shape, g.dtype) for g in bench.GATES} <= measured
    # A gate on a size that was not measured (as in --quick) does not apply.
    report = bench.evaluate_gates([made_up_row(bench, (64, 10), vs_torch=9.0)])
    assert report.passed == report.missed == report.skipped == []


def test_without_torch_the_run_says_the_pytorch_gates_are_skipped(capsys, monkeypatch) -> None:
    bench = load_benchmark()
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch raises ImportError
    assert bench.load_torch() is None
    with pytest.raises(SystemExit, match="require-torch"):
        bench.load_torch(required=True)
    assert bench.main(["--quick"]) == 0
    assert "PyTorch gates are skipped" in capsys.readouterr().out


def test_the_benchmark_environment_drops_forced_blas_kernels_and_uses_one_thread() -> None:
    bench = load_benchmark()
    env = bench.benchmark_environment(
        {"PATH": "/bin", "OPENBLAS_CORETYPE": "Prescott", "OPENBLAS_L2_SIZE": "262144"}
    )
    assert "OPENBLAS_CORETYPE" not in env and "OPENBLAS_L2_SIZE" not in env
    assert env["PATH"] == "/bin" and env["OPENBLAS_NUM_THREADS"] == "1"
    assert "unset OPENBLAS_CORETYPE=Prescott" in env[bench.RESTART_NOTE]
    # Already as wanted: no restart, so the script cannot restart itself forever.
    assert bench.benchmark_environment(env) is None
    assert bench.benchmark_environment({"OPENBLAS_NUM_THREADS": "1"}) is None


def test_exp_baseline_computes_the_exponentials() -> None:
    bench = load_benchmark()
    logits, labels = bench.make_inputs((8, 5), np.float32)
    result = bench.exp_step(logits, labels)
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result, np.exp(logits))
