"""Build the bundled demo choreography: ``python -m game.demo.build [--out DIR]``.

Writes, deterministically (same code -> same files), into ``choreographies/demo/``:

- ``demo.ogg``  the synthesised song (game.demo.music), beat 0 at OFFSET_S;
- ``demo.mp4``  Coco the bear dancing the routine (game.demo.coach + stage), 960x540, 30 fps, mp4v;
- ``demo.npz``  the EXACT pose track of that animation (pose.track.PoseTrack): ``world`` =
  the animation's 3-D joints, ``landmarks`` = their projection into the video frame;
- ``demo.yaml`` the choreography (moves on the beat grid, tips, gold moves);
- ``cover.png`` for the picker and ``pictograms/*.png``, one key pose per move card.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from game.demo import coach, music
from game.demo.coach import ROUTINE, TOTAL_BEATS, Camera, pose_at, skeleton
from pose.track import PoseTrack

BPM = 120.0
OFFSET_S = 0.5
FPS = 30.0
SIZE = (960, 540)
TAIL_S = 2.5
TITLE = "Party Bear Boogie"
ARTIST = "DanceStudio (synthesised)"
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "choreographies" / "demo"


def beat_of(t_s: float) -> float:
    return (t_s - OFFSET_S) * BPM / 60.0


def gold_beats() -> tuple[tuple[int, int], ...]:
    return tuple((s.start_beat, s.start_beat + s.beats) for s in ROUTINE if s.gold)


def duration_s() -> float:
    return OFFSET_S + TOTAL_BEATS * 60.0 / BPM + TAIL_S


def frame_count() -> int:
    return int(round(duration_s() * FPS))


def track_rows(cam: Camera, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T, 33, 4) landmarks and (T, 33, 3) world for the given times — the exact track."""
    lm = np.empty((len(t_s), 33, 4), np.float32)
    world = np.empty((len(t_s), 33, 3), np.float32)
    for i, t in enumerate(t_s):
        body = skeleton(pose_at(beat_of(float(t))))
        lm[i] = cam.landmarks(body)
        world[i] = body.joints_m
    return lm, world


