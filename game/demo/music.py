"""The demo's cheerful tune, synthesised with numpy: drums, bass, chords, melody.

``render_song(bpm, offset_s, total_beats, gold_beats, sample_rate) -> (N, 2) float32`` in
[-1, 1]; beat b falls exactly at ``offset_s + b * 60 / bpm``, the same grid the coach
dances on. ``write_wav`` writes 16-bit PCM; ``encode_ogg`` turns it into Vorbis with the
ffmpeg binary from imageio-ffmpeg (bit-exact flags, so a rebuild gives the same file).

The song: I–V–vi–IV in C major, one chord per bar. Kick on every beat, snare on 2 and 4,
hats on eighths; a bouncy bass; a soft chord pad; a chiptune lead with two melodies; a
twinkling bell arpeggio during gold moves; a crash at each section and a final chord.
"""
from __future__ import annotations

import os
import subprocess
import wave
from pathlib import Path

import numpy as np

SR = 44_100
CHORDS = ((48, 52, 55), (43, 47, 50), (45, 48, 52), (41, 45, 48))  # C, G, Am, F (MIDI)
BASS_ROOTS = (36, 31, 33, 29)
R = None  # a rest
# Eighth notes, one bar per row (MIDI), written against the C G Am F loop.
MELODY_A = (
    (76, 79, 81, 79, 76, R, 72, 74),
    (74, R, 67, 71, 74, R, 71, R),
    (72, 76, 81, 79, 76, R, 72, R),
    (77, 76, 74, 72, 74, R, R, R),
)
MELODY_B = (
    (79, R, 79, 81, 79, 76, 72, R),
    (71, 74, 79, R, 77, 74, 71, R),
    (69, 72, 76, 81, 79, 76, 72, 69),
    (72, R, 74, R, 76, 79, 84, R),
)


def midi_hz(m: float) -> float:
    return 440.0 * 2.0 ** ((m - 69) / 12.0)


def _env(n: int, attack_s: float, decay_per_s: float, release_s: float = 0.01) -> np.ndarray:
    t = np.arange(n) / SR
    e = np.minimum(1.0, t / max(attack_s, 1e-4)) * np.exp(-decay_per_s * t)
    r = max(1, int(release_s * SR))
    if n > r:
        e[-r:] *= np.linspace(1.0, 0.0, r)
    return e


def _additive(freq_hz: float, n: int, harmonics: list[tuple[int, float]], vibrato: float = 0.0) -> np.ndarray:
    """Band-limited tone: harmonics above Nyquist are skipped, so no aliasing whine."""
    t = np.arange(n) / SR
    phase = 2 * np.pi * freq_hz * t
    if vibrato:
        phase = phase + vibrato * np.sin(2 * np.pi * 5.5 * t) * np.minimum(1.0, t / 0.25)
    out = np.zeros(n)
    for k, a in harmonics:
        if k * freq_hz < SR / 2 - 1000:
            out += a * np.sin(k * phase)
    return out


def _pulse_harmonics(duty: float, count: int) -> list[tuple[int, float]]:
    return [(k, 2.0 / (k * np.pi) * abs(np.sin(np.pi * k * duty))) for k in range(1, count + 1)]


def _lowpass(x: np.ndarray, cutoff_hz: float) -> np.ndarray:
    """One-pole low-pass (vectorised via an IIR filter)."""
    from scipy.signal import lfilter

    a = np.exp(-2 * np.pi * cutoff_hz / SR)
    return lfilter([1 - a], [1, -a], x)


class _Track:
    def __init__(self, n: int) -> None:
        self.buf = np.zeros((n, 2))

    def add(self, start_s: float, sig: np.ndarray, gain: float, pan: float = 0.0) -> None:
        i = int(round(start_s * SR))
        if i >= len(self.buf) or i + len(sig) <= 0:
            return
        sig = sig[: len(self.buf) - i]
        left, right = gain * np.sqrt(0.5 * (1 - pan)), gain * np.sqrt(0.5 * (1 + pan))
        self.buf[i:i + len(sig), 0] += sig * left
        self.buf[i:i + len(sig), 1] += sig * right


