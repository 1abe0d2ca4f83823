"""Multi-frame fusion: a jitter filter that averages each landmark over recent frames while
it is still and lets it through while it moves — a weighted mean of real observations, so
it never overshoots.

In the spirit of fusing several frames with a Gaussian mixture, per frame:
1. Noise: the model's own noise sigma comes from second differences of the landmarks
   over the last few frames (x[t] - 2 x[t-1] + x[t-2] is pure noise, 6 sigma^2 an axis, for
   a still landmark and for one moving at constant speed alike), as a median over
   landmarks and frames — so steady motion never passes for noise.
2. Mixture: each landmark's velocity over the last two frames is explained by two
   zero-mean isotropic 2-D Gaussians (Rayleigh in magnitude): "still" (the noise of a
   two-frame difference, variance sigma^2 / 2 an axis, times ``still_scale^2``) and
   "moving", whose variance and weight are fitted by a few warm-started EM steps on the
   velocities of all landmarks over the last frames. Each landmark's posterior of "still"
   is low-passed over frames (``alpha``), so the fusion does not flicker between averaging
   and passing through.
3. Fuse: the observation k frames back gets weight p^k — the probability that the landmark
   has stayed still for those k frames — and the output is the weighted mean of the last
   ``window`` observations. Still: an average over the window (noise down by up to
   sqrt(window)); moving: p -> 0 and the output is the current observation.
Observations and noise are in pixels (a per-frame object size would add its own noise);
``object_scale_px`` only sets a floor under sigma of 1e-5 of the object's size. One filter
suits a face, a body or a hand at any distance.

Measured against One Euro (mediapipe's parameters) on real footage by
benchmarks/bench_fusion.py: on pose2sim's bodies it shakes less and lags less on every
view; on real faces it lags less and shakes a little more (the face mesh is already steady).

``FusionFilter`` follows the generic tracker's Filter protocol and works for any pipeline
(body, face, hands): it fuses columns 0-2 (x, y, z) and leaves any further columns
(e.g. the body's visibility) as they came.
"""
from __future__ import annotations

import math
from collections import deque

import numpy as np

from pose.tracking.types import LandmarkOutput

DEFAULT_WINDOW = 8
EM_FRAMES = 6  # frames of speeds the noise and the mixture are fitted on
EM_STEPS = 3
MAX_GAP_S = 0.25  # a longer gap between frames starts the history afresh
# "Still" spans this many noise sigmas: the mesh's frame-to-frame noise is a fraction of a
# pixel, and a head at rest still sways by about as much; measured in bench_fusion.py.
STILL_SCALE = 2.0
ALPHA = 0.3
_MIN_SIGMA = 1e-5  # of the object's size: keeps the still component from collapsing


def _rayleigh_log(r2: np.ndarray, sigma2: float) -> np.ndarray:
    """log of the Rayleigh density without the shared log r term: -log s2 - r2 / (2 s2)."""
    return -math.log(sigma2) - r2 / (2.0 * sigma2)


class StillMotionMixture:
    """Speeds as a mixture of "still" (Rayleigh, scale^2 given by the noise) and "moving"
    (Rayleigh, scale^2 and weight fitted by warm-started EM)."""

    def __init__(self, p_still: float = 0.7):
        self.p_still = float(p_still)
        self.still2 = float("nan")
        self.move2 = float("nan")

    def fit(self, still2: float, v2: np.ndarray, steps: int = EM_STEPS) -> None:
        """still2: the still component's scale^2; v2: squared speeds (any shape)."""
        self.still2 = float(still2)
        v2 = np.asarray(v2, np.float64).ravel()
        if not math.isfinite(self.move2):
            self.move2 = max(16.0 * self.still2, float(np.percentile(v2, 90)) / 2.0)
        for _ in range(steps):
            g = self.p_same(v2)
            gm = float((1.0 - g).sum())
            self.p_still = min(max(float(g.mean()), 0.05), 0.95)
            if gm > 1e-9:
                self.move2 = float(((1.0 - g) * v2).sum()) / (2.0 * gm)
            self.move2 = max(self.move2, 9.0 * self.still2)  # "moving" stays clearly wider than noise

    def p_same(self, v2: np.ndarray) -> np.ndarray:
        """P(still | squared speed v2)."""
        ls = math.log(self.p_still) + _rayleigh_log(v2, self.still2)
        lm = math.log(1.0 - self.p_still) + _rayleigh_log(v2, self.move2)
        return 1.0 / (1.0 + np.exp(np.clip(lm - ls, -60.0, 60.0)))


