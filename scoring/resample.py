"""Player poses onto a fixed grid of the song clock, so camera frame rate, jitter and dropped
frames do not change a score.

    grid = PlayerGrid(mode="3d", rate_hz=30.0)
    grid.push(t_s, features)        # features: one row (scoring.features.Features)
    grid.window(lo, hi)             # Features of grid samples [lo, hi); outside: nobody

Each grid sample takes the nearer of the two camera poses around it; a sample farther than
MAX_GAP_S from both is nobody (a dropped camera). Before the first pose, nobody.
"""
from __future__ import annotations

import math

import numpy as np

from scoring import features as feat

# A player sample farther than this from every camera frame is "nobody" (a dropped camera).
MAX_GAP_S = 0.25
# Left/right swap decisions (Features.facing) need at least this many decided samples.
FACING_MIN_DECIDED = 5


class PlayerGrid:
    """Growable per-grid-sample player features at ``rate_hz`` from song time 0 (the
    song clock minus the calibrated latency), in coach-slot order (mirrored if needed)."""

    def __init__(self, mode: str, rate_hz: float, start_s: float = -math.inf) -> None:
        if not (math.isfinite(rate_hz) and rate_hz > 0):
            raise ValueError(f"rate_hz must be finite and > 0, got {rate_hz}")
        self.mode = mode
        self.rate_hz = float(rate_hz)
        self.vectors = np.full((256, feat.NUM_VECTORS, 3), np.nan)
        self.angles = np.full((256, feat.NUM_ANGLES), np.nan)
        self.weights = np.zeros((256, feat.NUM_UNITS))
        self.facing = np.full(256, np.nan)
        self.n = 0
        self._prev: tuple[float, feat.Features] | None = None
        # Grid samples up to start_s (the clock before the first pose): nobody.
        while math.isfinite(start_s) and self.n / self.rate_hz <= start_s:
            self._append(feat.empty(1, mode))

    def push(self, t_s: float, f: feat.Features) -> None:
        """Emit grid samples up to time t_s: each takes the nearer of the previous and this pose."""
        while self.n / self.rate_hz <= t_s:
            g = self.n / self.rate_hz
            choice, dist = f, t_s - g
            if self._prev is not None and (g - self._prev[0]) < dist:
                choice, dist = self._prev[1], g - self._prev[0]
            self._append(choice if dist <= MAX_GAP_S else feat.empty(1, self.mode))
        self._prev = (t_s, f)

    def _append(self, f: feat.Features) -> None:
        if self.n == len(self.weights):
            self.vectors = np.concatenate([self.vectors, np.full_like(self.vectors, np.nan)])
            self.angles = np.concatenate([self.angles, np.full_like(self.angles, np.nan)])
            self.weights = np.concatenate([self.weights, np.zeros_like(self.weights)])
            self.facing = np.concatenate([self.facing, np.full_like(self.facing, np.nan)])
        self.vectors[self.n] = f.vectors[0]
        self.angles[self.n] = f.angles[0]
        self.weights[self.n] = f.weights[0]
        self.facing[self.n] = f.facing[0] if f.facing is not None else np.nan
        self.n += 1

    def window(self, lo: int, hi: int) -> feat.Features:
        """Samples [lo, hi); indices outside [0, n) are nobody (padding)."""
        out = feat.empty(hi - lo, self.mode)
        a, b = max(lo, 0), min(hi, self.n)
        if b > a:
            out.vectors[a - lo : b - lo] = self.vectors[a:b]
            out.angles[a - lo : b - lo] = self.angles[a:b]
            out.weights[a - lo : b - lo] = self.weights[a:b]
            out.facing[a - lo : b - lo] = self.facing[a:b]
        return out

    def swapped_fraction(self, lo: int, hi: int) -> float | None:
        """Of the decided samples in [lo, hi), the fraction whose left and right look
        swapped (Features.facing < 0); None when fewer than FACING_MIN_DECIDED decided."""
        f = self.facing[max(lo, 0) : min(hi, self.n)]
        f = f[np.isfinite(f)]
        return float((f < 0).mean()) if len(f) >= FACING_MIN_DECIDED else None
