"""The BlazePose 33-landmark skeleton: names, indices, left/right pairs, limbs."""
from __future__ import annotations

SKELETON = "blazepose33"
NUM_LANDMARKS = 33

NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear",
    "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow",
    "left_wrist", "right_wrist",
    "left_pinky", "right_pinky",
    "left_index", "right_index",
    "left_thumb", "right_thumb",
    "left_hip", "right_hip",
    "left_knee", "right_knee",
    "left_ankle", "right_ankle",
    "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)
INDEX: dict[str, int] = {n: i for i, n in enumerate(NAMES)}

# For mirroring: landmark i of the mirrored pose is landmark MIRROR[i] of the original.
MIRROR: tuple[int, ...] = tuple(
    INDEX[n.replace("left", "@").replace("right", "left").replace("@", "right")] for n in NAMES
)

# Bones drawn for a skeleton (pairs of landmark indices).
LIMBS: tuple[tuple[int, int], ...] = (
    (11, 12), (11, 23), (12, 24), (23, 24),  # torso
    (11, 13), (13, 15), (15, 19),  # left arm
    (12, 14), (14, 16), (16, 20),  # right arm
    (23, 25), (25, 27), (27, 31),  # left leg
    (24, 26), (26, 28), (28, 32),  # right leg
    (0, 7), (0, 8),  # head
)

COCO17: tuple[int, ...] = (0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)
