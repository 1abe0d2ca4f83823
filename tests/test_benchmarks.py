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


def test_mediapipe_reference_venv_lives_in_the_cache_not_the_repo(monkeypatch, tmp_path):
    """~1 GB of mediapipe must never be created inside the repository (git would see it)."""
    import importlib.util

    monkeypatch.setenv("DANCE_CACHE", str(tmp_path / "cache"))
    spec = importlib.util.spec_from_file_location("bench_pose_under_test", BENCH[0].parent / "bench_pose.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    repo = BENCH[0].parent.parent
    assert mod.MP_VENV == tmp_path / "cache" / "venv-mediapipe"
    assert repo not in mod.MP_VENV.parents
    ignored = subprocess.run(["git", "check-ignore", "-q", ".venv-mediapipe/bin/python"], cwd=repo)
    assert ignored.returncode == 0  # an old copy inside the repo stays out of git
