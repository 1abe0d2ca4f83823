"""The model zoo: one registry of every model the project uses.

Models come from the pinned mediapipe wheel (see shared/docs/blazepose.md) and are cached
under ``paths.models_dir()``. ``dance models fetch|list|verify`` work on this registry.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pose import paths
from pose.fetch import Item, Status, Wheel, check

WHEEL_PACKAGE = "mediapipe"
WHEEL_VERSION = "0.10.21"
WHEEL_FILE = "mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl"
WHEEL_SHA256 = "05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3"
WHEEL_PIP_ARGS = (
    "--no-deps", "--only-binary=:all:", "--python-version", "3.11",
    "--platform", "manylinux_2_28_x86_64",
)
WHEEL = Wheel(WHEEL_PACKAGE, WHEEL_VERSION, WHEEL_FILE, WHEEL_SHA256, WHEEL_PIP_ARGS,
              "dance models fetch")


@dataclass(frozen=True)
class Model:
    """One registered model file.

    inputs / outputs: tensor name -> shape, as the interpreter reports them.
    """

    name: str
    file: str
    member: str  # path inside the wheel
    sha256: str
    size: int
    inputs: dict[str, tuple[int, ...]]
    outputs: dict[str, tuple[int, ...]]
    purpose: str

    @property
    def path(self) -> Path:
        return paths.models_dir() / self.file

    @property
    def item(self) -> Item:
        """This model as a fetchable file (its path follows DANCE_CACHE at call time)."""
        return Item(self.name, self.member, self.sha256, self.size, self.path)

    def status(self) -> Status:
        """verified / missing / corrupt: size, then sha256, against the registry."""
        return check(self.item)


def _m(name, member, sha256, size, inputs, outputs, purpose) -> Model:
    return Model(name, member.rsplit("/", 1)[-1], member, sha256, size, inputs, outputs, purpose)


MODELS: dict[str, Model] = {m.name: m for m in (
    _m("pose_detection", "mediapipe/modules/pose_detection/pose_detection.tflite",
       "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c", 2959046,
       {"input_1": (1, 224, 224, 3)},
       {"Identity": (1, 2254, 12), "Identity_1": (1, 2254, 1)},
       "body: finds a person (box + 4 keypoints) when tracking is lost"),
    _m("pose_landmark_full", "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
       "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f", 6440512,
       {"input_1": (1, 256, 256, 3)},
       {"Identity": (1, 195), "Identity_1": (1, 1), "Identity_2": (1, 256, 256, 1),
        "Identity_3": (1, 64, 64, 39), "Identity_4": (1, 117)},
       "body: 33 landmarks, world landmarks, heatmap and segmentation on the person crop"),
    _m("face_detection_short_range", "mediapipe/modules/face_detection/face_detection_short_range.tflite",
       "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8", 229714,
       {"input": (1, 128, 128, 3)},
       {"regressors": (1, 896, 16), "classificators": (1, 896, 1)},
       "face: finds faces within ~2 m of the camera"),
    _m("face_detection_full_range_sparse",
       "mediapipe/modules/face_detection/face_detection_full_range_sparse.tflite",
       "2c3728e6da56f21e21a320433396fb06d40d9088f2247c05e5635a688d45dfe1", 676746,
       {"input_1": (1, 192, 192, 3)},
       {"Identity": (1, 2304, 16), "Identity_1": (1, 2304, 1)},
       "face: finds faces up to ~5 m away (a child dancing)"),
    _m("face_landmark", "mediapipe/modules/face_landmark/face_landmark.tflite",
       "1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814", 1242398,
       {"input_1": (1, 192, 192, 3)},
       {"conv2d_21": (1, 1, 1, 1404), "conv2d_31": (1, 1, 1, 1)},
       "face: 468-point face mesh on the face crop"),
    _m("palm_detection_lite", "mediapipe/modules/palm_detection/palm_detection_lite.tflite",
       "e9a4aaddf90dda56a87235303cf00e4c2d3fb28725f68fd88772997dac905c18", 1985440,
       {"input_1": (1, 192, 192, 3)},
       {"Identity": (1, 2016, 18), "Identity_1": (1, 2016, 1)},
       "hands: finds palms (fast)"),
    _m("palm_detection_full", "mediapipe/modules/palm_detection/palm_detection_full.tflite",
       "1b14e9422c6ad006cde6581a46c8b90dd573c07ab7f3934b5589e7cea3f89a54", 2339846,
       {"input_1": (1, 192, 192, 3)},
       {"Identity": (1, 2016, 18), "Identity_1": (1, 2016, 1)},
       "hands: finds palms (accurate)"),
    _m("hand_landmark_lite", "mediapipe/modules/hand_landmark/hand_landmark_lite.tflite",
       "048edd3645c9bf7397d19a9f6e3a42957d6e414c9bea6598030a2e9b624156e6", 2071597,
       {"input_1": (1, 224, 224, 3)},
       {"Identity": (1, 63), "Identity_1": (1, 1), "Identity_2": (1, 1), "Identity_3": (1, 63)},
       "hands: 21 hand landmarks + handedness (fast)"),
    _m("hand_landmark_full", "mediapipe/modules/hand_landmark/hand_landmark_full.tflite",
       "11c272b891e1a99ab034208e23937a8008388cf11ed2a9d776ed3d01d0ba00e3", 5478917,
       {"input_1": (1, 224, 224, 3)},
       {"Identity": (1, 63), "Identity_1": (1, 1), "Identity_2": (1, 1), "Identity_3": (1, 63)},
       "hands: 21 hand landmarks + handedness (accurate); gestures are rules on these"),
    _m("selfie_segmentation", "mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite",
       "9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c", 249505,
       {"input_1": (1, 256, 256, 3)},
       {"activation_10": (1, 256, 256, 1)},
       "segmentation: person vs background mask"),
    _m("selfie_segmentation_landscape",
       "mediapipe/modules/selfie_segmentation/selfie_segmentation_landscape.tflite",
       "a77d03f4659b9f6b6c1f5106947bf40e99d7655094b6527f214ea7d451106edd", 250145,
       {"input_1": (1, 144, 256, 3)},
       {"segment_back": (1, 144, 256, 1)},
       "segmentation: person vs background mask, for landscape (16:9) frames"),
)}


def get(name: str) -> Model:
    """The registered model called ``name``; KeyError listing the known names otherwise."""
    try:
        return MODELS[name]
    except KeyError:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(MODELS)}") from None
