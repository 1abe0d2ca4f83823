"""What tells two children apart from frame to frame: where each is heading (a constant-
velocity prediction of the body centre and size) and what each looks like (clothing colour
sampled along the torso and limbs, and body proportions from the world landmarks).

Pure numpy over a frame and a PoseFrame; pose.body.players decides with these.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pose.frame import PoseFrame

# Landmark indices (BlazePose 33).
L_SHOULDER, R_SHOULDER, L_ELBOW, R_ELBOW, L_WRIST, R_WRIST = 11, 12, 13, 14, 15, 16
L_HIP, R_HIP, L_KNEE, R_KNEE, L_ANKLE, R_ANKLE = 23, 24, 25, 26, 27, 28
CORE = (L_SHOULDER, R_SHOULDER, L_HIP, R_HIP)
# Colour regions: what a child wears differs most between top and trousers.
LIMB_REGIONS: dict[str, tuple[tuple[int, int], ...]] = {
    "thighs": ((L_HIP, L_KNEE), (R_HIP, R_KNEE)),
    "shins": ((L_KNEE, L_ANKLE), (R_KNEE, R_ANKLE)),
    "arms": ((L_SHOULDER, L_ELBOW), (R_SHOULDER, R_ELBOW)),
}
REGIONS = ("torso", *LIMB_REGIONS)
REGION_WEIGHTS = np.array([2.0, 1.5, 0.75, 0.75], np.float32)  # torso and thighs: most cloth
# Body proportions: segments measured in the world landmarks (metres), as shares of their sum.
SEGMENTS = ((L_SHOULDER, R_SHOULDER), (L_HIP, R_HIP), (L_SHOULDER, L_HIP), (R_SHOULDER, R_HIP),
            (L_HIP, L_KNEE), (R_HIP, R_KNEE), (L_KNEE, L_ANKLE), (R_KNEE, R_ANKLE),
            (L_SHOULDER, L_ELBOW), (R_SHOULDER, R_ELBOW), (L_ELBOW, L_WRIST), (R_ELBOW, R_WRIST))
HUE_BINS = 12
GREY_BINS = 4
BINS = HUE_BINS * 2 + GREY_BINS  # hue x (pale, vivid) + grey levels
MIN_VISIBILITY = 0.5
TORSO_GRID = np.linspace(0.2, 0.8, 4)
LIMB_STEPS = np.linspace(0.15, 0.85, 5)


def body_centre_px(pose: PoseFrame) -> np.ndarray:
    """(2,) the mean of the shoulders and hips in pixels."""
    return pose.xy_px()[list(CORE)].mean(axis=0).astype(np.float64)


def body_scale_px(pose: PoseFrame) -> float:
    """The body's size in pixels: the landmark model's ROI side (steadier than any limb,
    which folds when a child bends), or the torso's length times 4 without an ROI."""
    if pose.roi is not None and pose.roi.size_px > 0:
        return float(pose.roi.size_px)
    xy = pose.xy_px()
    torso = np.linalg.norm(xy[[L_SHOULDER, R_SHOULDER]].mean(0) - xy[[L_HIP, R_HIP]].mean(0))
    return max(4.0 * float(torso), 1.0)


def body_box_px(pose: PoseFrame) -> np.ndarray:
    """(4,) x0, y0, x1, y1: the box around the body's points seen in the frame."""
    xy = pose.xy_px()
    seen = pose.visibility > MIN_VISIBILITY
    pts = xy[seen] if seen.sum() >= 4 else xy
    return np.array([*pts.min(axis=0), *pts.max(axis=0)], np.float64)


def box_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over the smaller box's area: 1 when one body's box lies inside the other's."""
    ix = min(a[2], b[2]) - max(a[0], b[0])
    iy = min(a[3], b[3]) - max(a[1], b[1])
    if ix <= 0 or iy <= 0:
        return 0.0
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return float(ix * iy / small) if small > 0 else 0.0


def _colour_bins(rgb_samples: np.ndarray) -> np.ndarray:
    """(M, 3) uint8 RGB -> (M,) bin index: hue in 12 bins split pale / vivid, or 4 greys."""
    c = rgb_samples.astype(np.float32) / 255.0
    mx = c.max(axis=1)
    mn = c.min(axis=1)
    chroma = mx - mn
    sat = np.where(mx > 1e-6, chroma / np.maximum(mx, 1e-6), 0.0)
    r, g, b = c[:, 0], c[:, 1], c[:, 2]
    safe = np.maximum(chroma, 1e-6)
    hue = np.where(mx == r, ((g - b) / safe) % 6.0, np.where(mx == g, (b - r) / safe + 2.0, (r - g) / safe + 4.0))
    hue_bin = np.clip((hue / 6.0 * HUE_BINS).astype(np.int64), 0, HUE_BINS - 1)
    # Dark or unsaturated pixels have no trustworthy hue: they go by brightness.
    grey = (sat < 0.18) | (mx < 0.15)
    grey_bin = HUE_BINS * 2 + np.clip((mx * GREY_BINS).astype(np.int64), 0, GREY_BINS - 1)
    vivid = (sat >= 0.45).astype(np.int64)
    return np.where(grey, grey_bin, hue_bin * 2 + vivid)


