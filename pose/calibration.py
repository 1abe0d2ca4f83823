"""Real model inputs for calibrating statically quantised variants (int8-static, int8-mixed).

The float body pipeline runs on sample footage the fidelity benchmark does NOT use (the
fixture is Demo_SinglePerson cam01/cam02), and what it feeds each model is kept: letterboxed
frames for the detector, rotated person crops for the landmark model. So the ranges come
from people moving, and the fidelity figures are measured on footage calibration never saw.
"""
from __future__ import annotations

import numpy as np

CALIBRATION_VIDEOS = ("Demo_SinglePerson/cam03.mp4", "Demo_SinglePerson/cam04.mp4",
                      "Demo_MultiPerson/cam01.mp4", "Demo_MultiPerson/cam02.mp4")
LANDMARK_SAMPLES = 24
DETECTOR_SAMPLES = 16


def _frames(video: str, every: int):
    import cv2

    from pose.samples import sample_path

    cap = cv2.VideoCapture(str(sample_path(video)))
    i = 0
    try:
        while True:
            ok, bgr = cap.read()
            if not ok:
                return
            if i % every == 0:
                yield i, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            i += 1
    finally:
        cap.release()


def calibration_inputs(name: str) -> list[dict[str, np.ndarray]] | None:
    """Inputs (by tensor name) for model ``name``, or None when no pipeline here feeds it."""
    if name == "pose_landmark_full":
        from pose.tracker import BodyTracker

        out: list[dict[str, np.ndarray]] = []
        per_video = LANDMARK_SAMPLES // len(CALIBRATION_VIDEOS)
        for video in CALIBRATION_VIDEOS:
            tracker = BodyTracker(smooth=False, precision="float")
            taken = 0
            for i, rgb in _frames(video, 1):
                calls = tracker.landmark_calls
                tracker.process(rgb, (i + 1) / 30.0)
                if tracker.landmark_calls > calls and i % 6 == 0 and taken < per_video:
                    out.append({"input_1": tracker.landmarker._in_buf.copy()})
                    taken += 1
        return out
    if name == "pose_detection":
        from pose.detector import PoseDetector

        det = PoseDetector(precision="float")
        out = []
        per_video = DETECTOR_SAMPLES // len(CALIBRATION_VIDEOS)
        for video in CALIBRATION_VIDEOS:
            for n, (_, rgb) in enumerate(_frames(video, 20)):
                if n >= per_video:
                    break
                x, _, _ = det.preprocess(rgb)
                out.append({"input_1": x.copy()})
        return out
    return None
