"""Song clocks and the coach video chosen by song time (real mixer on SDL's dummy audio
driver, real video decoding of the pose2sim footage)."""
from __future__ import annotations

import os
import time
import wave

import numpy as np
import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from game.media import MusicClock, VideoPlayer, WallClock, fit_size, make_clock  # noqa: E402
from pose.errors import VideoError  # noqa: E402
from pose.samples import sample_path  # noqa: E402


class ManualTime:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_wall_clock_start_pause_resume_and_capture_time():
    now = ManualTime()
    c = WallClock(10.0, now)
    assert c.position_s() == 0.0 and not c.started
    c.start()
    now.t += 1.5
    assert c.position_s() == pytest.approx(1.5)
    c.pause()
    now.t += 5.0  # paused time does not count
    assert c.position_s() == pytest.approx(1.5)
    c.resume()
    now.t += 0.5
    assert c.position_s() == pytest.approx(2.0)
    # A camera frame captured 0.3 s ago happened at song time 1.7.
    assert c.time_at_s(now.t - 0.3) == pytest.approx(1.7)
    now.t += 8.0
    assert c.finished


def test_clock_started_mid_song():
    now = ManualTime()
    c = WallClock(60.0, now)
    c.start(12.0)
    now.t += 1.0
    assert c.position_s() == pytest.approx(13.0)