# ---------------------------------------------------------------------------- captions
class Captions:
    """Caption pills (move name + beat dots) pre-rendered with pygame.font as RGBA arrays."""

    def __init__(self) -> None:
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        import pygame

        pygame.font.init()
        self.pg = pygame
        self.font = pygame.font.Font(None, 40)
        self.cache: dict[tuple[str, int, int, bool], np.ndarray] = {}

    def get(self, name: str, beat_in_move: int, beats: int, gold: bool) -> np.ndarray:
        key = (name, beat_in_move, beats, gold)
        if key not in self.cache:
            self.cache[key] = self._render(*key)
        return self.cache[key]

    def _render(self, name: str, beat_in_move: int, beats: int, gold: bool) -> np.ndarray:
        pg = self.pg
        text = self.font.render(name, True, (255, 255, 255))
        star_w = 30 if gold else 0  # the bundled font has no star glyph: draw them
        dot_r, gap = 7, 8
        dots_w = beats * (2 * dot_r + gap) - gap if beats else 0
        w = max(text.get_width() + 2 * star_w, dots_w) + 48
        h = text.get_height() + (2 * dot_r + 14 if beats else 0) + 16
        surf = pg.Surface((w, h), pg.SRCALPHA)
        fill = (200, 140, 0, 215) if gold else (60, 30, 90, 200)
        pg.draw.rect(surf, fill, surf.get_rect(), border_radius=h // 3)
        pg.draw.rect(surf, (255, 255, 255, 230), surf.get_rect(), width=3, border_radius=h // 3)
        surf.blit(text, ((w - text.get_width()) // 2, 8))
        if gold:
            cy = 8 + text.get_height() // 2
            for cx in ((w - text.get_width()) // 2 - 20, (w + text.get_width()) // 2 + 20):
                pts = [(cx + (11 if k % 2 == 0 else 4.5) * np.cos(-np.pi / 2 + k * np.pi / 5),
                        cy + (11 if k % 2 == 0 else 4.5) * np.sin(-np.pi / 2 + k * np.pi / 5)) for k in range(10)]
                pg.draw.polygon(surf, (255, 240, 120, 255), pts)
        x0 = (w - dots_w) // 2 + dot_r
        y = 8 + text.get_height() + 6 + dot_r
        for k in range(beats):
            on = k <= beat_in_move
            colour = (255, 230, 80, 255) if on else (255, 255, 255, 90)
            pg.draw.circle(surf, colour, (x0 + k * (2 * dot_r + gap), y), dot_r)
        rgb = pg.surfarray.array3d(surf).transpose(1, 0, 2)
        a = pg.surfarray.array_alpha(surf).T[..., None]
        return np.concatenate([rgb, a], axis=2).astype(np.uint8)

    def for_beat(self, beat: float) -> np.ndarray | None:
        if beat < 0 or beat >= TOTAL_BEATS:
            return None
        _, seg = coach.segment_at(beat)
        k = int(beat - seg.start_beat)
        return self.get(seg.name, k, seg.beats if seg.scored else 0, seg.gold)


# ---------------------------------------------------------------------------- writers
VIDEO_BITRATE = "700k"


def write_video(path: Path, cam: Camera, n_frames: int, progress: bool = True) -> None:
    """Render every frame and encode MPEG-4 Part 2 ('mp4v' in .mp4).

    Frames are drawn with OpenCV; encoding goes through imageio-ffmpeg's ffmpeg rather
    than cv2.VideoWriter because the latter has no rate control (18 MB for the minute,
    against 5 MB here at the same look). Bit-exact flags keep rebuilds identical.
    """
    import imageio_ffmpeg

    from game.demo.stage import Stage

    stage = Stage(cam)
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
        t0 = time.perf_counter()
        for i in range(n_frames):
            t = i / FPS
            beat = beat_of(t)
            body = skeleton(pose_at(beat))
            writer.send(np.ascontiguousarray(stage.render(beat, body, t, captions.for_beat(beat))))
            if progress and i % 300 == 0:
                print(f"  video {i}/{n_frames} frames ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
        writer.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_track(path: Path, cam: Camera, n_frames: int) -> PoseTrack:
    t = np.arange(n_frames) / FPS
    lm, world = track_rows(cam, t)
    track = PoseTrack(lm, world, t, FPS, SIZE)
    track.save(path)
    return track


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_yaml(path: Path, with_pictograms: bool) -> None:
    lines = [
        "# yaml-language-server: $schema=../choreography.schema.json",
        "# Generated by `python -m game.demo.build` - edit game/demo/coach.py, not this file.",
        "format: 1",
        f"title: {_q(TITLE)}",
        f"artist: {_q(ARTIST)}",
        "video: demo.mp4",
        "audio: demo.ogg",
        "pose_track: demo.npz",
        "cover: cover.png",
        f"bpm: {BPM:g}",
        f"offset: {OFFSET_S:g}",
        "mirror: true",
        "difficulty: easy",
        "moves:",
    ]
    for i, seg in enumerate(s for s in ROUTINE if s.scored):
        lines += [f"  - name: {_q(seg.name)}", f"    start: {seg.start_beat}", f"    beats: {seg.beats}"]
        if seg.parts:
            lines.append(f"    parts: [{', '.join(seg.parts)}]")
        lines.append(f"    gold: {'true' if seg.gold else 'false'}")
        lines.append(f"    tip: {_q(seg.tip)}")
        if with_pictograms:
            lines.append(f"    pictogram: pictograms/{i:02d}_{_slug(seg.name)}.png")
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")


def write_pictures(out: Path, cam: Camera) -> None:
    """cover.png (512x512 with the title) and one pictogram per scored move (160x160)."""
    import cv2

    from game.demo.stage import Stage, crop_coach as _crop_coach

    stage = Stage(cam)
    picto_dir = out / "pictograms"
    picto_dir.mkdir(exist_ok=True)
    for i, seg in enumerate(s for s in ROUTINE if s.scored):
        beat = seg.start_beat + seg.card_beat
        body = skeleton(pose_at(beat))
        frame = stage.render(beat, body, 1.0)
        cv2.imwrite(str(picto_dir / f"{i:02d}_{_slug(seg.name)}.png"), _crop_coach(frame, cam, body, 160),
                    [cv2.IMWRITE_PNG_COMPRESSION, 9])

    star_beat = next(s for s in ROUTINE if s.gold).start_beat + 0.5
    body = skeleton(pose_at(star_beat))
    frame = stage.render(star_beat, body, 1.0)
    cover = _crop_coach(frame, cam, body, 512, pad=0.2)
    cv2.imwrite(str(out / "cover.png"), _title_overlay(cover), [cv2.IMWRITE_PNG_COMPRESSION, 9])


def _title_overlay(img_bgr: np.ndarray) -> np.ndarray:
    """Write the title in big friendly letters with an outline across the cover's bottom."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    pygame.font.init()
    font = pygame.font.Font(None, 74)
    h, w = img_bgr.shape[:2]
    surf = pygame.image.frombuffer(np.ascontiguousarray(img_bgr[..., ::-1]).tobytes(), (w, h), "RGB").copy()
    band = pygame.Surface((w, 150), pygame.SRCALPHA)
    band.fill((60, 20, 90, 170))
    surf.blit(band, (0, h - 150))
    for row, text in enumerate(("Party Bear", "Boogie!")):
        y = h - 140 + row * 66
        fg = font.render(text, True, (255, 224, 70))
        ol = font.render(text, True, (70, 20, 60))
        x = (w - fg.get_width()) // 2
        for dx, dy in ((-3, 0), (3, 0), (0, -3), (0, 3), (-2, -2), (2, 2), (-2, 2), (2, -2)):
            surf.blit(ol, (x + dx, y + dy))
        surf.blit(fg, (x, y))
    rgb = pygame.surfarray.array3d(surf).transpose(1, 0, 2)
    return np.ascontiguousarray(rgb[..., ::-1])


def build(out: Path = DEFAULT_OUT, video: bool = True, progress: bool = True) -> dict[str, Path]:
    """Regenerate every asset into ``out``; returns name -> path."""
    out.mkdir(parents=True, exist_ok=True)
    cam = Camera(SIZE[0], SIZE[1])
    paths = {k: out / f"demo.{k}" for k in ("ogg", "mp4", "npz", "yaml")}
    if progress:
        print("synthesising music...", file=sys.stderr)
    audio = music.render_song(BPM, OFFSET_S, TOTAL_BEATS, gold_beats(), tail_s=TAIL_S)
    with tempfile.TemporaryDirectory() as tmp:
        wav = music.write_wav(Path(tmp) / "demo.wav", audio)
        ogg_tmp = music.encode_ogg(wav, out / ".demo.tmp.ogg")  # same folder: replace is atomic
        os.replace(ogg_tmp, paths["ogg"])
    n = frame_count()
    write_track(paths["npz"], cam, n)
    if video:
        if progress:
            print(f"rendering {n} frames...", file=sys.stderr)
        write_video(paths["mp4"], cam, n, progress)
    write_pictures(out, cam)
    write_yaml(paths["yaml"], with_pictograms=True)
    paths["cover"] = out / "cover.png"
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m game.demo.build", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: choreographies/demo)")
    ap.add_argument("--no-video", action="store_true", help="skip the (slow) video render")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    paths = build(args.out, video=not args.no_video)
    for name, p in paths.items():
        if p.exists():
            print(f"{name:6} {p}  {p.stat().st_size / 1e6:.2f} MB")
    print(f"built in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
