"""Every benchmark is runnable by `dance bench`, which may pass --quick to each."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = sorted((Path(__file__).resolve().parent.parent / "benchmarks").glob("bench_*.py"))


def test_there_are_benchmarks():
    assert len(BENCH) >= 8


@pytest.mark.parametrize("path", BENCH, ids=[p.stem for p in BENCH])
def test_benchmark_takes_quick(path):
    p = subprocess.run([sys.executable, str(path), "--help"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "--quick" in p.stdout


def test_dance_bench_lists_them():
    from game.cli import main

    assert main(["bench", "--list"]) == 0
