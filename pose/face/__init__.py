"""Faces: detection (short and full range), the 468-point mesh tracked from its own
landmarks, and the derived signals a game reads (head angles, mouth, smile, brows, eyes).

``FaceTracker(...).process(rgb, timestamp_s)`` -> ``FaceResult`` is the entry point; the
parts (FaceDetector, FaceMeshModel, FaceRoiRule) plug into the generic pose.tracking.Tracker.
"""
from pose.face.detector import FULL_RANGE, SHORT_RANGE, FaceDetector
from pose.face.mesh import NUM_FACE_LANDMARKS, FaceMeshModel, FaceRoiRule
from pose.face.result import FaceResult
from pose.face.signals import FaceSignals, face_signals
from pose.face.tracker import FaceTracker

__all__ = ["FULL_RANGE", "SHORT_RANGE", "FaceDetector", "NUM_FACE_LANDMARKS", "FaceMeshModel",
           "FaceRoiRule", "FaceResult", "FaceSignals", "face_signals", "FaceTracker"]
