"""Body-part groups that moves are scored on (names used in choreography YAML)."""
from __future__ import annotations

BODY_PARTS: tuple[str, ...] = ("left_arm", "right_arm", "left_leg", "right_leg", "torso", "head")

# Landmark indices (pose.landmarks.INDEX) whose visibility and motion stand for each part:
# shoulder-elbow-wrist, hip-knee-ankle, the torso's four corners, nose and ears.
PART_LANDMARKS: dict[str, tuple[int, ...]] = {
    "left_arm": (11, 13, 15),
    "right_arm": (12, 14, 16),
    "left_leg": (23, 25, 27),
    "right_leg": (24, 26, 28),
    "torso": (11, 12, 23, 24),
    "head": (0, 7, 8),
}
