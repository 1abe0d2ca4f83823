"""Google's own face mesh on raw RGB frames: reference landmarks and per-frame time.

Runs ONLY under the mediapipe virtualenv (mediapipe 0.10.21 needs numpy < 2), so it imports
nothing from this project. Frames are raw RGB bytes (H*W*3 each) on stdin, so it sees
exactly the pixels our decoder produced:

    ... | venv-mediapipe/bin/python benchmarks/mediapipe_face_reference.py --stdin WxH --lockstep

``--detect short|full`` runs mediapipe's FaceDetection (model_selection 0 / 1) instead and
answers ``detections``: [score, xmin, ymin, xmax, ymax, then 6 keypoints x, y] per face.

``--lockstep`` answers every frame with one JSON line before reading the next (a caller
times mediapipe and its own pipeline alternately, frame by frame): ``t_ms`` (wall time of
process()), ``cpu_ms`` (user + sys of this process during process()), ``found`` and
``landmarks`` (468 x [x, y, z] or null). ``--reset-each`` starts a new FaceMesh for every
frame (still photos that are not a sequence); ``--reset-every N`` one every N frames.

Settings are the issue's: FaceMesh(static_image_mode=False, max_num_faces=1,
refine_landmarks=False); the solution's own timestamps (+33333 us a frame). FaceMesh has
no landmark smoothing, and it finds faces with the short-range detector.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np


def stdin_frames(width: int, height: int):
    n = width * height * 3
    buf = sys.stdin.buffer
    while True:
        data = buf.read(n)
        if len(data) < n:
            return
        yield np.frombuffer(data, np.uint8).reshape(height, width, 3)


def cpu_s() -> float:
    """User + sys CPU seconds of this process, every thread (mediapipe's graph has several)."""
    return time.process_time()


def new_mesh(static: bool):
    import mediapipe as mp

    return mp.solutions.face_mesh.FaceMesh(static_image_mode=static, max_num_faces=1, refine_landmarks=False,
                                           min_detection_confidence=0.5, min_tracking_confidence=0.5)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stdin", metavar="WxH", required=True, help="raw RGB frames of this size on stdin")
    ap.add_argument("--lockstep", action="store_true", help="answer each frame with a JSON line at once")
    ap.add_argument("--reset-each", action="store_true", help="a fresh FaceMesh for every frame")
    ap.add_argument("--reset-every", type=int, default=0, metavar="N",
                    help="a fresh FaceMesh every N frames (the same still shown N frames running)")
    ap.add_argument("--detect", choices=("short", "full"), help="face detection only, this range")
    args = ap.parse_args(argv)
    w, h = (int(v) for v in args.stdin.lower().split("x"))
    if args.detect:
        return detect_main(w, h, args.detect, args.lockstep)
    mesh = new_mesh(False)
    lines = []
    for i, rgb in enumerate(stdin_frames(w, h)):
        if args.reset_each or (args.reset_every > 0 and i > 0 and i % args.reset_every == 0):
            mesh.close()
            mesh = new_mesh(False)
        c0, t0 = cpu_s(), time.perf_counter()
        res = mesh.process(rgb)
        t_ms, cpu_ms = (time.perf_counter() - t0) * 1e3, (cpu_s() - c0) * 1e3
        faces = res.multi_face_landmarks
        lm = [[p.x, p.y, p.z] for p in faces[0].landmark] if faces else None
        line = json.dumps({"t_ms": t_ms, "cpu_ms": cpu_ms, "found": lm is not None, "landmarks": lm})
        if args.lockstep:
            print(line, flush=True)
        else:
            lines.append(line)
    mesh.close()
    for line in lines:
        print(line)
    return 0


def detect_main(w: int, h: int, rng: str, lockstep: bool) -> int:
    import mediapipe as mp

    with mp.solutions.face_detection.FaceDetection(model_selection=1 if rng == "full" else 0,
                                                   min_detection_confidence=0.5) as fd:
        for rgb in stdin_frames(w, h):
            c0, t0 = cpu_s(), time.perf_counter()
            res = fd.process(rgb)
            t_ms, cpu_ms = (time.perf_counter() - t0) * 1e3, (cpu_s() - c0) * 1e3
            dets = []
            for d in res.detections or []:
                b = d.location_data.relative_bounding_box
                kps = [v for k in d.location_data.relative_keypoints for v in (k.x, k.y)]
                dets.append([d.score[0], b.xmin, b.ymin, b.xmin + b.width, b.ymin + b.height, *kps])
            print(json.dumps({"t_ms": t_ms, "cpu_ms": cpu_ms, "detections": dets}), flush=lockstep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
