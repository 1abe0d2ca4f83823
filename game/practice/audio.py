"""Practice audio: the song slowed without changing its pitch, plus the count-in.

The time-stretch is WSOLA from ``audiotsm`` (numpy only, no system binary): it cuts the
signal into overlapping frames and re-spaces them, choosing each frame's exact position by
waveform similarity so that periods line up; the frequencies inside a frame (the pitch)
are untouched, only the spacing (the tempo) changes.

Audio arrays here are (N, C) float32 in [-1, 1] at ``sr`` Hz, the layout game/demo/music.py
renders and ffmpeg decodes to.
"""
from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np

from pose.errors import DanceError

SPEEDS = (0.5, 0.75, 1.0)
SR = 44_100


def stretch(samples: np.ndarray, sr: int, speed: float) -> np.ndarray:
    """``samples`` (N, C) or (N,) float played at ``speed`` x tempo, pitch kept.

    Returns (round(N / speed), C) float32 (same ndim as given). speed 1 returns a copy. ``sr`` only sizes the WSOLA frames (~46 ms at 44.1 kHz, what audiotsm tunes for).
    """
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim not in (1, 2) or x.shape[0] == 0:
        raise ValueError(f"samples must be (N,) or (N, C) with N > 0, got {x.shape}")
    if not (0.1 <= speed <= 4.0):
        raise ValueError(f"speed must be in 0.1..4, got {speed}")
    mono = x.ndim == 1
    x2 = x[:, None] if mono else x
    if speed == 1.0:
        return x.copy()
    from audiotsm import wsola
    from audiotsm.io.array import ArrayReader, ArrayWriter

    frame = int(2 ** round(np.log2(sr * 1024 / 22050)))  # 2048 at 44.1 kHz
    channels = x2.shape[1]
    n_out = int(round(x2.shape[0] / speed))
    # WSOLA stops a few frames short of the end: feed it silence past the end, then cut.
    padded = np.concatenate([x2, np.zeros((2 * frame, channels), np.float32)])
    reader = ArrayReader(np.ascontiguousarray(padded.T))
    writer = ArrayWriter(channels)
    wsola(channels, speed=float(speed), frame_length=frame, synthesis_hop=frame // 2,
          tolerance=frame // 2).run(reader, writer)
    out = np.asarray(writer.data, dtype=np.float32).T[:n_out]
    if out.shape[0] < n_out:
        out = np.concatenate([out, np.zeros((n_out - out.shape[0], channels), np.float32)])
    return out[:, 0].copy() if mono else np.ascontiguousarray(out)


def click(sr: int, accent: bool = False) -> np.ndarray:
    """One count-in clap-like click (n,) float32: a noise burst through a quick decay plus a
    short woodblock tone (higher on the accented first count)."""
    n = int(0.06 * sr)
    t = np.arange(n) / sr
    rng = np.random.default_rng(1234)
    env = np.exp(-t / 0.012)
    noise = rng.uniform(-1.0, 1.0, n) * env
    tone = np.sin(2 * np.pi * (1600.0 if accent else 1100.0) * t) * np.exp(-t / 0.02)
    return (0.45 * noise + 0.55 * tone).astype(np.float32)


def add_count_in(samples: np.ndarray, sr: int, beat_times_s: list[float], gain: float = 0.8,
                 words: tuple[np.ndarray, ...] | None = None, beat_s: float | None = None) -> np.ndarray:
    """``samples`` (N, C) with the count-in mixed in at each time in ``beat_times_s``,
    soft-clipped to [-1, 1].

    words: one spoken word (n,) per beat ("five, six, seven, eight"): each starts on its
    beat over a quieter click (the click keeps the exact beat audible under a word's soft
    onset). A word longer than 90 % of ``beat_s`` is sped up (pitch kept) to fit, so the
    words never run into each other at full speed. Without words: a clap-like click per
    beat, the first one accented."""
    out = np.array(samples, dtype=np.float32, copy=True)

    def mix(c: np.ndarray, t: float) -> None:
        a = int(round(t * sr))
        if a >= out.shape[0] or a + c.size <= 0:
            return
        lo, hi = max(0, a), min(out.shape[0], a + c.size)
        out[lo:hi] += c[lo - a:hi - a, None] if out.ndim == 2 else c[lo - a:hi - a]

    for i, t in enumerate(beat_times_s):
        if words:
            w = words[i % len(words)]
            fit = 0.9 * beat_s * sr if beat_s else None
            if fit is not None and w.size > fit:
                w = stretch(w, sr, min(4.0, w.size / fit))[: int(fit)]
            mix(click(sr, accent=(i == 0)) * gain * 0.35, t)
            mix(w * gain, t)
        else:
            mix(click(sr, accent=(i == 0)) * gain, t)
    return np.tanh(out * 1.0).astype(np.float32) if np.abs(out).max() > 1.0 else out


def decode(path: Path, sr: int = SR, channels: int = 2) -> np.ndarray:
    """Any file ffmpeg reads (ogg, wav, mp4's sound) -> (N, channels) float32 at ``sr``.
    DanceError if it has no sound."""
    import imageio_ffmpeg

    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-vn", "-ac", str(channels),
           "-ar", str(sr), "-f", "f32le", "-"]
    res = subprocess.run(cmd, capture_output=True)
    data = np.frombuffer(res.stdout, dtype="<f4")
    if res.returncode != 0 or data.size < channels * sr // 100:
        msg = res.stderr.decode(errors="replace").strip().splitlines()
        raise DanceError(f"{path}: no sound to practise with ({msg[-1] if msg else 'empty'})")
    return data[: data.size // channels * channels].reshape(-1, channels).copy()


def write_wav(path: Path, samples: np.ndarray, sr: int = SR) -> Path:
    """(N, C) float in [-1, 1] -> 16-bit PCM WAV."""
    x = np.asarray(samples, dtype=np.float32)
    x2 = x[:, None] if x.ndim == 1 else x
    pcm = (np.clip(x2, -1.0, 1.0) * 32767.0).round().astype("<i2")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(x2.shape[1])
        w.setsampwidth(2)
        w.setframerate(int(sr))
        w.writeframes(pcm.tobytes())
    return path


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A 16-bit PCM WAV -> ((N, C) float32 in [-1, 1], rate)."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2:
            raise DanceError(f"{path}: not a 16-bit WAV")
        raw = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return (raw.reshape(-1, w.getnchannels()).astype(np.float32) / 32768.0), w.getframerate()


def timeline(parts: list[tuple[float, Path, float]], length_s: float, sr: int = SR) -> np.ndarray:
    """One sound track (N, 2) of ``length_s`` from WAV pieces: each (start_s, wav, played_s)
    puts the wav's first ``played_s`` seconds at ``start_s`` (silence between them)."""
    out = np.zeros((max(1, int(round(length_s * sr))), 2), np.float32)
    for start_s, path, played_s in parts:
        x, rate = read_wav(path)
        if rate != sr:
            raise DanceError(f"{path}: expected {sr} Hz, got {rate}")
        x = x[:, :2] if x.shape[1] >= 2 else np.repeat(x, 2, axis=1)
        x = x[: int(round(played_s * sr))]
        a = int(round(start_s * sr))
        n = min(x.shape[0], out.shape[0] - a)
        if n > 0:
            out[a:a + n] = x[:n]
    return out


def mux_audio(video: Path, wav: Path) -> None:
    """Put ``wav`` into ``video`` as its sound track (AAC; the picture is copied, not
    re-encoded), cut to the picture's length. Replaces ``video``."""
    import imageio_ffmpeg

    video = Path(video)
    tmp = video.with_name(video.stem + ".with-audio" + video.suffix)
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-v", "error", "-i", str(video), "-i", str(wav),
           "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", "aac", "-b:a", "160k", "-shortest", str(tmp)]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        raise DanceError(f"{video}: cannot add the practice music ({res.stderr.decode(errors='replace').strip()[-200:]})")
    tmp.replace(video)