class FusionFilter:
    """Multi-frame fusion of one object's landmarks (see the module docstring).

    window: observations fused at most (the current one included); em_frames: frames of
    history the noise and the mixture are fitted on; still_scale: the still component's
    width in noise sigmas; alpha: low-pass of each landmark's still posterior.
    """

    def __init__(self, window: int = DEFAULT_WINDOW, em_frames: int = EM_FRAMES, max_gap_s: float = MAX_GAP_S,
                 still_scale: float = STILL_SCALE, alpha: float = ALPHA):
        if window < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        if not 0.0 < alpha <= 1.0:
            raise ValueError(f"alpha must be in (0, 1], got {alpha}")
        self.window = int(window)
        self.em_frames = int(em_frames)
        self.max_gap_s = float(max_gap_s)
        self.still_scale = float(still_scale)
        self.alpha = float(alpha)
        self.reset()

    def reset(self) -> None:
        n = max(self.window, self.em_frames + 2, 3)
        self._obs: deque[np.ndarray] = deque(maxlen=n)
        self._times: deque[float] = deque(maxlen=n)
        self.mixture = StillMotionMixture()
        self.p_still: np.ndarray | None = None  # (N,) low-passed posterior of "still"

    def apply(self, out: LandmarkOutput, timestamp_s: float, object_scale_px: float | None) -> LandmarkOutput:
        if out.image_size_wh is None:
            raise ValueError("FusionFilter needs out.image_size_wh (the tracker sets it)")
        w, h = out.image_size_wh
        px = np.array([w, h, w], np.float64)
        pts = np.asarray(out.points_norm, np.float64)
        xyz = pts[:, :3] * px  # pixels, z on x's scale
        if object_scale_px is None or not object_scale_px > 0:
            span = xyz[:, :2].max(axis=0) - xyz[:, :2].min(axis=0)
            object_scale_px = float(span.mean())
        floor2 = (_MIN_SIGMA * max(float(object_scale_px), 1e-6)) ** 2
        t = float(timestamp_s)
        if self._times and (not 0.0 < t - self._times[0] <= self.max_gap_s or self._obs[0].shape != xyz.shape):
            self.reset()  # a gap, time going back, another object: the old frames say nothing now
        self._obs.appendleft(xyz)
        self._times.appendleft(t)
        if len(self._obs) < 3 or self.window == 1:
            return out
        x = np.stack(self._obs)  # (H, N, 3), newest first
        xy = x[:, :, :2]
        acc2 = ((xy[:-2] - 2.0 * xy[1:-1] + xy[2:]) ** 2).sum(axis=2)  # (H-2, N)
        # 2-D: |second difference|^2 ~ 6 sigma^2 chi2(2), whose median is 6 sigma^2 * 2 ln 2.
        sigma2 = max(float(np.median(acc2)) / (12.0 * math.log(2.0)), floor2)
        v2 = (((xy[:-2] - xy[2:]) / 2.0) ** 2).sum(axis=2)  # (H-2, N) two-frame speeds^2
        # A two-frame speed of a still point has variance sigma^2 / 2 an axis.
        self.mixture.fit(sigma2 / 2.0 * self.still_scale ** 2, v2)
        p = self.mixture.p_same(v2[0])
        self.p_still = p if self.p_still is None or self.p_still.shape != p.shape else (
            (1.0 - self.alpha) * self.p_still + self.alpha * p)
        k = min(self.window, len(self._obs))
        wts = self.p_still[None, :] ** np.arange(k)[:, None]  # (k, N): still for j frames
        fused = (wts[:, :, None] * x[:k]).sum(axis=0) / wts.sum(axis=0)[:, None]
        new = pts.astype(np.float32, copy=True)
        new[:, :3] = (fused / px).astype(np.float32)
        return out.with_points(new)
