"""Person segmentation: mediapipe's selfie models, temporal smoothing, and what a game mode
draws with the mask (cut-out onto a new background, blurred background, RGBA sprite)."""
from pose.segmentation.compose import blur_background, cut_out, sprite
from pose.segmentation.segmenter import MODELS, SelfieSegmenter
from pose.segmentation.types import SegmentationResult

__all__ = ["MODELS", "SegmentationResult", "SelfieSegmenter", "blur_background", "cut_out", "sprite"]
