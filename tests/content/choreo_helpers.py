"""Media for choreography tests: tiny real videos (cv2) and pose tracks written to disk.

Loaded by the choreography test modules with ``load_helpers()`` (tests run in importlib
mode, so sibling modules are not importable by name, and tests/scoring/conftest.py is
shared with other engineers).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from pose.track import PoseTrack

SCHEMA_LINE = "# yaml-language-server: $schema=../choreography.schema.json\n"


def make_video(path: Path, frames: int = 40, fps: float = 20.0, size: tuple[int, int] = (64, 48)) -> Path:
    """A real mp4 (mp4v) with ``frames`` frames: a grey square sliding left to right."""
    import cv2

    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    assert writer.isOpened(), "cv2 cannot write mp4v"
    for i in range(frames):
        img = np.full((h, w, 3), 30, np.uint8)
        x = int(i * (w - 10) / max(frames - 1, 1))
        img[h // 3: h // 3 + 10, x: x + 10] = 200
        writer.write(img)
    writer.release()
    return path


def make_track(path: Path, frames: int = 40, fps: float = 20.0, size: tuple[int, int] = (64, 48),
               visibility: float = 0.9, hidden: dict[int, tuple[int, int]] | None = None,
               nobody: tuple[int, int] | None = None, back_turned: tuple[int, int] | None = None) -> Path:
    """A pose track of a standing figure, facing the camera, waving its left hand.

    hidden: landmark index -> (first, last+1) frame range where its visibility is 0.1.
    nobody: (first, last+1) frame range of NaN rows.
    back_turned: (first, last+1) frame range where the figure has its back to the camera.
    """
    base = _standing_figure()
    lm = np.zeros((frames, 33, 4), np.float32)
    for i in range(frames):
        lm[i, :, :2] = base
        lm[i, 15, 1] = 0.3 + 0.2 * np.sin(i / 3)  # the left wrist waves
        lm[i, :, 2] = 0.0
        lm[i, :, 3] = visibility
    for idx, (a, b) in (hidden or {}).items():
        lm[a:b, idx, 3] = 0.1
    if back_turned:
        a, b = back_turned
        lm[a:b, :, 0] = 1.0 - lm[a:b, :, 0]  # seen from behind: left and right swap sides
    world = np.concatenate([lm[..., :2] - 0.5, np.zeros((frames, 33, 1), np.float32)], axis=2)
    if nobody:
        lm[nobody[0]:nobody[1]] = np.nan
        world[nobody[0]:nobody[1]] = np.nan
    t = np.arange(frames) / fps
    PoseTrack(lm, world, t, fps, size).save(path)
    return path


def _standing_figure() -> np.ndarray:
    """(33, 2) normalised x, y of a person facing the camera (their left on the image right)."""
    from pose.landmarks import NAMES

    xy = np.zeros((33, 2), np.float32)
    for i, name in enumerate(NAMES):
        side = 1 if name.startswith("left") else -1 if name.startswith("right") else 0
        if "eye" in name or "ear" in name or "mouth" in name or name == "nose":
            xy[i] = (0.5 + 0.03 * side, 0.15)
        elif "shoulder" in name:
            xy[i] = (0.5 + 0.08 * side, 0.28)
        elif "elbow" in name:
            xy[i] = (0.5 + 0.10 * side, 0.40)
        elif name.split("_", 1)[1] in ("wrist", "pinky", "index", "thumb"):
            xy[i] = (0.5 + 0.11 * side, 0.50)
        elif "hip" in name:
            xy[i] = (0.5 + 0.05 * side, 0.55)
        elif "knee" in name:
            xy[i] = (0.5 + 0.05 * side, 0.72)
        else:  # ankle, heel, foot
            xy[i] = (0.5 + 0.05 * side, 0.90)
    return xy


def make_png(path: Path) -> Path:
    import cv2

    cv2.imwrite(str(path), np.full((8, 8, 3), 255, np.uint8))
    return path


VALID_YAML = SCHEMA_LINE + """format: 1
title: Bunny Hop
artist: The Carrots
video: clip.mp4
pose_track: clip.npz
bpm: 120
offset: 0.0
mirror: true
difficulty: easy
moves:
  - name: Bunny ears
    start: 0
    beats: 2
    parts: [left_arm, right_arm]
    tip: Hands up high!
  - name: Hop
    start_s: 1.0
    duration_s: 0.5
    parts: {left_leg: 2, right_leg: 1}
    gold: true
"""


def make_folder(folder: Path, text: str = VALID_YAML, name: str = "song.yaml", **track_kw) -> Path:
    """A choreography folder: clip.mp4 (40 frames, 20 fps = 2 s), clip.npz and the YAML."""
    folder.mkdir(parents=True, exist_ok=True)
    make_video(folder / "clip.mp4")
    make_track(folder / "clip.npz", **track_kw)
    (folder / name).write_text(text)
    return folder / name


def make_corpus_folder(folder: Path) -> Path:
    """The media the broken-choreography corpus refers to (each YAML names its problem)."""
    folder.mkdir(parents=True, exist_ok=True)
    make_video(folder / "clip.mp4")                       # 40 frames at 20 fps: 2 s
    make_track(folder / "clip.npz")                       # matches the video
    make_track(folder / "short.npz", frames=30)           # 10 frames short
    make_track(folder / "fast.npz", fps=25.0)             # same length, another rate
    (folder / "notatrack.npz").write_text("not a zip file\n")
    (folder / "notavideo.mp4").write_text("not a video\n")
    make_png(folder.parent / "outside.png")
    (folder / "escape.png").symlink_to(folder.parent / "outside.png")
    (folder / "sub").mkdir()
    make_ogg(folder / "song.ogg", 2.0)
    make_ogg(folder / "short.ogg", 1.2)
    (folder / "notaudio.ogg").write_text("not audio\n")
    return folder


def make_ogg(path: Path, seconds: float, freq_hz: float = 440.0) -> Path:
    """A real Ogg Vorbis tone, encoded by imageio-ffmpeg's ffmpeg from a synthesised wav."""
    import subprocess
    import wave

    import imageio_ffmpeg

    rate = 22050
    t = np.arange(int(seconds * rate)) / rate
    wav = path.with_suffix(".wav")
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((0.3 * 32767 * np.sin(2 * np.pi * freq_hz * t)).astype("<i2").tobytes())
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(wav),
                    "-c:a", "libvorbis", str(path)], check=True)
    wav.unlink()
    return path
