"""Hands: palm detection, 21 hand landmarks with handedness, tracking, gestures.

``HandTracker(...).process(rgb, timestamp_s)`` -> ``HandsResult``.
"""
from pose.hands.result import LEFT, NO_HAND, RIGHT, Hand, HandsResult

__all__ = ["LEFT", "RIGHT", "NO_HAND", "Hand", "HandsResult"]