def _tone(path, seconds: float, rate: int = 44100) -> None:
    t = np.arange(int(seconds * rate)) / rate
    pcm = (0.2 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def test_music_clock_follows_the_music_smoothly(tmp_path):
    """Over 1.2 s of real playback the smoothed clock tracks real time, never goes back,
    and moves in small steps although get_pos() jumps by whole audio buffers."""
    import pygame

    wav = tmp_path / "tone.wav"
    _tone(wav, 3.0)
    try:
        clock = MusicClock(wav)
    except VideoError as e:
        pytest.skip(f"no audio device even with the dummy driver: {e}")
    assert clock.duration_s == pytest.approx(3.0, abs=0.01)
    clock.start()
    t0 = time.perf_counter()
    samples = []
    while time.perf_counter() - t0 < 1.2:
        samples.append((time.perf_counter() - t0, clock.position_s()))
        time.sleep(0.004)
    clock.stop()
    pygame.mixer.quit()
    wall = np.array([s[0] for s in samples])
    pos = np.array([s[1] for s in samples])
    assert np.all(np.diff(pos) >= 0), "the song clock went backwards"
    assert abs(pos[-1] - wall[-1]) < 0.12
    # Smooth: no step much larger than the sampling period (get_pos alone steps ~23+ ms).
    assert np.max(np.diff(pos)) < 0.03


def test_make_clock_without_music_is_a_wall_clock():
    now = ManualTime()
    c = make_clock(None, None, 30.0, headless=False, now_fn=now)
    assert isinstance(c, WallClock) and c.duration_s == 30.0
    c2 = make_clock(None, sample_path("Demo_SinglePerson/cam01.mp4"), 1.6, headless=True, now_fn=now)
    assert isinstance(c2, WallClock)  # headless always runs on the simulated clock


@pytest.mark.parametrize("native, box, expected", [
    ((1080, 1920), (400, 700), (394, 700)),
    ((1920, 1080), (400, 700), (400, 225)),
    ((640, 480), (640, 480), (640, 480)),
])
def test_fit_size(native, box, expected):
    assert fit_size(native, box) == expected


def _reference_frame(index: int, size):
    import cv2

    cap = cv2.VideoCapture(str(sample_path("Demo_SinglePerson/cam01.mp4")))
    for _ in range(index + 1):
        ok, bgr = cap.read()
    cap.release()
    return cv2.cvtColor(cv2.resize(bgr, size, interpolation=cv2.INTER_LINEAR), cv2.COLOR_BGR2RGB)


def _pixels(surface) -> np.ndarray:
    import pygame

    return np.frombuffer(pygame.image.tobytes(surface, "RGB"), np.uint8).reshape(surface.get_height(),
                                                                                surface.get_width(), 3)


def test_video_frames_are_chosen_by_song_time_and_skipped_not_delayed():
    v = VideoPlayer(sample_path("Demo_SinglePerson/cam01.mp4"), (180, 320), threaded=False)
    try:
        assert v.fps == 60.0 and v.frame_count == 100
        first = v.frame_at(0.0)
        assert np.array_equal(_pixels(first), _reference_frame(0, v.size_px))
        # Jumping to 0.5 s shows frame 30 straight away; the 29 in between are skipped.
        s = v.frame_at(0.5)
        assert np.array_equal(_pixels(s), _reference_frame(30, v.size_px))
        assert v.frames_dropped == 29 and v.frames_shown == 2
        # Same song time, same frame, no decoding.
        assert v.frame_at(0.505) is s
        # Rewind (a restart) seeks back.
        assert np.array_equal(_pixels(v.frame_at(0.1)), _reference_frame(6, v.size_px))
        # Past the end: the last frame stays up.
        assert v.frame_at(99.0) is not None
    finally:
        v.close()


def test_threaded_video_never_blocks_the_render_loop():
    v = VideoPlayer(sample_path("Demo_SinglePerson/cam01.mp4"), (360, 640), threaded=True)
    try:
        costs = []
        t0 = time.perf_counter()
        shown = None
        while time.perf_counter() - t0 < 1.0:
            song = time.perf_counter() - t0
            a = time.perf_counter()
            surf = v.frame_at(song)
            costs.append(time.perf_counter() - a)
            shown = surf if surf is not None else shown
            time.sleep(1 / 120)
        assert shown is not None and v.frames_shown >= 10
        # frame_at only pops a queue and wraps bytes; decoding and scaling one 1080p frame
        # (what blocking would cost) takes ~10 ms. The median is immune to a busy machine.
        assert np.median(costs) < 0.004
    finally:
        v.close()


def test_missing_video_is_a_video_error(tmp_path):
    with pytest.raises(VideoError, match="cannot open"):
        VideoPlayer(tmp_path / "nope.mp4", (100, 100))


def test_music_not_the_cpu_clock_sets_the_pace(tmp_path):
    """A wall clock running 4 % fast (as a drifting clock would, over a long song) must not
    pull the song clock away from the music: the estimate follows the audio position."""
    import pygame

    wav = tmp_path / "tone.wav"
    _tone(wav, 4.0)
    t0 = time.perf_counter()
    fast = lambda: t0 + (time.perf_counter() - t0) * 1.04  # noqa: E731
    try:
        clock = MusicClock(wav, now_fn=fast)
    except VideoError as e:
        pytest.skip(f"no audio device even with the dummy driver: {e}")
    clock.start()
    errors, wall_errors = [], []
    start = time.perf_counter()
    while time.perf_counter() - start < 2.5:
        pos = clock.position_s()
        audio = pygame.mixer.music.get_pos() / 1000.0
        if time.perf_counter() - start > 1.0:
            errors.append(pos - audio)
            wall_errors.append(clock.wall_position_s() - audio)
        time.sleep(0.005)
    clock.stop()
    pygame.mixer.quit()
    k = max(1, len(errors) // 5)  # compare the first and last fifth of the 1.5 s window
    wall_growth = np.mean(wall_errors[-k:]) - np.mean(wall_errors[:k])
    est_growth = np.mean(errors[-k:]) - np.mean(errors[:k])
    assert wall_growth > 0.035  # 4 % of ~1.2 s: the fast clock alone keeps running ahead...
    assert abs(est_growth) < 0.015  # ...the song clock does not: it stays with the music
    # get_pos itself is coarse (one buffer, ~23 ms), so "with" means within a buffer or two.
    assert np.max(np.abs(errors)) < 0.06
