"""Practice mode: the time-stretch keeps the pitch, the plan keeps the slowed beat grid, and
``dance practice`` on real footage records slowed music (tempo x speed, same pitch) and
stores a practice session that the player report shows and stars never count.

Real parts: the demo's synthesised song, audiotsm's WSOLA, BlazePose in the PoseWorker on a
pose2sim video, pygame on the dummy driver, the ffmpeg binary for recording and decoding,
the SQLite store and the HTML report.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from game.practice.audio import SR, decode, stretch  # noqa: E402
from game.practice.plan import PracticePlan  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "choreographies" / "demo"


# -- measuring sound ------------------------------------------------------------------------
def log_spectrum(x: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean magnitude spectrum (8192-point frames) on a log-frequency grid 80..5000 Hz,
    100 bins per octave: (log2 Hz grid, log magnitude)."""
    mono = x.mean(axis=1) if x.ndim == 2 else x
    n = 8192
    frames = [mono[i:i + n] * np.hanning(n) for i in range(0, mono.size - n, n // 2)]
    mag = np.mean([np.abs(np.fft.rfft(f)) for f in frames], axis=0)
    hz = np.fft.rfftfreq(n, 1 / sr)
    grid = np.arange(np.log2(80), np.log2(5000), 1 / 100)
    return grid, np.log(np.interp(2 ** grid, hz, mag) + 1e-6)


def pitch_ratio(a: np.ndarray, b: np.ndarray, sr: int) -> float:
    """How much higher b sounds than a: the log-frequency shift that best lines their
    spectra up (1.0 = same pitch, 0.5 = an octave down), searched over +-1.5 octaves.
    The spectral envelope (a quarter octave moving mean) is taken off first, so that the
    partials' positions, not the overall tilt, decide."""
    _, sa = log_spectrum(a, sr)
    _, sb = log_spectrum(b, sr)
    k = np.ones(25) / 25
    sa, sb = sa - np.convolve(sa, k, mode="same"), sb - np.convolve(sb, k, mode="same")
    lags = np.arange(-150, 151)
    score = [np.dot(sa[max(0, -k):sa.size - max(0, k)], sb[max(0, k):sb.size - max(0, -k)]) for k in lags]
    return float(2 ** (lags[int(np.argmax(score))] / 100))


def onset_envelope(x: np.ndarray, sr: int, hop: int = 256) -> np.ndarray:
    """Spectral flux (positive magnitude increases), smoothed over ~35 ms, zero-mean."""
    mono = x.mean(axis=1) if x.ndim == 2 else x
    n = 1024
    frames = np.stack([mono[i:i + n] * np.hanning(n) for i in range(0, mono.size - n, hop)])
    mag = np.log1p(np.abs(np.fft.rfft(frames, axis=1)))
    flux = np.maximum(0.0, np.diff(mag, axis=0)).sum(axis=1)
    flux = np.convolve(flux, np.hanning(7) / 3.5, mode="same")
    return flux - flux.mean()


def tempo_ratio(orig: np.ndarray, slowed: np.ndarray, sr: int) -> float:
    """The time scale a (slowed(t) ~ orig(a t)) whose warped onset envelope matches best,
    a in 0.3..1.3: the played tempo as a fraction of the original's."""
    hop = 256
    eo, es = onset_envelope(orig, sr, hop), onset_envelope(slowed, sr, hop)
    t_s = np.arange(es.size)
    best, best_a = -np.inf, 1.0
    for a in np.linspace(0.3, 1.3, 201):
        idx = t_s * a
        ok = idx < eo.size - 1
        if ok.sum() < 50:
            continue
        warped = np.interp(idx[ok], np.arange(eo.size), eo)
        s = es[ok]
        c = float(np.dot(warped - warped.mean(), s - s.mean()) / (np.linalg.norm(warped) * np.linalg.norm(s) + 1e-9))
        if c > best:
            best, best_a = c, a
    return float(best_a)


@pytest.fixture(scope="module")
def song() -> np.ndarray:
    return decode(DEMO / "demo.ogg", SR)


# -- the stretch ----------------------------------------------------------------------------
def test_stretch_halves_the_tempo_and_keeps_the_pitch(song):
    seg = song[int(8.0 * SR):int(12.0 * SR)]  # two bars of "Arm waves"
    slow = stretch(seg, SR, 0.5)
    assert slow.shape[1] == 2 and abs(slow.shape[0] / seg.shape[0] - 2.0) < 0.02
    assert abs(pitch_ratio(seg, slow, SR) - 1.0) < 0.03
    assert abs(tempo_ratio(seg, slow, SR) - 0.5) < 0.03
    # The measures can tell: plain resampling (what a slowed tape does) drops an octave.
    tape = np.stack([np.interp(np.arange(2 * seg.shape[0]) / 2, np.arange(seg.shape[0]), seg[:, c])
                     for c in range(2)], axis=1)
    assert abs(pitch_ratio(seg, tape, SR) - 0.5) < 0.03
    assert np.allclose(stretch(seg, SR, 1.0), seg)


def test_stretch_rejects_bad_input():
    with pytest.raises(ValueError):
        stretch(np.zeros((0, 2)), SR, 0.5)
    with pytest.raises(ValueError):
        stretch(np.zeros((100, 2)), SR, 0.0)


def test_plan_maps_practice_time_to_coach_time_on_the_slowed_grid():
    plan = PracticePlan(move_start_s=8.5, move_end_s=9.5, beat_s=0.5, speed=0.5)
    assert plan.lead_in_s == pytest.approx(6.5) and plan.tail_s == pytest.approx(10.0)
    assert plan.loop_s == pytest.approx(7.0) and plan.slowed_beat_s == pytest.approx(1.0)
    assert plan.count_in_times_s() == pytest.approx([0.0, 1.0, 2.0, 3.0])
    assert plan.coach_time_s(4.0) == pytest.approx(8.5)  # the move starts after 4 slowed beats
    assert plan.coach_time_s(7.0 + 4.0) == pytest.approx(8.5)  # ... in every loop
    assert plan.loop_of(10.9) == 1 and plan.count_in_left(7.5) == 4 and plan.count_in_left(11.5) is None
    # The camera latency is real seconds, not slowed ones: 0.1 s of it moves coach time by 0.05.
    assert plan.pose_time(5.0, 0.1) == (0, pytest.approx(plan.coach_time_s(5.0) - 0.05))
    assert plan.pose_time(7.05, 0.1)[0] == 0  # made before loop 1 began: still loop 0's
    with pytest.raises(ValueError):
        PracticePlan(8.5, 9.5, 0.5, 0.0)


# -- dance practice, end to end -------------------------------------------------------------
SHORT_YAML = """\
format: 1
title: Party Bear Practice
video: demo.mp4
audio: demo.ogg
pose_track: demo.npz
bpm: 120
offset: 0.5
mirror: true
difficulty: easy
moves:
  - name: "Arm waves"
    start: 8
    beats: 2
    parts: [left_arm, right_arm]
    tip: "Reach both arms high and sway like a rainbow!"
  - name: "March"
    start: 16
    beats: 8
    tip: "Lift your knees up high, one on every beat!"
"""


@pytest.fixture()
def short_choreo(tmp_path) -> Path:
    """The demo's media with a 2-beat first move (a short practice loop)."""
    folder = tmp_path / "song"
    folder.mkdir()
    for name in ("demo.mp4", "demo.ogg", "demo.npz"):
        shutil.copy(DEMO / name, folder / name)
    (folder / "practice.yaml").write_text(SHORT_YAML)
    return folder / "practice.yaml"


def _run(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DANCE_HOME": str(home), "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    return subprocess.run([str(REPO / ".venv" / "bin" / "dance"), *args], capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.mark.slow
def test_dance_practice_records_slowed_music_and_stores_practice(short_choreo, tmp_path, song):
    from pose.samples import sample_path
    from reports.store import SessionStore

    import imageio_ffmpeg

    home, out, shots = tmp_path / "home", tmp_path / "practice.mp4", tmp_path / "shots"
    # A real person dancing, at 15 fps and a quarter of the pixels: the pose model runs on
    # every camera frame, and this keeps the test's pose work to ~100 frames.
    camera = tmp_path / "child.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(sample_path("Demo_SinglePerson/cam02.mp4")),
                    "-vf", "fps=15,scale=540:-2", "-an", str(camera)], check=True)
    r = _run("practice", str(short_choreo), "--move", "1", "--speed", "0.5", "--loops", "1", "--steps", "move",
             "--camera", str(camera), "--headless", "--record", str(out), "--player", "Mia",
             "--shots", str(shots), "--size", "960x540", home=home)
    assert r.returncode == 0, r.stderr
    assert "'Arm waves' at 0.5x, 1 loop(s)" in r.stdout, r.stdout
    assert {"p1_count_in.png", "p3_practice_done.png"} <= {p.name for p in shots.iterdir()}

    # The recording's sound: the lead-in + move, slowed to half tempo, at the song's pitch.
    rec = decode(out, SR)
    plan = PracticePlan(move_start_s=4.5, move_end_s=5.5, beat_s=0.5, speed=0.5)  # beat 8 at 120 bpm
    assert rec.shape[0] / SR >= plan.loop_s - 0.2
    orig = song[int(plan.lead_in_s * SR):int(plan.tail_s * SR)]
    played = rec[:int(plan.loop_s * SR)]
    assert abs(tempo_ratio(orig, played, SR) - 0.5) < 0.04
    # The count-in is spoken: each of "five, six, seven, eight" is heard on its slowed beat
    # (the recording's sound went through AAC, so: a strong normalised correlation with the
    # word where it should be, and a weak one with the other words there).
    from game.practice.voice import count_words

    words = count_words(SR)
    mono = rec.mean(axis=1)
    for i, t in enumerate(plan.count_in_times_s()):
        heard = mono[int(t * SR):int(t * SR) + int(0.25 * SR)]

        def ncc(w: np.ndarray) -> float:
            w = w[:heard.size]
            c = np.correlate(np.pad(heard, (200, 200)), w, mode="valid")
            return float(np.abs(c).max() / (np.linalg.norm(heard) * np.linalg.norm(w) + 1e-9))

        mine = ncc(words[i])
        others = max(ncc(w) for k, w in enumerate(words) if k != i)
        assert mine > 0.5 and mine > others + 0.15, (i, mine, others)
    # Pitch over the move itself (after the count-in).
    move_orig = song[int(plan.move_start_s * SR):int(plan.tail_s * SR)]
    move_played = rec[int(4.0 * SR):int(plan.loop_s * SR)]
    assert abs(pitch_ratio(move_orig, move_played, SR) - 1.0) < 0.03

    # Stored as practice: not among played sessions (stars, bests, progress), but in the report.
    from reports.store import DB_NAME

    store = SessionStore.open(home / DB_NAME, create=False)
    try:
        assert store.sessions(player="Mia") == []
        (s,) = store.sessions(player="Mia", kind="practice")
        assert s.kind == "practice" and s.speed == 0.5 and s.practice_s == pytest.approx(plan.loop_s, abs=0.3)
        assert s.stars is None and s.points is None
        assert [j.move_name for j in store.judgements(s.id)] == ["Arm waves"]
    finally:
        store.close()
    html = tmp_path / "mia.html"
    r = _run("report", "player", "Mia", "-o", str(html), home=home)
    assert r.returncode == 0, r.stderr
    text = html.read_text()
    assert 'id="practice"' in text and "Arm waves" in text and "0.5&times;" in text


def test_dance_practice_wrong_move_is_one_line(short_choreo, tmp_path):
    r = _run("practice", str(short_choreo), "--move", "9", "--headless", "--camera", "x.mp4", home=tmp_path)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "moves 1..2 (1 Arm waves, 2 March); got --move 9" in r.stderr
