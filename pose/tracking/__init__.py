"""One generic detect -> ROI -> landmark tracker; body, face and hands are configurations of it."""
from pose.tracking.tracker import Tracker, as_rgb
from pose.tracking.types import (
    Detection,
    Detector,
    Filter,
    LandmarkModel,
    LandmarkOutput,
    RoiRule,
    TrackedObject,
)

__all__ = ["Detection", "Detector", "Filter", "LandmarkModel", "LandmarkOutput", "RoiRule",
           "TrackedObject", "Tracker", "as_rgb"]
