"""Segmentation track files (the ``dance track --what segmentation`` contract) on real footage."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from pose.errors import TrackError, VideoError
from pose.samples import sample_path
from pose.segmentation import SelfieSegmenter
from pose.segmentation.track import SegmentationTrack, track_segmentation


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """20 frames of pose2sim cam01 as a 640x360 landscape clip at 30 fps (a real person)."""
    cap = cv2.VideoCapture(str(sample_path("Demo_SinglePerson/cam01.mp4")))
    p = tmp_path_factory.mktemp("seg") / "clip.avi"
    w = cv2.VideoWriter(str(p), cv2.VideoWriter_fourcc(*"MJPG"), 30, (640, 360))
    frames = []
    for _ in range(20):
        ok, bgr = cap.read()
        band = cv2.resize(bgr[250:1460], (320, 360))  # the person, upright
        frame = cv2.copyMakeBorder(band, 0, 0, 160, 160, cv2.BORDER_REPLICATE)
        w.write(frame)
        frames.append(frame)
    w.release()
    return p


def test_track_file_follows_the_contract(clip, tmp_path):
    track, run = track_segmentation(clip, progress=False)
    out = track.save(tmp_path / "out" / "seg.npz")
    z = np.load(out)
    assert set(z.files) == {"mask", "t", "fps", "size", "kind", "version"}
    assert z["mask"].dtype == np.uint8 and z["mask"].shape == (20, 144, 256)  # longer side 256
    assert z["t"].dtype == np.float64 and np.allclose(z["t"], np.arange(20) / 30)
    assert float(z["fps"]) == 30 and tuple(z["size"]) == (640, 360) and str(z["kind"]) == "segmentation"
    assert int(z["version"]) == 1
    assert len(run.results) == 20 and run.wall_s > 0
    # The person is there in every frame, and the file is the segmenter's own answer.
    assert (track.person_fraction > 0.03).all()
    cap = cv2.VideoCapture(str(clip))
    ok, bgr = cap.read()
    # "auto" picks the landscape model for a 16:9 video.
    first = SelfieSegmenter("landscape", mask_long_side_px=256).process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), 0.0)
    assert np.abs(first.to_uint8().astype(int) - z["mask"][0]).max() <= 1
    back = SegmentationTrack.load(out)
    assert np.array_equal(back.mask, track.mask) and back.size == (640, 360) and len(back) == 20


def test_unsmoothed_differs_only_where_unsure(clip):
    smooth, _ = track_segmentation(clip, progress=False)
    raw, _ = track_segmentation(clip, smooth=False, progress=False)
    assert np.array_equal(smooth.mask[0], raw.mask[0])
    d = np.abs(smooth.mask.astype(int) - raw.mask)
    sure = (raw.mask < 3) | (raw.mask > 252)
    assert d.max() > 10 and d[sure].max() <= 8


def test_bad_files(tmp_path):
    with pytest.raises(VideoError):
        track_segmentation(tmp_path / "nope.mp4")
    with pytest.raises(TrackError, match="no such track file"):
        SegmentationTrack.load(tmp_path / "nope.npz")
    body = tmp_path / "body.npz"
    np.savez(body, landmarks=np.zeros((1, 33, 4), np.float32))
    with pytest.raises(TrackError, match="a body track, not a segmentation track"):
        SegmentationTrack.load(body)
    with pytest.raises(ValueError, match=r"mask must be \(T, h, w\) uint8"):
        SegmentationTrack(np.zeros((2, 3), np.uint8), np.zeros(2), 30, (3, 2))


def test_dance_track_what_segmentation(clip, tmp_path, capsys):
    from game.cli import main

    out = tmp_path / "seg.npz"
    assert main(["track", str(clip), "-o", str(out), "--what", "segmentation", "-q"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith(f"{out}: 20 frames (640x360 @ 30 fps), masks 256x144, person in 100.0% of frames")
    z = np.load(out)
    assert str(z["kind"]) == "segmentation" and z["mask"].shape == (20, 144, 256)
    assert main(["track", str(clip), "-o", str(tmp_path / "raw.npz"), "--what", "segmentation", "--no-smooth", "-q"]) == 0
    assert capsys.readouterr().out.strip().endswith("unsmoothed")


def test_dance_track_segmentation_bad_video_is_one_line(tmp_path, capsys):
    from game.cli import main

    bad = tmp_path / "not_a_video.mp4"
    bad.write_bytes(b"hello")
    rc = main(["track", str(bad), "-o", str(tmp_path / "o.npz"), "--what", "segmentation"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1 and len(err) == 1 and "not_a_video.mp4" in err[0] and "Traceback" not in err[0]
    assert not (tmp_path / "o.npz").exists()
