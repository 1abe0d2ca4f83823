"""The standard pipelines a mode can ask the worker for, with their degradation policy.

Each entry builds a ``pose.worker.PipelineSpec``: how to make the pipeline (one LiteRT
thread each — the worker runs pipelines in parallel, one thread per pipeline, so two
pipelines fill two cores without oversubscribing them), its priority and the lowest rate
the degradation rule may cut it to. The policy, as data:

    name           priority  lowest rate   why
    body           0         every frame   scoring judges every frame of a dance
    hands, face    1         1/2           gestures are debounced over several frames anyway
    segmentation   2         1/2           the mask is smoothed over frames; a cut-out
                                           that updates at 15 fps still looks live

A mode that needs other settings builds its own PipelineSpec.
"""
from __future__ import annotations

from typing import Callable

from pose.worker import PipelineSpec

# name -> (priority, max_stride)
POLICY: dict[str, tuple[int, int]] = {
    "body": (0, 1),
    "hands": (1, 2),
    "face": (1, 2),
    "segmentation": (2, 2),
}
PIPELINE_THREADS = 1


def body(*, smooth: bool = True, threads: int = PIPELINE_THREADS) -> PipelineSpec:
    """BodyTracker: PoseFrame | None per frame."""
    def make():
        from pose.tracker import BodyTracker

        return BodyTracker(smooth=smooth, threads=threads)

    return PipelineSpec("body", make, *POLICY["body"], label="pose tracking")


def segmentation(*, variant: str = "landscape", smooth: bool = True, mask_long_side_px: int | None = 256,
                 threads: int = PIPELINE_THREADS) -> PipelineSpec:
    """SelfieSegmenter: SegmentationResult per frame. Landscape model by default: cameras
    are 16:9 and it is the cheaper one; the mask's longer side is 256 px (the compose
    helpers scale it to whatever they draw)."""
    def make():
        from pose.segmentation import SelfieSegmenter

        return SelfieSegmenter(variant, smooth=smooth, mask_long_side_px=mask_long_side_px, threads=threads)

    return PipelineSpec("segmentation", make, *POLICY["segmentation"], label="segmentation")


def hands(*, smooth: bool = True, mirrored: bool = False, model_complexity: int = 1,
          threads: int = PIPELINE_THREADS) -> PipelineSpec:
    """HandTracker: HandsResult per frame (up to two hands, handedness, gestures)."""
    def make():
        from pose.hands.tracker import HandTracker

        return HandTracker(model_complexity=model_complexity, mirrored=mirrored, smooth=smooth, threads=threads)

    return PipelineSpec("hands", make, *POLICY["hands"], label="hand tracking")


def face(*, smooth: bool = True, mirrored: bool = False, detector_range: str = "full",
         threads: int = PIPELINE_THREADS) -> PipelineSpec:
    """FaceTracker: FaceResult per frame. Full-range detection by default: a child dances
    1.5-3 m from the camera."""
    def make():
        from pose.face.tracker import FaceTracker

        return FaceTracker(detector_range=detector_range, smooth=smooth, threads=threads, mirrored=mirrored)

    return PipelineSpec("face", make, *POLICY["face"], label="face tracking")


STANDARD: dict[str, Callable[..., PipelineSpec]] = {"body": body, "hands": hands, "face": face,
                                                    "segmentation": segmentation}
# The module each standard pipeline needs: a build without it cannot offer that pipeline.
MODULES = {"body": "pose.tracker", "hands": "pose.hands.tracker", "face": "pose.face.tracker",
           "segmentation": "pose.segmentation"}


def available() -> list[str]:
    """The standard pipelines this build can run."""
    import importlib.util

    def has(module: str) -> bool:
        try:
            return importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            return False

    return [n for n in STANDARD if has(MODULES[n])]


def standard(*names: str, **options) -> list[PipelineSpec]:
    """Specs for these standard pipelines (default: every available one), e.g.
    ``standard("body", "segmentation")``.

    options apply to every factory that takes them (e.g. smooth=False, mirrored=True).
    An unknown name is a ValueError; a known one this build lacks is a one-line DanceError.
    """
    import inspect

    from pose.errors import DanceError

    unknown = [n for n in names if n not in STANDARD]
    if unknown:
        raise ValueError(f"unknown pipeline {', '.join(unknown)}; known: {', '.join(STANDARD)}")
    have = available()
    missing = [n for n in names if n not in have]
    if missing:
        raise DanceError(f"pipeline {', '.join(missing)} is not available in this build (it has: {', '.join(have)})")
    specs = []
    for n in names or tuple(have):
        make = STANDARD[n]
        accepted = inspect.signature(make).parameters
        specs.append(make(**{k: v for k, v in options.items() if k in accepted}))
    return specs