@dataclass(frozen=True, eq=False)
class Appearance:
    """What one body looks like in one frame.

    hist: (4, 28) float32 colour histograms per region (torso, thighs, shins, arms), each
        row summing to 1 where seen, zeros where not. counts: (4,) samples behind each row.
    proportions: (12,) float32 segment lengths from the world landmarks as shares of their
        sum, or None without world landmarks.
    """

    hist: np.ndarray
    counts: np.ndarray
    proportions: np.ndarray | None

    def __post_init__(self) -> None:
        h = np.asarray(self.hist, np.float32)
        if h.shape != (len(REGIONS), BINS):
            raise ValueError(f"hist must be ({len(REGIONS)}, {BINS}), got {h.shape}")
        object.__setattr__(self, "hist", h)
        c = np.asarray(self.counts, np.float32)
        if c.shape != (len(REGIONS),):
            raise ValueError(f"counts must be ({len(REGIONS)},), got {c.shape}")
        object.__setattr__(self, "counts", c)
        if self.proportions is not None:
            p = np.asarray(self.proportions, np.float32)
            if p.shape != (len(SEGMENTS),):
                raise ValueError(f"proportions must be ({len(SEGMENTS)},), got {p.shape}")
            object.__setattr__(self, "proportions", p)


def _sample_points(pose: PoseFrame) -> list[np.ndarray]:
    """Per region, (M, 2) pixel points to read colour at (only along visible landmarks)."""
    xy = pose.xy_px().astype(np.float64)
    vis = pose.visibility
    out: list[np.ndarray] = []
    ls, rs, lh, rh = (xy[i] for i in CORE)
    if (vis[list(CORE)] > MIN_VISIBILITY).all():
        u, v = np.meshgrid(TORSO_GRID, TORSO_GRID)
        u, v = u.ravel()[:, None], v.ravel()[:, None]
        top = ls + (rs - ls) * u
        bottom = lh + (rh - lh) * u
        out.append(top + (bottom - top) * v)
    else:
        out.append(np.empty((0, 2)))
    for segs in LIMB_REGIONS.values():
        pts = [xy[a] + (xy[b] - xy[a]) * LIMB_STEPS[:, None]
               for a, b in segs if vis[a] > MIN_VISIBILITY and vis[b] > MIN_VISIBILITY]
        out.append(np.concatenate(pts) if pts else np.empty((0, 2)))
    return out


