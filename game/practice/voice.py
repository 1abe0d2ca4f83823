"""The spoken count-in: a dance teacher's "five, six, seven, eight" before the move.

The words are synthesised by eSpeak NG, whose library and voice data ship inside the
``espeakng-loader`` package (no system binary, nothing fetched at run time). Synthesis runs
once, in a child process (a crash in a C library must not take the game down), and the
words are kept as WAVs in the cache: ``make setup`` renders them (``python -m
game.practice.voice``), and the game renders them the first time if they are missing.

Word arrays are (n,) float32 in [-1, 1] at the caller's rate, silence trimmed, so that a
word's first sample is its onset: placed at a beat's time, the word starts on the beat.
"""
from __future__ import annotations

import ctypes
import subprocess
import sys
import wave
from functools import lru_cache
from pathlib import Path

import numpy as np

COUNT_WORDS = ("five", "six", "seven", "eight")
VOICE = "en-us+f3"  # a brighter voice variant than the default male one
RATE_WPM = 190  # brisk, like a teacher counting a class in
PITCH = 65  # 0-100, espeak's default is 50
TRIM_LEVEL = 0.02  # |sample| above this (of the word's peak) counts as sound
FADE_MS = 4.0


class VoiceUnavailable(RuntimeError):
    """No speech synthesiser could render the count-in (the game claps instead)."""


def voice_dir() -> Path:
    from pose.paths import cache_dir

    return cache_dir() / "voice" / VOICE.replace("+", "_")


def word_path(word: str) -> Path:
    return voice_dir() / f"{word}.wav"


def _synthesise(text: str) -> tuple[np.ndarray, int]:
    """eSpeak NG through its C API: (n,) int16 samples and their rate. In-process: call it
    from the child process (``render_all``), not the game."""
    try:
        import espeakng_loader
    except ImportError as e:
        raise VoiceUnavailable("espeakng-loader is not installed (make setup installs it)") from e
    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    callback_t = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                 ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    audio_output_synchronous = 2
    sr = lib.espeak_Initialize(audio_output_synchronous, 0, espeakng_loader.get_data_path().encode(), 0)
    if sr <= 0:
        raise VoiceUnavailable(f"eSpeak NG did not start (code {sr})")
    chunks: list[np.ndarray] = []

    @callback_t
    def collect(wav, n, _events):
        if n > 0:
            chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        return 0

    lib.espeak_SetSynthCallback(collect)
    if lib.espeak_SetVoiceByName(VOICE.encode()) != 0 and lib.espeak_SetVoiceByName(b"en") != 0:
        raise VoiceUnavailable(f"eSpeak NG has no voice {VOICE!r}")
    espeak_rate, espeak_pitch = 1, 3
    lib.espeak_SetParameter(espeak_rate, RATE_WPM, 0)
    lib.espeak_SetParameter(espeak_pitch, PITCH, 0)
    data = text.encode() + b"\0"
    if lib.espeak_Synth(data, len(data), 0, 0, 0, 0, None, None) != 0:
        raise VoiceUnavailable(f"eSpeak NG could not say {text!r}")
    lib.espeak_Synchronize()
    if not chunks:
        raise VoiceUnavailable(f"eSpeak NG said nothing for {text!r}")
    return np.concatenate(chunks).astype(np.int16), int(sr)


def render_all(out_dir: Path | None = None, words: tuple[str, ...] = COUNT_WORDS) -> list[Path]:
    """Synthesise each word into ``out_dir`` (default: the cache) as a mono 16-bit WAV."""
    out = Path(out_dir) if out_dir is not None else voice_dir()
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for w in words:
        pcm, sr = _synthesise(w)
        path = out / f"{w}.wav"
        tmp = path.with_suffix(".tmp")
        with wave.open(str(tmp), "wb") as f:
            f.setnchannels(1)
            f.setsampwidth(2)
            f.setframerate(sr)
            f.writeframes(pcm.tobytes())
        tmp.replace(path)
        paths.append(path)
    return paths


def ensure_rendered(words: tuple[str, ...] = COUNT_WORDS) -> Path:
    """The cached words' folder, rendering them in a child process when any is missing.
    VoiceUnavailable (one line) when they cannot be made."""
    if all(word_path(w).is_file() for w in words):
        return voice_dir()
    res = subprocess.run([sys.executable, "-m", "game.practice.voice", *words], capture_output=True, text=True,
                         timeout=120)
    if res.returncode != 0 or not all(word_path(w).is_file() for w in words):
        why = (res.stderr.strip().splitlines() or ["no output"])[-1]
        raise VoiceUnavailable(f"cannot render the spoken count-in: {why}")
    return voice_dir()


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as f:
        if f.getsampwidth() != 2:
            raise VoiceUnavailable(f"{path}: not 16-bit PCM")
        raw = np.frombuffer(f.readframes(f.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
        ch = f.getnchannels()
        return raw.reshape(-1, ch).mean(axis=1), f.getframerate()


def trim(x: np.ndarray, sr: int) -> np.ndarray:
    """``x`` (n,) without its leading and trailing silence, with short fades so the cut
    does not click."""
    peak = float(np.abs(x).max()) if x.size else 0.0
    if peak <= 0:
        return x[:0]
    loud = np.flatnonzero(np.abs(x) > TRIM_LEVEL * peak)
    y = x[loud[0]:loud[-1] + 1].copy()
    n = min(y.size // 4, int(FADE_MS / 1000 * sr))
    if n > 1:
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
        y[:n] *= ramp
        y[-n:] *= ramp[::-1]
    return y


def resample(x: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    """Linear-interpolation resampling (speech at 22 kHz up to the music's 44.1 kHz: no
    content above the old Nyquist to alias)."""
    if sr_in == sr_out:
        return x.astype(np.float32)
    n_out = int(round(x.size * sr_out / sr_in))
    return np.interp(np.arange(n_out) * (sr_in / sr_out), np.arange(x.size), x).astype(np.float32)


@lru_cache(maxsize=4)
def count_words(sr: int, words: tuple[str, ...] = COUNT_WORDS) -> tuple[np.ndarray, ...]:
    """The spoken words (n,) float32 at ``sr``, trimmed and peak-normalised to 0.9."""
    folder = ensure_rendered(words)
    out = []
    for w in words:
        x, sr_in = _read_wav(folder / f"{w}.wav")
        y = trim(resample(x, sr_in, sr), sr)
        if y.size == 0:
            raise VoiceUnavailable(f"the spoken {w!r} is silent")
        out.append((0.9 * y / float(np.abs(y).max())).astype(np.float32))
    return tuple(out)


def main(argv: list[str]) -> int:
    try:
        paths = render_all(words=tuple(argv) or COUNT_WORDS)
    except VoiceUnavailable as e:
        print(f"count-in voice: {e}", file=sys.stderr)
        return 1
    print(f"count-in voice: {len(paths)} words in {paths[0].parent}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
