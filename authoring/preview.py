"""``dance preview``: the reference video with the chart drawn on it, to check timing by eye.

One output frame per video frame (or per track frame when the choreography has no video):
the coach's skeleton from the pose track, a beat ticker that flashes on every beat, a
scrolling timeline of moves (boundaries, gold moves in gold) with the beat grid, and the
current move's name, beats and tip. The sound is the music with a click on every beat
(higher on the first beat of each bar), so bpm and offset can be checked by ear as well.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from pose.errors import DanceError, VideoError
from pose.landmarks import LIMBS

# BGR colours
GOLD = (0, 200, 255)
MOVE = (220, 140, 40)
WHITE = (255, 255, 255)
GREY = (150, 150, 150)
DARK = (25, 25, 25)
LEFT = (60, 180, 255)   # the coach's left side
RIGHT = (255, 200, 60)
# The timeline shows this many beats, a third of them before the playhead (capped in seconds).
TIMELINE_BEATS = 8
TIMELINE_MAX_S = 8.0


@dataclass(frozen=True)
class PreviewResult:
    path: Path
    frames: int
    fps: float
    size: tuple[int, int]
    sound: str  # "music + beat clicks", "beat clicks", "music" or "none"


AUDIO_RATE = 44100
CLICK_S = 0.03


def beat_clicks(choreo, duration_s: float, rate: int = AUDIO_RATE) -> np.ndarray:
    """(N,) float mono: a short click on every beat, higher and louder on each bar's first.

    Heard over the music, the clicks show at once whether bpm and offset are right.
    """
    n = int(round(duration_s * rate))
    out = np.zeros(n)
    k = np.arange(int(CLICK_S * rate))
    env = np.exp(-k / (0.006 * rate))
    first = math.ceil(choreo.s_to_beat(0.0) - 1e-9)
    last = math.floor(choreo.s_to_beat(duration_s))
    for b in range(first, last + 1):
        start = int(round(choreo.beat_to_s(b) * rate))
        if start >= n:
            break
        down = b % 4 == 0
        tone = (0.6 if down else 0.35) * env * np.sin(2 * np.pi * (2500 if down else 1500) * k / rate)
        end = min(n, start + len(tone))
        out[start:end] += tone[: end - start]
    return out


def _decode_audio(path: Path, duration_s: float, rate: int = AUDIO_RATE) -> np.ndarray:
    """(N,) float mono PCM of a music file, cut or padded to duration_s."""
    import subprocess

    from content.media import ffmpeg_exe

    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path), "-vn",
                           "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"], capture_output=True, timeout=600)
    if proc.returncode != 0:
        raise DanceError(f"{path}: cannot decode the music ({proc.stderr.decode(errors='replace').strip()[-200:]})")
    pcm = np.frombuffer(proc.stdout, "<i2").astype(np.float64) / 32768.0
    n = int(round(duration_s * rate))
    return np.pad(pcm[:n], (0, max(0, n - len(pcm))))


def _write_wav(path: Path, pcm: np.ndarray, rate: int = AUDIO_RATE) -> Path:
    import wave

    peak = float(np.max(np.abs(pcm))) if pcm.size else 0.0
    if peak > 0.99:  # music + clicks may clip: scale the sum, never wrap around
        pcm = pcm * (0.99 / peak)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((pcm * 32767).astype("<i2").tobytes())
    return path


def _mux(video: Path, wav: Path, out: Path) -> None:
    """Copy the video stream, add the wav as AAC."""
    import subprocess

    from content.media import ffmpeg_exe

    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", str(video),
                           "-i", str(wav), "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", "aac",
                           "-b:a", "128k", str(out)], capture_output=True, timeout=600)
    if proc.returncode != 0:
        raise DanceError(f"cannot add sound to {out.name} ({proc.stderr.decode(errors='replace').strip()[-200:]})")


# Text is drawn with a real font, not cv2's Hershey strokes: those are ASCII only, and with
# opencv 5 a thin label and its thick shadow come out in different widths (a ghost beside
# every word). DejaVu Sans ships inside matplotlib (a dependency) and covers Latin, Greek
# and Cyrillic, so a title like "Zoë's Tanz" or "Танец" reads as written. The outline is
# the same glyphs stroked, so it always sits exactly under the letters.
PX_PER_SCALE = 36  # a cv2-style "scale" of 1.0 is about a 36 px font (Hershey's look, a bit larger)


@lru_cache(maxsize=1)
def font_path() -> Path:
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"
    if not path.is_file():
        raise DanceError(f"the preview font is missing ({path}); reinstall: pip install --force-reinstall matplotlib")
    return path


@lru_cache(maxsize=32)
def _font(size_px: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(font_path()), size_px)


@lru_cache(maxsize=1024)
def label(text: str, size_px: int, colour_bgr: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray, int, int]:
    """(BGR pixels (h, w, 3) uint8, alpha (h, w, 1) float32 0..1, dx, dy): ``text`` with a
    dark outline; (dx, dy) is the patch's top-left relative to the left end of the baseline."""
    from PIL import Image, ImageDraw

    font = _font(size_px)
    stroke = max(1, size_px // 14)
    x0, y0, x1, y1 = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((0, 0), text, font=font, anchor="ls",
                                                                      stroke_width=stroke)
    w, h = max(1, x1 - x0), max(1, y1 - y0)
    patch = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    rgb = tuple(int(c) for c in colour_bgr[::-1])
    ImageDraw.Draw(patch).text((-x0, -y0), text, font=font, anchor="ls", fill=(*rgb, 255), stroke_width=stroke,
                               stroke_fill=(*DARK[::-1], 255))
    arr = np.asarray(patch)
    bgr = np.ascontiguousarray(arr[..., 2::-1])
    alpha = arr[..., 3:4].astype(np.float32) / 255.0
    return bgr, alpha, int(x0), int(y0)


def text_width_px(text: str, scale: float) -> int:
    return int(math.ceil(_font(max(8, int(round(scale * PX_PER_SCALE)))).getlength(text)))


def _text(img: np.ndarray, text: str, org: tuple[int, int], scale: float, color, thick: int = 2) -> None:
    """Draw ``text`` with its baseline starting at ``org`` (as cv2.putText would), alpha-blended."""
    if not text:
        return
    bgr, alpha, dx, dy = label(text, max(8, int(round(scale * PX_PER_SCALE))), tuple(int(c) for c in color))
    h, w = img.shape[:2]
    x, y = int(org[0]) + dx, int(org[1]) + dy
    ax0, ay0 = max(0, -x), max(0, -y)
    ax1, ay1 = min(bgr.shape[1], w - x), min(bgr.shape[0], h - y)
    if ax1 <= ax0 or ay1 <= ay0:
        return
    region = img[y + ay0:y + ay1, x + ax0:x + ax1]
    a = alpha[ay0:ay1, ax0:ax1]
    region[:] = (bgr[ay0:ay1, ax0:ax1] * a + region * (1.0 - a)).astype(np.uint8)


def _fit_text(img: np.ndarray, text: str, x0: int, x1: int, y: int, scale: float) -> None:
    """Text clipped to [x0, x1] (ellipsis), so neighbouring move names never overlap."""
    while text:
        if text_width_px(text, scale) <= x1 - x0:
            break
        text = text[:-2] + "…" if len(text) > 2 else ""
    if text:
        _text(img, text, (x0, y), scale, WHITE, 1)


def draw_skeleton(img: np.ndarray, landmarks: np.ndarray, unit: float) -> None:
    """Draw a (33, 4) normalised pose on a BGR image; faint where visibility < 0.5."""
    import cv2

    if np.isnan(landmarks[0, 0]):
        return
    h, w = img.shape[:2]
    pts = np.round(landmarks[:, :2] * [w, h]).astype(int)
    vis = landmarks[:, 3]
    thick = max(2, int(unit * 0.6))
    for a, b in LIMBS:
        side = LEFT if a % 2 == 1 and a >= 11 else RIGHT if a >= 11 else WHITE
        color = side if min(vis[a], vis[b]) >= 0.5 else GREY
        cv2.line(img, tuple(pts[a]), tuple(pts[b]), color, thick, cv2.LINE_AA)
    for i in range(11, 33):
        cv2.circle(img, tuple(pts[i]), thick + 1, WHITE if vis[i] >= 0.5 else GREY, -1, cv2.LINE_AA)


def draw_overlay(img: np.ndarray, choreo, t_s: float) -> None:
    """Beat ticker, timeline with moves and beat grid, current move (in place, BGR)."""
    import cv2

    h, w = img.shape[:2]
    # Layout unit: a 60th of the short side, so text stays readable in landscape and portrait.
    unit = min(w, h) / 60.0
    beat = choreo.s_to_beat(t_s)

    # Timeline strip at the bottom: [t + window[0], t + window[1]] mapped to the width.
    top, bottom = int(h - 14 * unit), int(h - 8 * unit)
    span_s = min(TIMELINE_BEATS * 60.0 / choreo.bpm, TIMELINE_MAX_S)
    lo_s, hi_s = t_s - span_s / 3, t_s + 2 * span_s / 3

    def x_of(ts: float) -> int:
        return int(round((ts - lo_s) / (hi_s - lo_s) * w))

    overlay = img.copy()
    cv2.rectangle(overlay, (0, top), (w, bottom), DARK, -1)
    for m in choreo.moves:
        if m.end_s < lo_s or m.start_s > hi_s:
            continue
        x0, x1 = x_of(m.start_s), x_of(m.end_s)
        cv2.rectangle(overlay, (x0, top), (x1, bottom), GOLD if m.gold else MOVE, -1)
    cv2.addWeighted(overlay, 0.6, img, 0.4, 0, dst=img)
    for m in choreo.moves:
        if m.end_s < lo_s or m.start_s > hi_s:
            continue
        for edge in (m.start_s, m.end_s):
            x = x_of(edge)
            cv2.line(img, (x, top - int(unit)), (x, bottom + int(unit)), WHITE, max(1, int(unit / 3)))
        # A move that began left of the window keeps its name readable at the window's edge.
        _fit_text(img, m.name, max(x_of(m.start_s), 0) + int(unit / 2), min(x_of(m.end_s), w) - int(unit / 2),
                  top + int(3.8 * unit), unit / 24)
    # Beat grid: a tick per beat, taller every 4th (a bar of 4/4).
    for b in range(math.floor(choreo.s_to_beat(lo_s)), math.ceil(choreo.s_to_beat(hi_s)) + 1):
        x = x_of(choreo.beat_to_s(b))
        tall = b % 4 == 0
        cv2.line(img, (x, bottom), (x, bottom + int((2.5 if tall else 1.2) * unit)), WHITE, max(1, int(unit / 4)))
    xp = x_of(t_s)
    cv2.line(img, (xp, top - int(2 * unit)), (xp, bottom + int(3 * unit)), (0, 0, 255), max(2, int(unit / 2)))

    # Beat ticker: a dot that flashes on each beat and fades over the beat.
    phase = beat - math.floor(beat)
    level = max(0.0, 1.0 - phase * 2.5) if beat >= 0 else 0.0
    centre = (int(6 * unit), int(6 * unit))
    cv2.circle(img, centre, int(3.5 * unit), GREY, max(1, int(unit / 3)), cv2.LINE_AA)
    if level > 0:
        col = tuple(int(c * level + 60 * (1 - level)) for c in WHITE)
        cv2.circle(img, centre, int(3 * unit), col, -1, cv2.LINE_AA)
    beat_no = math.floor(beat)
    bar_txt = f"beat {beat_no}" + (f"  (bar {beat_no // 4 + 1}.{beat_no % 4 + 1})" if beat_no >= 0 else "")
    _text(img, bar_txt, (int(11 * unit), int(5 * unit)), unit / 22, WHITE, 2)
    _text(img, f"{t_s:.2f} s   {choreo.bpm:g} bpm", (int(11 * unit), int(9 * unit)), unit / 28, WHITE, 1)

    move = choreo.move_at(t_s)
    if move is not None:
        colour = GOLD if move.gold else WHITE
        label = ("GOLD  " if move.gold else "") + move.name
        _text(img, label, (int(2 * unit), int(h - 20 * unit)), unit / 18, colour, max(2, int(unit / 4)))
        left = move.end_s - t_s
        parts = ", ".join(p for p, wgt in move.parts.items() if wgt > 0)
        _text(img, f"{parts}   ends in {left:.1f} s", (int(2 * unit), int(h - 17 * unit)), unit / 30, WHITE, 1)
        if move.tip:
            _text(img, move.tip, (int(2 * unit), int(h - 15.2 * unit)), unit / 30, WHITE, 1)
        if move.gold:
            cv2.rectangle(img, (0, 0), (w - 1, h - 1), GOLD, max(4, int(unit)))


def render_preview(choreo_path: str | Path, out_path: str | Path, *, progress: bool | None = None,
                   clicks: bool = True) -> PreviewResult:
    """Write the preview mp4: mp4v video, one frame per video frame, and as sound the
    choreography's music with a click on every beat (``clicks=False``: music only; no
    music and no clicks: a silent mp4)."""
    import cv2
    from tqdm import tqdm

    from content.loader import load_choreography

    choreo = load_choreography(choreo_path)
    track = choreo.load_track()
    out_path = Path(out_path)
    if out_path.is_dir():
        raise DanceError(f"{out_path}: is a folder; give a file name such as {out_path / 'preview.mp4'}")
    out_path.parent.mkdir(parents=True, exist_ok=True)

    cap = None
    if choreo.video is not None:
        cap = cv2.VideoCapture(str(choreo.video))
        if not cap.isOpened():
            raise VideoError(f"{choreo.video}: cannot be read as a video")
        fps = float(cap.get(cv2.CAP_PROP_FPS))
        total = int(round(cap.get(cv2.CAP_PROP_FRAME_COUNT)))
        size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    else:
        fps, total, size = track.fps, len(track), track.size

    tmp = out_path.with_name(f".{out_path.stem}.tmp{out_path.suffix or '.mp4'}")
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    if not writer.isOpened():
        raise DanceError(f"cannot write {out_path} (mp4v)")
    written = 0
    bar = tqdm(total=total, unit="frame", desc=out_path.name, disable=(not progress) if progress is not None else None,
               leave=False, file=sys.stderr)
    try:
        i = 0
        while True:
            if cap is not None:
                ok, img = cap.read()
                if not ok:
                    break
                if (img.shape[1], img.shape[0]) != size:
                    img = cv2.resize(img, size)
            else:
                if i >= total:
                    break
                img = np.full((size[1], size[0], 3), 40, np.uint8)
            # Frame i of the video is at i / fps; the track has one row per video frame.
            t_s = i / fps
            if i < len(track):
                draw_skeleton(img, track.landmarks[i], size[1] / 100.0)
            draw_overlay(img, choreo, t_s)
            writer.write(img)
            written += 1
            i += 1
            bar.update(1)
    finally:
        bar.close()
        writer.release()
        if cap is not None:
            cap.release()
    if written == 0:
        tmp.unlink(missing_ok=True)
        raise VideoError(f"{choreo.video}: no frame could be decoded")
    music = choreo.audio is not None
    sound = " + ".join(x for x, on in (("music", music), ("beat clicks", clicks)) if on) or "none"
    if music or clicks:
        duration_s = written / fps
        pcm = _decode_audio(choreo.audio, duration_s) if choreo.audio is not None else np.zeros(
            int(round(duration_s * AUDIO_RATE)))
        if clicks:
            pcm = pcm + beat_clicks(choreo, duration_s)
        wav = _write_wav(out_path.with_name(f".{out_path.stem}.tmp.wav"), pcm)
        try:
            _mux(tmp, wav, out_path)
        finally:
            wav.unlink(missing_ok=True)
            tmp.unlink(missing_ok=True)
    else:
        tmp.replace(out_path)
    return PreviewResult(out_path, written, fps, size, sound)
