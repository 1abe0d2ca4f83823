"""`dance validate` (files, folders, --json, exit codes) and `dance new` (template folder)."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from content import fields as F
from content.schema import schema_text

CORPUS = Path(__file__).resolve().parents[1] / "scoring" / "broken_choreos"


@pytest.fixture(scope="module")
def tracked(sample_video: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A real short clip (40 frames of the sample, scaled down) and its real pose track."""
    import imageio_ffmpeg

    from pose.cli_track import track_video

    d = tmp_path_factory.mktemp("tracked")
    clip = d / "clip.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i",
                    str(sample_video), "-frames:v", "40", "-vf", "scale=270:480", "-c:v", "libx264",
                    "-preset", "ultrafast", "-an", str(clip)], check=True)
    track, _ = track_video(clip, progress=False)
    return clip, track.save(d / "clip.npz")


@pytest.fixture
def library(tmp_path: Path, tracked: tuple[Path, Path]) -> Path:
    """choreographies-like tree: a valid song, a broken one, and the schema."""
    root = tmp_path / "choreographies"
    root.mkdir()
    (root / F.SCHEMA_FILE).write_text(schema_text())
    for name in ("good", "bad"):
        (root / name).mkdir()
        shutil.copy(tracked[0], root / name / "clip.mp4")
        shutil.copy(tracked[1], root / name / "clip.npz")
    head = F.SCHEMA_COMMENT_PREFIX + "../" + F.SCHEMA_FILE + "\n"
    body = ("format: 1\ntitle: Good\nvideo: clip.mp4\npose_track: clip.npz\nbpm: 120\n"
            "moves:\n  - name: Wave\n    start: 0\n    beats: 0.5\n")
    (root / "good" / "good.yaml").write_text(head + body)
    (root / "bad" / "bad.yml").write_text(head + body.replace("beats: 0.5", "beats: 0").replace("bpm: 120", "bpm: 120\nbmp: 3"))
    return root


def test_validate_folder_recurses_and_fails_on_any_error(library: Path, cli) -> None:
    code, out, err = cli(["validate", str(library)])
    assert code == 1
    bad = library / "bad" / "bad.yml"
    assert err.splitlines() == [
        f"{bad}:7:1: bmp: unknown key 'bmp'; did you mean 'bpm'?",
        f"{bad}:11:12: moves[0].beats: must be > 0, got 0",
    ]
    assert f"{library / 'good' / 'good.yaml'}: ok (1 moves, 0.67 s)" in out
    assert "2 file(s): 1 valid, 1 invalid; 2 error(s), 0 warning(s)" in out


def test_validate_valid_file_exits_zero(library: Path, cli) -> None:
    code, out, err = cli(["validate", str(library / "good" / "good.yaml")])
    assert (code, err) == (0, "")


def test_validate_json(library: Path, cli) -> None:
    code, out, _ = cli(["validate", "--json", str(library / "good"), str(library / "bad" / "bad.yml")])
    assert code == 1
    report = json.loads(out)
    assert report["valid"] is False and report["problems"] == []
    good, bad = report["files"]
    assert good["valid"] and good["moves"] == 1 and good["errors"] == []
    assert not bad["valid"]
    assert [(e["line"], e["col"], e["path"], e["message"]) for e in bad["errors"]] == [
        (7, 1, "bmp", "unknown key 'bmp'; did you mean 'bpm'?"), (11, 12, "moves[0].beats", "must be > 0, got 0")]
    code, out, _ = cli(["validate", "--json", str(library / "good")])
    assert code == 0 and json.loads(out)["valid"] is True


def test_validate_missing_path_and_strict(library: Path, tmp_path: Path, cli) -> None:
    code, _, err = cli(["validate", str(tmp_path / "nowhere.yaml")])
    assert code == 1 and "nowhere.yaml: file not found" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = cli(["validate", str(empty)])
    assert code == 1 and "no choreography files" in err
    # A warning (no schema line) passes normally and fails with --strict.
    y = library / "good" / "good.yaml"
    y.write_text(y.read_text().split("\n", 1)[1])
    code, _, err = cli(["validate", str(y)])
    assert code == 0 and "warning: first line should be" in err
    code, _, _ = cli(["validate", "--strict", str(y)])
    assert code == 1


def test_validate_whole_corpus_fails(cli) -> None:
    code, out, err = cli(["validate", str(CORPUS)])
    n = len(list(CORPUS.glob("*.yaml")))
    assert code == 1 and f"{n} file(s): 0 valid, {n} invalid" in out


def test_new_template_then_media_validates(tmp_path: Path, tracked: tuple[Path, Path], cli) -> None:
    folder = tmp_path / "my_song"
    code, out, err = cli(["new", str(folder), "--title", "My Song", "--bpm", "900"])
    assert code == 0, err
    y = folder / "my_song.yaml"
    assert (folder / "README.md").is_file() and "dance track video.mp4 -o video.npz" in (folder / "README.md").read_text()
    # Before the author adds media, validation says exactly what is missing.
    code, _, err = cli(["validate", str(y)])
    assert code == 1
    assert f"{y}:13:8: video: file not found: video.mp4" in err
    assert f"{y}:17:13: pose_track: file not found: video.npz" in err
    shutil.copy(tracked[0], folder / "video.mp4")
    shutil.copy(tracked[1], folder / "video.npz")
    code, out, err = cli(["validate", str(y)])
    assert code == 0, err
    code, _, err = cli(["new", str(folder), "--title", "Again"])
    assert code == 1 and "not empty" in err


def test_cli_entry_point_validate(library: Path) -> None:
    """The installed `dance` script: one error line per problem, exit code 1, no traceback."""
    dance = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "dance"
    if not dance.exists():
        pytest.skip("no .venv/bin/dance")
    proc = subprocess.run([str(dance), "validate", str(library / "bad")], capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "moves[0].beats: must be > 0, got 0" in proc.stderr
