"""Build the bundled Freeze Dance song: ``python -m game.demo.freeze_build [--out DIR]``.

Coco the bear dances while the (synthesised) music plays and freezes mid-move the moment
it stops. Writes, deterministically, into ``choreographies/freeze_party/``: ``freeze.ogg``
(silent in every freeze window), ``freeze.mp4``, ``freeze.npz`` (the animation's exact pose
track) and ``freeze.yaml`` (``mode: freeze``; one move per window with its cue).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from game.demo import coach, music
from game.demo.build import Captions
from game.demo.coach import Camera, Pose, blend, skeleton
from pose.track import PoseTrack

BPM = 120.0
OFFSET_S = 0.5
FPS = 30.0
SIZE = (960, 540)
TAIL_S = 2.0
TITLE = "Statue Shuffle"
ARTIST = "DanceStudio (synthesised)"
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "choreographies" / "freeze_party"
FADE_S = 0.02  # the music stops with a click-free fade


@dataclass(frozen=True)
class Window:
    name: str
    cue: str  # "intro", "dance", "freeze", "bow"
    start_beat: int
    beats: int
    move: Callable[[float], Pose] | None = None
    tip: str = ""
    gold: bool = False


def _routine() -> tuple[Window, ...]:
    plan = [
        ("Get ready", "intro", 4, coach.move_idle(), ""),
        ("Arm waves", "dance", 8, coach.move_arm_waves(), "Wave your arms while the music plays!"),
        ("Freeze!", "freeze", 4, None, "Freeze like a statue!"),
        ("March", "dance", 8, coach.move_march(), "March with high knees!"),
        ("Freeze!", "freeze", 4, None, "Stop! Not a wiggle!"),
        ("Jumping jacks", "dance", 8, coach.move_jumping_jacks(), "Jump, jump, jump!"),
        ("Freeze!", "freeze", 6, None, "A long freeze - hold it!"),
        ("Twist", "dance", 6, coach.move_twist(), "Twist and shout!"),
        ("Quick freeze!", "freeze", 3, None, "Quick - freeze!"),
        ("Disco point", "dance", 8, coach.move_disco_point(), "Point up, point down!"),
        ("Super freeze!", "freeze", 5, None, "The super statue: the best freeze of all!"),
        ("Take a bow", "bow", 4, coach.move_bow(), ""),
    ]
    out, beat = [], 0
    for i, (name, cue, beats, move, tip) in enumerate(plan):
        out.append(Window(name, cue, beat, beats, move, tip, gold=name.startswith("Super")))
        beat += beats
    return tuple(out)


ROUTINE = _routine()
TOTAL_BEATS = ROUTINE[-1].start_beat + ROUTINE[-1].beats
BLEND_BEATS = 0.5


def beat_of(t_s: float) -> float:
    return (t_s - OFFSET_S) * BPM / 60.0


def duration_s() -> float:
    return OFFSET_S + TOTAL_BEATS * 60.0 / BPM + TAIL_S


def window_at(beat: float) -> tuple[int, Window]:
    for i, w in enumerate(ROUTINE):
        if beat < w.start_beat + w.beats:
            return i, w
    return len(ROUTINE) - 1, ROUTINE[-1]


def pose_at(beat: float) -> Pose:
    """The coach's pose: a dance window's move; in a freeze, the pose held from the instant
    the music stopped; every dance starts by easing out of the statue."""
    beat = max(beat, 0.0)
    i, w = window_at(min(beat, TOTAL_BEATS - 1e-6))
    if w.move is None:  # freeze: hold the end of the move before
        prev = ROUTINE[i - 1]
        return prev.move(float(prev.beats)) if prev.move is not None else coach.move_idle()(0.0)
    local = min(beat, TOTAL_BEATS) - w.start_beat
    p = w.move(local)
    if i > 0 and ROUTINE[i - 1].move is None and local < BLEND_BEATS:
        p = blend(pose_at(w.start_beat - 1e-6), p, coach._ease(local / BLEND_BEATS))
    return p


def song() -> np.ndarray:
    """The music, silent in every freeze window."""
    audio = music.render_song(BPM, OFFSET_S, TOTAL_BEATS, tuple((w.start_beat, w.start_beat + w.beats)
                                                                 for w in ROUTINE if w.gold and w.cue == "dance"),
                              intro_beats=4, tail_s=TAIL_S, seed=7)
    gain = np.ones(len(audio), np.float32)
    beat_s = 60.0 / BPM
    fade = int(FADE_S * music.SR)
    for w in ROUTINE:
        if w.cue != "freeze":
            continue
        a = int((OFFSET_S + w.start_beat * beat_s) * music.SR)
        b = int((OFFSET_S + (w.start_beat + w.beats) * beat_s) * music.SR)
        gain[a:b] = 0.0
        gain[max(0, a - fade):a] = np.linspace(1, 0, a - max(0, a - fade), dtype=np.float32)
        gain[b - fade:b] = np.linspace(0, 1, fade, dtype=np.float32)  # back in on the next beat
    return audio * gain[:, None]


def write_video(path: Path, cam: Camera, n_frames: int, progress: bool = True) -> None:
    import imageio_ffmpeg

    from game.demo.build import VIDEO_BITRATE
    from game.demo.stage import Stage

    stage = Stage(cam, seed=11)
    captions = Captions()
    tmp = path.with_name(f".{path.stem}.tmp.mp4")
    writer = imageio_ffmpeg.write_frames(
        str(tmp), SIZE, pix_fmt_in="bgr24", fps=FPS, codec="mpeg4", quality=None, bitrate=None,
        macro_block_size=1, ffmpeg_log_level="error",
        output_params=["-b:v", VIDEO_BITRATE, "-maxrate", "1500k", "-bufsize", "2000k", "-g", "60",
                       "-mbd", "rd", "-trellis", "1", "-flags", "+mv4+aic+bitexact", "-vtag", "mp4v",
                       "-fflags", "+bitexact", "-map_metadata", "-1", "-an"])
    try:
        writer.send(None)
        for i in range(n_frames):
            t = i / FPS
            beat = beat_of(t)
            body = skeleton(pose_at(beat))
            cap = None
            if 0 <= beat < TOTAL_BEATS:
                _, w = window_at(beat)
                if w.cue in ("dance", "freeze"):
                    cap = captions.get(w.name, int(beat - w.start_beat), w.beats, w.gold)
            # A frozen coach is frozen in time too: the stage lights stop with the music.
            _, w = window_at(max(0.0, min(beat, TOTAL_BEATS - 1e-6)))
            stage_t = t if w.cue != "freeze" else OFFSET_S + w.start_beat * 60.0 / BPM
            writer.send(np.ascontiguousarray(stage.render(beat if w.cue != "freeze" else w.start_beat, body,
                                                          stage_t, cap)))
            if progress and i % 300 == 0:
                print(f"  video {i}/{n_frames} frames", file=sys.stderr)
        writer.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_track(path: Path, cam: Camera, n_frames: int) -> PoseTrack:
    t = np.arange(n_frames) / FPS
    lm = np.empty((n_frames, 33, 4), np.float32)
    world = np.empty((n_frames, 33, 3), np.float32)
    for i, ti in enumerate(t):
        body = skeleton(pose_at(beat_of(float(ti))))
        lm[i] = cam.landmarks(body)
        world[i] = body.joints_m
    track = PoseTrack(lm, world, t, FPS, SIZE)
    track.save(path)
    return track


def write_yaml(path: Path) -> None:
    lines = [
        "# yaml-language-server: $schema=../choreography.schema.json",
        "# Generated by `python -m game.demo.freeze_build` - edit game/demo/freeze_build.py, not this file.",
        "format: 1",
        "mode: freeze",
        f"title: {json.dumps(TITLE)}",
        f"artist: {json.dumps(ARTIST)}",
        "video: freeze.mp4",
        "audio: freeze.ogg",
        "pose_track: freeze.npz",
        "cover: cover.png",
        f"bpm: {BPM:g}",
        f"offset: {OFFSET_S:g}",
        "mirror: true",
        "difficulty: easy",
        "moves:",
    ]
    for w in ROUTINE:
        if w.cue not in ("dance", "freeze"):
            continue
        lines += [f"  - name: {json.dumps(w.name)}", f"    start: {w.start_beat}", f"    beats: {w.beats}",
                  f"    cue: {w.cue}", f"    gold: {'true' if w.gold else 'false'}", f"    tip: {json.dumps(w.tip)}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_cover(out: Path, cam: Camera) -> None:
    import cv2

    from game.demo.stage import Stage, crop_coach

    w = next(x for x in ROUTINE if x.name == "Jumping jacks")
    beat = w.start_beat + w.beats  # the statue after the jumping jacks
    body = skeleton(pose_at(beat))
    frame = Stage(cam, seed=11).render(beat, body, 1.0)
    cover = crop_coach(frame, cam, body, 512, pad=0.2)
    cv2.imwrite(str(out / "cover.png"), _title(cover), [cv2.IMWRITE_PNG_COMPRESSION, 9])


def _title(img_bgr: np.ndarray, lines: tuple[str, str] = ("Statue", "Shuffle!")) -> np.ndarray:
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    pygame.font.init()
    font = pygame.font.Font(None, 80)
    h, w = img_bgr.shape[:2]
    surf = pygame.image.frombuffer(np.ascontiguousarray(img_bgr[..., ::-1]).tobytes(), (w, h), "RGB").copy()
    band = pygame.Surface((w, 150), pygame.SRCALPHA)
    band.fill((20, 60, 110, 180))
    surf.blit(band, (0, h - 150))
    for row, text in enumerate(lines):
        y = h - 140 + row * 68
        fg = font.render(text, True, (120, 220, 255))
        ol = font.render(text, True, (20, 20, 60))
        x = (w - fg.get_width()) // 2
        for dx, dy in ((-3, 0), (3, 0), (0, -3), (0, 3), (-2, -2), (2, 2), (-2, 2), (2, -2)):
            surf.blit(ol, (x + dx, y + dy))
        surf.blit(fg, (x, y))
    rgb = pygame.surfarray.array3d(surf).transpose(1, 0, 2)
    return np.ascontiguousarray(rgb[..., ::-1])


def build(out: Path = DEFAULT_OUT, video: bool = True, progress: bool = True) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    cam = Camera(SIZE[0], SIZE[1])
    paths = {k: out / f"freeze.{k}" for k in ("ogg", "mp4", "npz", "yaml")}
    with tempfile.TemporaryDirectory() as tmp:
        wav = music.write_wav(Path(tmp) / "freeze.wav", song())
        ogg_tmp = music.encode_ogg(wav, out / ".freeze.tmp.ogg")
        os.replace(ogg_tmp, paths["ogg"])
    n = int(round(duration_s() * FPS))
    write_track(paths["npz"], cam, n)
    if video:
        write_video(paths["mp4"], cam, n, progress)
    write_cover(out, cam)
    write_yaml(paths["yaml"])
    paths["cover"] = out / "cover.png"
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m game.demo.freeze_build", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--no-video", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    for name, p in build(args.out, video=not args.no_video).items():
        if p.exists():
            print(f"{name:6} {p}  {p.stat().st_size / 1e6:.2f} MB")
    print(f"built in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