def appearance(rgb: np.ndarray, pose: PoseFrame) -> Appearance:
    """Colour histograms at the body's torso and limbs in ``rgb`` (H, W, 3) uint8, and its
    proportions. Each point reads a small patch (a tenth of the torso) so a seam or a
    shadow does not decide the colour."""
    h, w = rgb.shape[:2]
    scale = body_scale_px(pose)
    r = int(max(1, min(12, round(scale * 0.02))))
    step = max(1, r // 2)
    hist = np.zeros((len(REGIONS), BINS), np.float32)
    counts = np.zeros(len(REGIONS), np.float32)
    for k, pts in enumerate(_sample_points(pose)):
        if not len(pts):
            continue
        inside = (pts[:, 0] >= r) & (pts[:, 0] < w - r) & (pts[:, 1] >= r) & (pts[:, 1] < h - r)
        pts = pts[inside].astype(np.int64)
        if not len(pts):
            continue
        samples = np.concatenate([rgb[y - r:y + r + 1:step, x - r:x + r + 1:step].reshape(-1, 3) for x, y in pts])
        bins = _colour_bins(samples)
        hist[k] = np.bincount(bins, minlength=BINS)[:BINS].astype(np.float32) / len(bins)
        counts[k] = len(pts)
    return Appearance(hist, counts, proportions(pose))


def proportions(pose: PoseFrame) -> np.ndarray | None:
    """(12,) segment lengths (world landmarks) as shares of their sum; None without world."""
    if pose.world is None or not np.isfinite(pose.world).all():
        return None
    wl = pose.world.astype(np.float64)
    lengths = np.array([np.linalg.norm(wl[a] - wl[b]) for a, b in SEGMENTS])
    total = lengths.sum()
    return (lengths / total).astype(np.float32) if total > 1e-6 else None


def hellinger(p: np.ndarray, q: np.ndarray) -> float:
    """Distance of two histograms (each summing to 1), 0 (same) .. 1 (disjoint)."""
    bc = float(np.sqrt(np.maximum(p, 0) * np.maximum(q, 0)).sum())
    return math.sqrt(max(0.0, 1.0 - min(bc, 1.0)))


class AppearanceModel:
    """A player's look, learnt while they are seen clearly: running colour histograms per
    region and running proportions. ``distance(a)`` -> 0 (same look) .. 1."""

    def __init__(self, first: Appearance):
        self.hist = first.hist.copy()
        self.weight = (first.counts > 0).astype(np.float32)
        self.proportions = None if first.proportions is None else first.proportions.copy()
        self.updates = 1

    def update(self, a: Appearance, rate: float = 0.05) -> None:
        """Blend in a clear view: fast for the first second of views, slowly after, so a
        lighting change is followed but a brief wrong view cannot rewrite the model."""
        self.updates += 1
        eta = max(rate, 1.0 / self.updates)
        for k in range(len(REGIONS)):
            if a.counts[k] <= 0:
                continue
            if self.weight[k] <= 0:
                self.hist[k] = a.hist[k]
                self.weight[k] = 1.0
            else:
                self.hist[k] = (1 - eta) * self.hist[k] + eta * a.hist[k]
        if a.proportions is not None:
            self.proportions = (a.proportions.copy() if self.proportions is None
                                else (1 - eta) * self.proportions + eta * a.proportions)

    def distance(self, a: Appearance) -> tuple[float, float]:
        """(colour distance 0..1 over the regions both have seen, their share of the weight).

        A region needs a few samples to count: a limb half out of frame says little."""
        both = (self.weight > 0) & (a.counts >= 3)
        if not both.any():
            return 1.0, 0.0
        wts = REGION_WEIGHTS[both]
        d = np.array([hellinger(self.hist[k], a.hist[k]) for k in np.nonzero(both)[0]])
        return float((d * wts).sum() / wts.sum()), float(wts.sum() / REGION_WEIGHTS.sum())

    def proportion_distance(self, a: Appearance) -> float | None:
        """Mean absolute difference of the proportion shares over the segments, scaled so
        that 1 is a very different build; None when either has no world landmarks."""
        if self.proportions is None or a.proportions is None:
            return None
        return float(np.abs(self.proportions - a.proportions).mean() / 0.02)

    def distance_to(self, other: "AppearanceModel") -> float:
        """Colour distance between two players' models (are they told apart by clothes?)."""
        both = (self.weight > 0) & (other.weight > 0)
        if not both.any():
            return 0.0
        wts = REGION_WEIGHTS[both]
        d = np.array([hellinger(self.hist[k], other.hist[k]) for k in np.nonzero(both)[0]])
        return float((d * wts).sum() / wts.sum())


class MotionModel:
    """Constant-velocity alpha-beta filter on the body centre (px) and size (px).

    ``predict(t)`` -> (centre (2,), size): where the child should be now. Velocity decays
    while they are not seen: a child who left is not assumed to keep walking for ever.
    """

    ALPHA = 0.6
    BETA = 0.15
    DECAY_S = 0.6

    def __init__(self, centre_px: np.ndarray, size_px: float, timestamp_s: float):
        self.centre = np.asarray(centre_px, np.float64).copy()
        self.velocity = np.zeros(2)
        self.size = float(size_px)
        self.size_rate = 0.0
        self.t = float(timestamp_s)

    def _ahead(self, dt: float) -> float:
        # Integral of a velocity decaying with time constant DECAY_S: at most DECAY_S x v.
        return self.DECAY_S * (1.0 - math.exp(-max(dt, 0.0) / self.DECAY_S))

    def predict(self, timestamp_s: float) -> tuple[np.ndarray, float]:
        dt = float(timestamp_s) - self.t
        k = self._ahead(dt)
        return self.centre + self.velocity * k, max(1.0, self.size + self.size_rate * k)

    def gap_s(self, timestamp_s: float) -> float:
        return max(0.0, float(timestamp_s) - self.t)

    def update(self, centre_px: np.ndarray, size_px: float, timestamp_s: float) -> None:
        dt = float(timestamp_s) - self.t
        if dt <= 0:
            return
        pred_c, pred_s = self.predict(timestamp_s)
        res_c = np.asarray(centre_px, np.float64) - pred_c
        res_s = float(size_px) - pred_s
        decay = math.exp(-dt / self.DECAY_S)
        if dt > 0.5:  # a long gap: start the velocity afresh rather than trust old speed
            self.centre = np.asarray(centre_px, np.float64).copy()
            self.velocity = np.zeros(2)
            self.size = float(size_px)
            self.size_rate = 0.0
        else:
            self.centre = pred_c + self.ALPHA * res_c
            self.velocity = self.velocity * decay + self.BETA * res_c / dt
            self.size = pred_s + self.ALPHA * res_s
            self.size_rate = self.size_rate * decay + self.BETA * res_s / dt
        self.t = float(timestamp_s)

    def distance(self, centre_px: np.ndarray, size_px: float, timestamp_s: float) -> float:
        """How far an observation is from the prediction, in body sizes, widened by the time
        the child has not been seen (1 = a plausible jump; much more = someone else)."""
        pred_c, pred_s = self.predict(timestamp_s)
        gap = self.gap_s(timestamp_s)
        # A child's centre strays from a steady walk by a tenth of their size at most between
        # frames (p95 0.01-0.035 on real clips at 30 fps); a track sliding onto the next child
        # strays 0.1 and more a frame.
        tol = pred_s * (0.05 + 1.5 * gap)
        d_centre = float(np.linalg.norm(np.asarray(centre_px) - pred_c)) / tol
        d_size = abs(math.log(max(size_px, 1.0) / pred_s)) / (0.3 + gap)
        return max(d_centre, d_size)
