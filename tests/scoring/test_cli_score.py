"""`dance score CHOREO.yaml PLAYER [--json]` end to end, through the real `dance` entry point."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pose.track import PoseTrack

DANCE = [sys.executable, "-c", "import sys; from game.cli import main; sys.exit(main())"]


def dance(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*DANCE, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def choreo_dir(real_track, tmp_path_factory) -> Path:
    ref = real_track("Demo_SinglePerson/cam01")
    folder = tmp_path_factory.mktemp("cli_choreo")
    ref.save(folder / "ref.npz")
    (folder / "dance.yaml").write_text(
        "format: 1\ntitle: Clip\npose_track: ref.npz\nbpm: 120\noffset: 0\nmirror: false\n"
        "difficulty: easy\nmoves:\n"
        "  - {name: Swing in, start_s: 0.05, end_s: 0.45}\n"
        "  - {name: Reach across, start_s: 0.45, end_s: 0.85}\n"
        "  - {name: Lunge, start_s: 0.85, end_s: 1.25}\n"
        "  - {name: Open up, start_s: 1.25, end_s: 1.65, gold: true}\n"
    )
    return folder


def _check_score_json(data: dict) -> None:
    assert 0 <= data["total"] <= 100 and isinstance(data["stars"], int) and 0 <= data["stars"] <= 5
    assert [m["name"] for m in data["moves"]] == ["Swing in", "Reach across", "Lunge", "Open up"]
    for m in data["moves"]:
        assert 0 <= m["score"] <= 100
        assert m["judgement"] in {"PERFECT", "GREAT", "GOOD", "OK", "MISS"}
        assert isinstance(m["offset_s"], float) and all(0 <= v <= 100 for v in m["parts"].values())


def test_score_a_track_file_as_json(choreo_dir, real_track, tmp_path):
    player = real_track("Demo_SinglePerson/cam03")
    player.save(tmp_path / "p.npz")
    r = dance("score", str(choreo_dir / "dance.yaml"), str(tmp_path / "p.npz"), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    _check_score_json(data)
    assert data["total"] >= 70 and data["difficulty"] == "easy"


def test_score_a_video_tracks_it_with_the_body_tracker(choreo_dir):
    from pose.samples import sample_path

    video = Path(sample_path("Demo_SinglePerson/cam04.mp4"))
    r = dance("score", str(choreo_dir / "dance.yaml"), str(video), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    _check_score_json(data)
    assert data["total"] >= 70


def test_friendly_table_without_json(choreo_dir, real_track, tmp_path):
    real_track("Demo_SinglePerson/cam01").save(tmp_path / "p.npz")
    r = dance("score", str(choreo_dir / "dance.yaml"), str(tmp_path / "p.npz"), "--difficulty", "hard")
    assert r.returncode == 0, r.stderr
    assert "Clip:" in r.stdout and "★★★★★" in r.stdout
    for name in ("Swing in", "Reach across", "Lunge", "Open up"):
        assert name in r.stdout
    assert "PERFECT" in r.stdout


def test_an_empty_player_track_is_all_miss(choreo_dir, tmp_path):
    PoseTrack(np.zeros((0, 33, 4)), np.zeros((0, 33, 3)), np.zeros(0), 30.0, (640, 480)).save(tmp_path / "e.npz")
    r = dance("score", str(choreo_dir / "dance.yaml"), str(tmp_path / "e.npz"), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["total"] == 0 and data["stars"] == 0
    assert {m["judgement"] for m in data["moves"]} == {"MISS"}


def _bad_files(tmp: Path, ref: PoseTrack) -> dict[str, tuple[Path, str]]:
    garbage = tmp / "garbage.npz"
    garbage.write_bytes(b"\x00not a zip at all" * 10)
    other = tmp / "coco.npz"
    np.savez(other, landmarks=ref.landmarks, world=ref.world, t=ref.t, fps=ref.fps, size=np.array(ref.size),
             skeleton=np.str_("coco17"), version=np.int64(1))
    notvideo = tmp / "clip.mp4"
    notvideo.write_text("hello")
    return {
        "missing track": (tmp / "nope.npz", "not found"),
        "missing video": (tmp / "nope.mp4", "not found"),
        "garbage track": (garbage, "not a pose track"),
        "another skeleton": (other, "coco17"),
        "not a video": (notvideo, "video"),
    }


def test_bad_players_are_one_line_errors(choreo_dir, real_track, tmp_path):
    for label, (path, words) in _bad_files(tmp_path, real_track("Demo_SinglePerson/cam01")).items():
        r = dance("score", str(choreo_dir / "dance.yaml"), str(path), "--json")
        assert r.returncode == 1, (label, r.stderr)
        lines = [ln for ln in r.stderr.splitlines() if ln.startswith("dance score")]
        assert len(lines) == 1 and words in lines[0], (label, r.stderr)
        assert "Traceback" not in r.stderr and r.stdout == ""


def test_a_bad_choreography_is_a_one_line_error(tmp_path, real_track):
    real_track("Demo_SinglePerson/cam01").save(tmp_path / "p.npz")
    (tmp_path / "bad.yaml").write_text("format: 1\ntitle: x\n")
    r = dance("score", str(tmp_path / "bad.yaml"), str(tmp_path / "p.npz"))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().startswith("dance score: error:")
