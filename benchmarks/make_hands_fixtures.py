"""Writes the hands fixtures from real footage (fingerpose's photos and clip, see
pose/hands/samples.py); rerun after a change to the hands pipeline or to the samples:

    .venv/bin/python benchmarks/make_hands_fixtures.py [--mp-python PATH]

- tests/fixtures/hands_gestures.npz: a recorded hands track (the ``dance track --what
  hands`` format) of real hands making gestures, plus our per-frame labels, for headless
  tests of hands-free control: the clip (Thumb_Up, Victory, Thumb_Up, Victory, Thumb_Up at
  10 fps) then the pointing, fist and half-curled photos on synthetic camera paths.
- tests/pose/fixtures/hands_ref.npz: a few frames (PNG bytes) and mediapipe Hands' answer
  on them (hands_reference.py under the mediapipe virtualenv), so ``make test`` checks our
  pipeline against Google's without mediapipe installed.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pose.hands import samples  # noqa: E402
from pose.hands.track import hands_track_arrays  # noqa: E402

MP_PYTHON = Path(os.environ.get("DANCE_MP_PYTHON", Path.home() / ".cache/dancestudio/venv-mediapipe/bin/python"))
GESTURES_OUT = ROOT / "tests" / "fixtures" / "hands_gestures.npz"
REF_OUT = ROOT / "tests" / "pose" / "fixtures" / "hands_ref.npz"
# (clip, frame) pairs for the reference fixture: consecutive clip frames exercise tracking
# (and the emoji the palm detector takes for a second hand), then one frame per photo path.
REF_FRAMES = [("gif", i) for i in range(27, 31)] + [("nocurl", 5), ("fullcurl", 5), ("halfcurl", 5)]


SEQUENCE = [("gif", None), ("nocurl", None), ("fullcurl", None), ("halfcurl", 10)]


def write_gestures() -> None:
    """Each clip tracked afresh (a cut between two clips is no camera motion), then joined
    into one track with continuous time."""
    clips = {c.name: c for c in samples.gesture_clips(still_frames=20, extra=False)}
    fps = samples.GIF_FPS
    parts, labels, sources = [], [], []
    for name, n in SEQUENCE:
        c = clips[name]
        k = len(c.frames) if n is None else n
        parts.append(hands_track_arrays(c.frames[:k], fps, mirrored=True))
        labels += list(c.labels[:k])
        sources += [name] * k
    total = len(labels)
    arrays = dict(parts[0])
    for key in ("hands", "handedness", "gestures"):
        arrays[key] = np.concatenate([p[key] for p in parts])
    arrays["t"] = np.arange(total, dtype=np.float64) / fps
    np.savez_compressed(
        GESTURES_OUT, **arrays, labels=np.array(labels), source_clip=np.array(sources),
        source=np.array("fingerpose 0.1.0 (npm, MIT): assets/fingers-lq.gif, then nocurl/fullcurl/halfcurl.jpg "
                        "on synthetic camera paths; labels ours, by eye; tracked with mirrored=True"))
    print(f"wrote {GESTURES_OUT} ({total} frames, {GESTURES_OUT.stat().st_size} bytes)")


def write_reference(mp_python: Path) -> None:
    import cv2

    clips = {c.name: c for c in samples.gesture_clips(still_frames=20, extra=False)}
    frames = np.stack([clips[c].frames[i] for c, i in REF_FRAMES])
    clip_ids = np.array([0 if c == "gif" else k + 1 for k, (c, _) in enumerate(REF_FRAMES)])
    with tempfile.TemporaryDirectory() as tmp:
        src, ref = Path(tmp) / "frames.npz", Path(tmp) / "ref.npz"
        np.savez(src, frames=frames, clips=clip_ids)
        subprocess.run([str(mp_python), str(ROOT / "benchmarks" / "hands_reference.py"), str(src), "--out", str(ref)],
                       check=True, stderr=subprocess.DEVNULL)
        r = dict(np.load(ref))
    png = [np.frombuffer(cv2.imencode(".png", cv2.cvtColor(f, cv2.COLOR_RGB2BGR))[1].tobytes(), np.uint8)
           for f in frames]
    offsets = np.cumsum([0] + [len(p) for p in png])
    np.savez_compressed(REF_OUT, png=np.concatenate(png), png_offsets=offsets, clips=clip_ids,
                        hands=r["hands"], label=r["label"], label_score=r["label_score"])
    print(f"wrote {REF_OUT} ({len(frames)} frames, {REF_OUT.stat().st_size} bytes)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mp-python", type=Path, default=MP_PYTHON)
    ap.add_argument("--skip-reference", action="store_true")
    args = ap.parse_args()
    samples.fetch()
    write_gestures()
    if not args.skip_reference:
        write_reference(args.mp_python)


if __name__ == "__main__":
    main()
