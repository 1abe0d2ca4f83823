"""Body-part groups that moves are scored on (names used in choreography YAML)."""
from __future__ import annotations

BODY_PARTS: tuple[str, ...] = ("left_arm", "right_arm", "left_leg", "right_leg", "torso", "head")
