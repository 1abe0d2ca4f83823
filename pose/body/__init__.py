"""The body pipeline: BlazePose detector + landmarker as a configuration of the generic tracker."""
from pose.body.tracker import BodyTracker, MultiBodyTracker

__all__ = ["BodyTracker", "MultiBodyTracker"]
