"""``dance track`` end to end: real sample video, real tracker, real track file."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from game.cli import main
from pose.samples import sample_path
from pose.track import PoseTrack

CAM01 = "Demo_SinglePerson/cam01.mp4"


@pytest.fixture(scope="module")
def tracks(tmp_path_factory):
    """Run `dance track` once smoothed and once with --no-smooth; keep outputs and stdout."""
    out_dir = tmp_path_factory.mktemp("tracks")
    video = sample_path(CAM01)
    results = {}
    for name, extra in (("smooth", []), ("raw", ["--no-smooth"])):
        out = out_dir / "sub" / f"{name}.npz"  # a folder that does not exist yet
        proc = subprocess.run(
            [sys.executable, "-m", "game.cli", "track", str(video), "-o", str(out), *extra],
            capture_output=True, text=True, timeout=300,
        )
        results[name] = (proc, out)
    return results


@pytest.mark.parametrize("name", ["smooth", "raw"])
def test_track_file_is_valid(tracks, name):
    proc, out = tracks[name]
    assert proc.returncode == 0, proc.stderr
    tr = PoseTrack.load(out)
    assert len(tr) == 100 and tr.fps == 60 and tr.size == (1080, 1920)
    assert tr.detection_rate > 0.9
    assert np.allclose(tr.t, np.arange(100) / 60)
    found = tr.found
    assert np.isfinite(tr.landmarks[found]).all()
    xy = tr.landmarks[found][:, :, :2]
    assert 0.2 < np.median(xy[..., 0]) < 0.8 and 0.1 < np.median(xy[..., 1]) < 0.9
    vis = tr.landmarks[found][:, :, 3]
    assert vis.min() >= 0 and vis.max() <= 1


def test_summary_line(tracks):
    proc, out = tracks["smooth"]
    line = proc.stdout.strip()
    assert "\n" not in line
    assert line.startswith(f"{out}: 100 frames (1080x1920 @ 60 fps")
    assert "person found in" in line and "ms/frame" in line and "x real time" in line
    assert "unsmoothed" in tracks["raw"][0].stdout


def test_no_smooth_differs_from_smoothed(tracks):
    a = PoseTrack.load(tracks["smooth"][1])
    b = PoseTrack.load(tracks["raw"][1])
    both = a.found & b.found
    assert both.sum() > 90
    d = np.abs(a.landmarks[both, :, :2] - b.landmarks[both, :, :2])
    assert d.max() > 1e-3  # the filter did something
    assert np.median(d) < 0.02  # and it is still the same person in the same place
    # Smoothing lowers frame-to-frame jitter (second differences) on the same footage.
    def jitter(tr):
        xy = tr.landmarks[both, :, :2]
        return np.nanmean(np.abs(np.diff(xy, n=2, axis=0)))
    assert jitter(a) < jitter(b)


def _run(argv, capsys):
    code = main(argv)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: d / "missing.mp4", "no such file"),
        (lambda d: _write(d / "empty.mp4", b""), "empty (0 bytes)"),
        (lambda d: _write(d / "notes.mp4", b"hello, I am text\n" * 50), "not a readable video"),
        (lambda d: d, "is a directory"),
    ],
)
def test_bad_video_is_one_line(tmp_path, capsys, make, message):
    video = make(tmp_path)
    code, out, err = _run(["track", str(video), "-o", str(tmp_path / "o.npz")], capsys)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("dance track: error: ") and message in err
    assert not (tmp_path / "o.npz").exists()


def test_truncated_video_is_one_line_and_writes_nothing(tmp_path, capsys):
    data = sample_path("Demo_SinglePerson/cam02.mp4").read_bytes()
    video = _write(tmp_path / "cut.mp4", data[: len(data) // 2])
    code, out, err = _run(["track", str(video), "-o", str(tmp_path / "o.npz"), "-q"], capsys)
    assert code == 1 and err.count("\n") == 1 and "truncated or corrupt" in err
    assert list(tmp_path.iterdir()) == [video]  # no track, no temp file left behind


@pytest.mark.parametrize(
    "out, message",
    [
        (lambda d: _write(d / "file", b"x") / "t.npz", "is not a directory"),
        (lambda d: d, "is a directory"),
    ],
)
def test_unwritable_output_is_one_line(tmp_path, capsys, out, message):
    target = out(tmp_path)
    code, _, err = _run(["track", str(sample_path(CAM01)), "-o", str(target)], capsys)
    assert code == 1 and err.count("\n") == 1 and message in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as e:
        main(["track", "video.mp4"])  # no -o
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["track", "video.mp4", "-o", "x.npz", "--threads", "0"])
    assert e.value.code == 2


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_nobody_in_the_video_writes_nan_rows_and_warns(tmp_path, capsys):
    import cv2

    video = tmp_path / "empty_room.avi"
    w = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 30, (320, 240))
    for i in range(10):
        w.write(np.full((240, 320, 3), 60 + 3 * i, np.uint8))
    w.release()
    out = tmp_path / "t.npz"
    code, stdout, err = _run(["track", str(video), "-o", str(out), "-q", "--prefetch"], capsys)
    assert code == 0 and "person found in 0.0%" in stdout
    assert "warning: nobody was found" in err
    tr = PoseTrack.load(out)
    assert len(tr) == 10 and tr.detection_rate == 0 and np.isnan(tr.landmarks).all()
    assert np.allclose(tr.t, np.arange(10) / 30) and tr.size == (320, 240)


# --- --what: the kinds registry -----------------------------------------------------------

def test_body_file_names_its_kind(tracks):
    with np.load(tracks["raw"][1]) as z:
        assert str(z["kind"]) == "body" and {"t", "fps", "size", "version"} <= set(z.files)


@pytest.mark.parametrize("kind", ["face", "hands", "segmentation"])
def test_a_kind_without_its_pipeline_is_one_line(tmp_path, capsys, kind, monkeypatch):
    import pose.cli_track  # noqa: F401  (registers body in the real registry first)
    from pose import track_kinds

    # As before its pipeline lands (later its own tests cover the kind).
    monkeypatch.setattr(track_kinds, "_WRITERS", {k: v for k, v in track_kinds._WRITERS.items() if k != kind})
    monkeypatch.setitem(track_kinds.PLUGINS, kind, f"pose.no_such_{kind}_pipeline")
    code, out, err = _run(["track", str(sample_path(CAM01)), "-o", str(tmp_path / "o.npz"), "--what", kind], capsys)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert f"--what {kind}: not available yet" in err and "body" in err
    assert not (tmp_path / "o.npz").exists()


def test_unknown_kind_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as e:
        main(["track", "video.mp4", "-o", "x.npz", "--what", "tail"])
    assert e.value.code == 2


def test_a_registered_writer_gets_the_video_and_options(tmp_path, capsys, monkeypatch):
    """The plumbing a face / hands / segmentation pipeline plugs into: register a writer,
    `dance track --what` calls it and prints its summary; save_track writes the common fields."""
    import pose.cli_track  # noqa: F401  (registers body in the real registry first)
    from pose import track_kinds

    monkeypatch.setattr(track_kinds, "_WRITERS", dict(track_kinds._WRITERS))
    calls = []

    def write_mean_brightness(video, out, opts):
        calls.append(opts)
        run = track_kinds.run_video(video, lambda rgb, t: float(rgb.mean()), progress=False)
        track_kinds.save_track(out, "segmentation", run.t, run.fps, run.size,
                               brightness=np.asarray(run.results, np.float32))
        return f"{out}: {len(run.results)} frames"

    track_kinds.register("segmentation", write_mean_brightness)
    out = tmp_path / "seg.npz"
    code, stdout, _ = _run(["track", str(sample_path(CAM01)), "-o", str(out), "--what", "segmentation",
                            "--no-smooth", "--threads", "1", "-q"], capsys)
    assert code == 0 and stdout.strip() == f"{out}: 100 frames"
    assert calls == [track_kinds.TrackOptions(smooth=False, threads=1, prefetch=None, progress=False)]
    with np.load(out) as z:
        assert str(z["kind"]) == "segmentation" and int(z["version"]) >= 1
        assert z["t"].dtype == np.float64 and np.allclose(z["t"], np.arange(100) / 60)
        assert float(z["fps"]) == 60 and tuple(z["size"]) == (1080, 1920)
        assert z["brightness"].shape == (100,) and 0 < z["brightness"].min() < 255
    with pytest.raises(ValueError, match="unknown track kind"):
        track_kinds.register("tail", write_mean_brightness)
