"""Jitter and lag of the One Euro smoothing: smoothing on vs off on the same footage.

Footage: Demo_SinglePerson cam01..04 (60 fps, 1080x1920). Each frame is decoded once and
fed to two BodyTrackers (smooth=True and smooth=False) with the same timestamps.

- jitter: mean |second difference| of landmark (x, y) positions between consecutive
  frames, in units of the frame width (y is rescaled by height/width), over landmarks with
  visibility > 0.5 in all three frames on both tracks. It includes the dancer's real
  acceleration, so it cannot go to zero; the ratio on/off is the figure of merit.
  The median is printed too: a few frames where the raw pose jumps dominate the mean.
- lag on footage (frames): the shift k that maximises the cross-correlation of the smoothed
  landmark velocities with a zero-phase (forward-backward Butterworth, 8 Hz) low-pass of
  the raw ones, refined to sub-frame with a parabola through the peak. The zero-phase
  reference keeps the raw frame-to-frame noise, which correlates best at k = 0, from
  pulling the estimate to zero ("vs raw" is printed too). Positive = the smoothed pose trails.
- lag on a ramp (frames): the tracker's own filter chain fed synthetic poses moving at a
  constant speed (in body sizes per second, the unit One Euro adapts to after value
  scaling); steady-state distance behind / speed.

Baseline: smoothing off (ratio = on / off).

    python benchmarks/bench_jitter.py [--quick]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from pose.frame import Roi  # noqa: E402
from pose.samples import sample_path  # noqa: E402
from pose.tracking.types import LandmarkOutput  # noqa: E402
from pose.track import PoseTrack  # noqa: E402
from pose.tracker import BodyTracker  # noqa: E402
from pose.video import open_video  # noqa: E402

CAMS = [f"Demo_SinglePerson/cam0{i}.mp4" for i in (1, 2, 3, 4)]
VIS_MIN = 0.5
MAX_LAG = 8


def track_both(cam: str) -> tuple[PoseTrack, PoseTrack]:
    """(smoothed, raw) tracks of one video; each frame is decoded once for both."""
    on, off = BodyTracker(smooth=True), BodyTracker(smooth=False)
    a, b, t = [], [], []
    with open_video(sample_path(cam)) as src:
        for f in src:
            a.append(on.process(f.rgb, f.timestamp_s))
            b.append(off.process(f.rgb, f.timestamp_s))
            t.append(f.timestamp_s)
        fps, size = src.fps, src.size
    return PoseTrack.from_frames(a, t, fps, size), PoseTrack.from_frames(b, t, fps, size)


def positions_w(tr: PoseTrack) -> np.ndarray:
    """(T, 33, 2) landmark positions in frame widths (NaN where not found)."""
    w, h = tr.size
    return tr.landmarks[:, :, :2] * np.array([1.0, h / w], dtype=np.float32)


def jitter(xy: np.ndarray, ok: np.ndarray) -> float:
    """Mean |second difference| (frame widths) over triples where ``ok`` holds.

    xy (T, 33, 2); ok (T, 33) bool.
    """
    d2 = np.linalg.norm(xy[2:] - 2 * xy[1:-1] + xy[:-2], axis=-1)  # (T-2, 33)
    m = ok[2:] & ok[1:-1] & ok[:-2]
    return float(d2[m].mean()) if m.any() else float("nan")


def jitter_median(xy: np.ndarray, ok: np.ndarray) -> float:
    d2 = np.linalg.norm(xy[2:] - 2 * xy[1:-1] + xy[:-2], axis=-1)
    m = ok[2:] & ok[1:-1] & ok[:-2]
    return float(np.median(d2[m])) if m.any() else float("nan")


def zero_phase(xy: np.ndarray, fps: float, cutoff_hz: float = 8.0) -> np.ndarray:
    """Forward-backward 2nd-order Butterworth along time: no lag by construction."""
    from scipy.signal import butter, filtfilt

    b, a = butter(2, cutoff_hz / (fps / 2))
    return filtfilt(b, a, xy, axis=0)


def lag_frames(smooth: np.ndarray, ref: np.ndarray, ok: np.ndarray) -> float:
    """Shift (frames) maximising the cross-correlation of velocities; sub-frame.

    smooth, ref (T, 33, 2); ok (T, 33) bool.
    """
    vs = np.diff(smooth, axis=0)
    vr = np.diff(ref, axis=0)
    m = ok[1:] & ok[:-1]
    vs = np.where(m[..., None], vs, 0.0)
    vr = np.where(m[..., None], vr, 0.0)
    # Remove each landmark's mean velocity so a steady drift does not dominate.
    vs = vs - vs.mean(axis=0, keepdims=True)
    vr = vr - vr.mean(axis=0, keepdims=True)
    n = vs.shape[0]
    ks = np.arange(-MAX_LAG, MAX_LAG + 1)
    cc = []
    for k in ks:
        # smoothed(t) against raw(t - k)
        if k >= 0:
            cc.append(float(np.sum(vs[k:] * vr[: n - k])) / (n - abs(k)))
        else:
            cc.append(float(np.sum(vs[: n + k] * vr[-k:])) / (n - abs(k)))
    cc = np.asarray(cc)
    i = int(np.argmax(cc))
    if 0 < i < len(cc) - 1:
        y0, y1, y2 = cc[i - 1], cc[i], cc[i + 1]
        den = y0 - 2 * y1 + y2
        frac = 0.5 * (y0 - y2) / den if den != 0 else 0.0
    else:
        frac = 0.0
    return float(ks[i] + frac)


def ramp_lag_frames(speed_scales_per_s: float, fps: float = 60.0, n: int = 120) -> float:
    """Steady-state lag of BodyTracker's default smoothing chain on a constant-speed pose."""
    w, h = 1080, 1920
    scale_px = 0.5 * h  # a person half the frame tall
    from pose.smoothing import mediapipe_chain

    chain = mediapipe_chain()
    roi = Roi(w / 2, h / 2, float(h), 0.0)
    rng = np.random.default_rng(0)
    base = np.zeros((33, 4), np.float32)
    base[:, 0] = 0.3 + 0.1 * rng.random(33)
    base[:, 1] = 0.3 + 0.4 * rng.random(33)
    base[:, 3] = 1.0
    v_norm_per_s = speed_scales_per_s * scale_px / w  # moving along x
    lag = []
    for i in range(n):
        t = i / fps
        lm = base.copy()
        lm[:, 0] += v_norm_per_s * t
        out = chain.apply(LandmarkOutput(lm, 1.0, roi, {}, (w, h)), t, scale_px)
        if i >= n // 2:  # steady state
            lag.append(np.mean(lm[:, 0] - out.points_norm[:, 0]) / (v_norm_per_s / fps))
    return float(np.mean(lag))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="cam01 only")
    args = ap.parse_args()
    cams = CAMS[:1] if args.quick else CAMS
    print("One Euro smoothing (mediapipe's parameters) vs off; jitter in frame widths")
    print(
        f"  {'video':<30} {'found on/off':>12} {'jitter off':>11} {'jitter on':>10} {'on/off':>7} "
        f"{'median on/off':>14} {'lag frames':>11} {'lag ms':>7} {'(vs raw)':>9}"
    )
    rows = []
    for cam in cams:
        on, off = track_both(cam)
        xy_on, xy_off = positions_w(on), positions_w(off)
        ok = (
            (on.landmarks[:, :, 3] > VIS_MIN) & (off.landmarks[:, :, 3] > VIS_MIN)
            & np.isfinite(xy_on[..., 0]) & np.isfinite(xy_off[..., 0])
        )
        j_off, j_on = jitter(xy_off, ok), jitter(xy_on, ok)
        med = jitter_median(xy_on, ok) / jitter_median(xy_off, ok)
        raw0, on0 = np.nan_to_num(xy_off), np.nan_to_num(xy_on)
        lag = lag_frames(on0, zero_phase(raw0, on.fps), ok)
        lag_raw = lag_frames(on0, raw0, ok)
        rows.append((j_off, j_on, lag, on.fps, med))
        print(
            f"  {cam:<30} {on.detection_rate:5.0%}/{off.detection_rate:<5.0%} {j_off:11.5f} {j_on:10.5f} "
            f"{j_on / j_off:7.2f} {med:14.2f} {lag:11.2f} {lag * 1000 / on.fps:7.1f} {lag_raw:9.2f}"
        )
    r = np.asarray(rows)
    print(
        f"  mean: jitter off {r[:, 0].mean():.5f}, on {r[:, 1].mean():.5f}, "
        f"ratio on/off {np.mean(r[:, 1] / r[:, 0]):.2f} (median-based {np.mean(r[:, 4]):.2f}; "
        f"baseline: smoothing off = 1.00); lag {r[:, 2].mean():.2f} frames = "
        f"{np.mean(r[:, 2] * 1000 / r[:, 3]):.1f} ms at 60 fps"
    )
    ref = Path(__file__).resolve().parent.parent / "tests/pose/fixtures/mediapipe_ref.npz"
    if ref.is_file():  # Google's own unsmoothed landmarks: is our raw jitter the model's?
        with np.load(ref) as z:
            for v in ("v0", "v1"):
                if f"{v}_landmarks" not in z.files:
                    continue
                lm, (w, h) = z[f"{v}_landmarks"], z[f"{v}_size"]
                xy = lm[:, :, :2] * np.array([1.0, h / w])
                ok = lm[:, :, 3] > VIS_MIN
                print(
                    f"  mediapipe {z['mediapipe_version']} unsmoothed, {z[f'{v}_name']}: jitter "
                    f"{jitter(xy, ok):.5f} (median {jitter_median(xy, ok):.5f})"
                )
    print("  lag on a constant-speed ramp (60 fps, the tracker's default chain):")
    for v in (0.1, 0.3, 1.0, 3.0):
        k = ramp_lag_frames(v)
        print(f"    {v:4.1f} body sizes/s: {k:5.2f} frames = {k * 1000 / 60:6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
