"""Stand-in for the generic tracker's LandmarkOutput until it lands on this branch."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from pose.frame import Roi


@dataclass(frozen=True, eq=False)
class LandmarkOutput:
    points_norm: np.ndarray
    score: float
    roi: Roi
    extras: Mapping[str, Any] = field(default_factory=dict)
    image_size_wh: tuple[int, int] | None = None
