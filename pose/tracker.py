"""The body trackers' historical home: BodyTracker and as_rgb live on here for callers.

The body pipeline is pose.body (a configuration of the generic pose.tracking.Tracker).
"""
from pose.body.tracker import BodyTracker, MultiBodyTracker
from pose.tracking.tracker import as_rgb

__all__ = ["BodyTracker", "MultiBodyTracker", "as_rgb"]