def render_song(bpm: float, offset_s: float, total_beats: int, gold_beats: tuple[tuple[int, int], ...] = (),
                intro_beats: int = 8, tail_s: float = 2.5, seed: int = 116) -> np.ndarray:
    """The whole song, (N, 2) float32 in [-1, 1], N = (offset + beats + tail) * SR."""
    rng = np.random.default_rng(seed)
    beat_s = 60.0 / bpm
    n = int(round((offset_s + total_beats * beat_s + tail_s) * SR))
    tr = _Track(n)

    def t_of(beat: float) -> float:
        return offset_s + beat * beat_s

    # Drum one-shots, rendered once.
    kn = int(0.35 * SR)
    kt = np.arange(kn) / SR
    kick = np.sin(2 * np.pi * np.cumsum(48 + 110 * np.exp(-kt * 28)) / SR) * np.exp(-kt * 7.5)
    kick[: int(0.003 * SR)] += rng.uniform(-0.4, 0.4, int(0.003 * SR))  # the beater click
    sn = int(0.22 * SR)
    noise = rng.uniform(-1, 1, sn)
    snare = (np.diff(noise, prepend=0.0) * 0.6 * np.exp(-np.arange(sn) / SR * 16)
             + 0.5 * np.sin(2 * np.pi * 190 * np.arange(sn) / SR) * np.exp(-np.arange(sn) / SR * 22))
    hn = int(0.06 * SR)
    hat = np.diff(rng.uniform(-1, 1, hn + 1)) * np.exp(-np.arange(hn) / SR * 70)
    cn = int(1.8 * SR)
    crash = np.diff(rng.uniform(-1, 1, cn + 1)) * np.exp(-np.arange(cn) / SR * 2.2)

    final_beat = total_beats
    for b in range(total_beats):
        bar, in_bar = divmod(b, 4)
        outro = b >= total_beats - 8
        tr.add(t_of(b), kick, 0.75)
        if in_bar in (1, 3) and b >= 4:
            tr.add(t_of(b), snare, 0.45)
        for half in (0.0, 0.5):
            if b >= 2 and not (outro and half):
                tr.add(t_of(b + half), hat, 0.16 if half else 0.09, pan=0.35)
        if in_bar == 0 and bar in (2, 10, 18, 26) or b == 0:
            tr.add(t_of(b), crash, 0.22, pan=-0.2)

        # Bass: eighth notes, root with an octave bounce (from the second intro bar on).
        if b >= 4:
            root = BASS_ROOTS[bar % 4]
            for j, step in enumerate((0, 12) if not outro else (0,)):
                dur = int(beat_s * 0.5 * SR * 0.9)
                note = _additive(midi_hz(root + step), dur, _pulse_harmonics(0.5, 12))
                note = _lowpass(note, 900) * _env(dur, 0.004, 5.0, 0.02)
                tr.add(t_of(b + 0.5 * j), note, 0.55)

        # Chord pad: one soft chord per bar.
        if in_bar == 0:
            dur = int(4 * beat_s * SR)
            pad = sum(_additive(midi_hz(m + 12), dur, [(1, 1.0), (2, 0.3), (3, 0.12)]) for m in CHORDS[bar % 4])
            tr.add(t_of(b), pad * _env(dur, 0.08, 0.5, 0.1), 0.07)

        # Lead melody over the dance (not in the intro or the bow).
        if intro_beats <= b < total_beats - 8:
            phrase = MELODY_A if (bar // 8) % 2 == 0 else MELODY_B
            row = phrase[bar % 4]
            for k in (0, 1):
                m = row[in_bar * 2 + k]
                if m is None:
                    continue
                # Hold the note through following rests, up to a beat.
                length = 1
                while in_bar * 2 + k + length < 8 and row[in_bar * 2 + k + length] is None and length < 2:
                    length += 1
                dur = int(length * 0.5 * beat_s * SR * 0.92)
                tone = _additive(midi_hz(m), dur, _pulse_harmonics(0.25, 24), vibrato=0.004 * midi_hz(m) / 5.5)
                tone = _lowpass(tone, 4500) * _env(dur, 0.005, 2.0, 0.03)
                tr.add(t_of(b + 0.5 * k), tone, 0.26)

        # Gold moves sparkle: a bell arpeggio on sixteenths, chord tones two octaves up.
        if any(s <= b < e for s, e in gold_beats):
            chord = CHORDS[bar % 4]
            for k in range(4):
                m = chord[k % 3] + 24 + (12 if k == 3 else 0)
                dur = int(0.3 * SR)
                bell = _additive(midi_hz(m), dur, [(1, 1.0), (3, 0.25), (5, 0.08)]) * _env(dur, 0.002, 9.0)
                tr.add(t_of(b + 0.25 * k), bell, 0.09, pan=-0.3)

    # The final chord with a crash, ringing out.
    dur = int(tail_s * SR)
    chord = sum(_additive(midi_hz(m + 12), dur, _pulse_harmonics(0.3, 10)) for m in CHORDS[0])
    tr.add(t_of(final_beat), _lowpass(chord, 3000) * _env(dur, 0.005, 1.4, 0.3), 0.12)
    tr.add(t_of(final_beat), kick, 0.9)
    tr.add(t_of(final_beat), crash, 0.3)
    tr.add(t_of(final_beat), _additive(midi_hz(36), dur, _pulse_harmonics(0.5, 8)) * _env(dur, 0.005, 1.5, 0.3), 0.4)

    out = tr.buf
    peak = float(np.abs(out).max())
    out = out / peak * 0.89 if peak > 0 else out
    return out.astype(np.float32)


def write_wav(path: str | os.PathLike, audio: np.ndarray) -> Path:
    """(N, 2) float in [-1, 1] -> 16-bit stereo WAV."""
    path = Path(path)
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())
    return path


def encode_ogg(wav_path: str | os.PathLike, ogg_path: str | os.PathLike, quality: int = 3) -> Path:
    """WAV -> Ogg Vorbis with imageio-ffmpeg's ffmpeg; bit-exact for reproducible builds."""
    import imageio_ffmpeg

    ogg_path = Path(ogg_path)
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(wav_path),
           "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
           "-c:a", "libvorbis", "-q:a", str(quality), str(ogg_path)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg failed to encode {ogg_path.name}: {proc.stderr.strip()[:300]}")
    return ogg_path
