"""PoseWorker on real footage with the real BodyTracker.

Where the point is the worker's threading (a tracker stuck in process(), a tracker that
raises), the real tracker is wrapped, not replaced: the wrapper adds the delay or fault.
"""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from pose.errors import VideoError
from pose.samples import sample_path
from pose.tracker import BodyTracker
from pose.worker import LatestPose, PoseWorker, WorkerStatus

CAM01 = "Demo_SinglePerson/cam01.mp4"


@pytest.fixture(scope="module")
def cam01():
    return sample_path(CAM01)


@pytest.fixture(scope="module")
def truncated(tmp_path_factory):
    """cam02 cut in half: its index (moov first) survives, so it opens and then breaks."""
    data = sample_path("Demo_SinglePerson/cam02.mp4").read_bytes()
    p = tmp_path_factory.mktemp("cut") / "cam02_cut.mp4"
    p.write_bytes(data[: len(data) // 2])
    return p


class Wrapped:
    """The real tracker, plus an optional delay, a gate to hold process() inside, or a fault."""

    def __init__(self, delay_s: float = 0.0, gate: threading.Event | None = None, fail_at: int | None = None):
        self.inner = BodyTracker(smooth=True, threads=2)
        self.delay_s, self.gate, self.fail_at = delay_s, gate, fail_at
        self.inside = threading.Event()
        self.calls = 0
        self.timestamps: list[float] = []
        self.resets = 0

    def process(self, rgb, timestamp_s):
        self.calls += 1
        self.timestamps.append(timestamp_s)
        if self.fail_at is not None and self.calls > self.fail_at:
            raise RuntimeError("boom")
        self.inside.set()
        if self.gate is not None:
            self.gate.wait(10)
        if self.delay_s:
            time.sleep(self.delay_s)
        return self.inner.process(rgb, timestamp_s)

    def reset(self):
        self.resets += 1
        self.inner.reset()


def _wait_finished(w: PoseWorker, timeout_s: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout_s
    while not w.finished and time.perf_counter() < deadline:
        time.sleep(0.01)
    assert w.finished, f"worker still {w.status} after {timeout_s} s"


def test_every_frame_as_fast_as_possible(cam01):
    seen: list[LatestPose] = []
    with PoseWorker(cam01, realtime=False, on_pose=seen.append) as w:
        _wait_finished(w)
        s = w.stats()
    assert w.status is WorkerStatus.ENDED and w.error is None
    assert s.poses == 100 and s.frames_read == 100 and s.frames_dropped == 0
    assert [p.index for p in seen] == list(range(100))
    assert s.found >= 90 and s.fps > 0 and s.latency_ms > 0
    last = w.latest()
    assert last is seen[-1] and last.index == 99 and last.timestamp_s == pytest.approx(99 / 60)
    assert last.pose is not None and np.isfinite(last.pose.landmarks).all()
    assert last.frame_rgb.shape == (1920, 1080, 3)
    assert last.pose.image_size == (1080, 1920)


def test_latest_never_blocks_while_inference_runs(cam01):
    gate = threading.Event()
    tracker = Wrapped(gate=gate)
    w = PoseWorker(cam01, lambda: tracker, realtime=True)
    w.start()
    try:
        assert tracker.inside.wait(10), "the tracker was never called"
        # process() is now held inside the tracker; the consumer must not notice.
        t0 = time.perf_counter()
        for _ in range(1000):
            assert w.latest() is None
        assert (time.perf_counter() - t0) < 0.05
        assert w.status is WorkerStatus.RUNNING
        gate.set()
        deadline = time.perf_counter() + 10
        while w.latest() is None and time.perf_counter() < deadline:
            time.sleep(0.005)
        assert w.latest() is not None and w.latest().pose is not None
    finally:
        gate.set()
        w.stop()


def test_slow_tracker_drops_stale_frames_instead_of_queueing(cam01):
    # 60 fps video, ~50+ ms per pose: a queue would grow by ~2 frames per pose.
    tracker = Wrapped(delay_s=0.05)
    with PoseWorker(cam01, lambda: tracker, realtime=True) as w:
        _wait_finished(w)
        s = w.stats()
    assert w.status is WorkerStatus.ENDED
    assert s.poses < 60 and s.frames_dropped > 40
    assert s.poses + s.frames_dropped == 100  # every frame either tracked or dropped
    # Each pose is of a fresh frame: latency stays about one inference, it doesn't pile up.
    assert s.latency_p95_ms < 400
    idx = np.diff(tracker.timestamps) * 60
    assert idx.min() >= 1 - 1e-6 and idx.max() > 1.5  # increasing, with gaps where frames were dropped
    assert w.latest().index == 99  # the newest frame is never the one left behind


def test_truncated_video_is_reported_not_raised(truncated):
    with PoseWorker(truncated, realtime=False) as w:
        _wait_finished(w)
    assert w.status is WorkerStatus.FAILED and w.finished
    assert "truncated or corrupt" in w.error and str(truncated) in w.error
    assert w.latest() is not None and 10 < w.stats().poses < 100


def test_tracker_fault_is_reported_not_raised(cam01):
    tracker = Wrapped(fail_at=5)
    with PoseWorker(cam01, lambda: tracker, realtime=False) as w:
        _wait_finished(w)
    assert w.status is WorkerStatus.FAILED
    assert w.error == "pose tracking failed (RuntimeError: boom)"
    assert w.stats().poses == 5 and w.latest().index == 4


def test_absent_camera_fails_at_start():
    w = PoseWorker(96)
    with pytest.raises(VideoError, match="camera 96 could not be opened"):
        w.start()


def test_stop_is_clean_and_idempotent(cam01):
    before = {t.name for t in threading.enumerate()}
    w = PoseWorker(cam01, realtime=True, loop=True).start()
    deadline = time.perf_counter() + 10
    while w.stats().poses < 3 and time.perf_counter() < deadline:
        time.sleep(0.01)
    t0 = time.perf_counter()
    w.stop()
    assert time.perf_counter() - t0 < 2.0
    assert w.status is WorkerStatus.STOPPED and w.finished and w.error is None
    assert not any(t.name.startswith("pose-") for t in threading.enumerate() if t.name not in before)
    w.stop()  # twice is fine
    with pytest.raises(RuntimeError):
        w.start()


def test_process_until_is_deterministic_and_steps_the_clock(cam01):
    a = PoseWorker(cam01)
    b = PoseWorker(cam01)
    la = a.process_until(0.5)
    assert la.index == 30  # frames 0..30 have t <= 0.5 s at 60 fps
    assert a.process_until(0.5) is la  # nothing new is due
    for t in (0.1, 0.2, 0.3, 0.4, 0.5):  # stepping in smaller ticks gives the same poses
        lb = b.process_until(t)
    assert lb.index == 30 and np.array_equal(la.pose.landmarks, lb.pose.landmarks)
    assert a.process_until(100.0).index == 99 and a.status is WorkerStatus.ENDED
    a.stop()
    b.stop()


def test_loop_restarts_and_resets_the_tracker(cam01):
    tracker = Wrapped()
    w = PoseWorker(cam01, lambda: tracker, loop=True)
    last = w.process_until(2.0)  # 1.67 s of video, then 0.33 s into the second lap
    assert last.index == 120 and last.timestamp_s == pytest.approx(2.0)
    assert tracker.resets == 1 and w.status is WorkerStatus.RUNNING
    assert np.all(np.diff(tracker.timestamps) > 0)  # time keeps going forward for the filters
    w.stop()


def test_external_clock_paces_the_video(cam01):
    now = [0.0]
    with PoseWorker(cam01, clock=lambda: now[0], keep_frame=False) as w:
        deadline = time.perf_counter() + 10
        while w.latest() is None and time.perf_counter() < deadline:
            time.sleep(0.005)
        time.sleep(0.1)  # the clock stands still: nothing more is due
        assert w.latest().index == 0 and w.latest().frame_rgb is None
        now[0] = 1.0  # jump: frames before the newest due one are skipped, not tracked
        while w.latest().index < 60 and time.perf_counter() < deadline:
            time.sleep(0.005)
        s = w.stats()
    assert w.latest().index == 60 and s.poses <= 3 and s.frames_dropped >= 58


def test_mirror_flips_the_frame_and_the_pose(cam01):
    plain, mirrored = PoseWorker(cam01), PoseWorker(cam01, mirror=True)
    p, m = plain.process_until(0.0), mirrored.process_until(0.0)
    assert np.array_equal(m.frame_rgb, p.frame_rgb[:, ::-1])
    # The nose is found at the mirrored spot (within a few pixels).
    assert abs(m.pose.landmarks[0, 0] - (1 - p.pose.landmarks[0, 0])) * 1080 < 10
    plain.stop()
    mirrored.stop()


def test_nobody_in_frame_gives_none_poses(tmp_path):
    import cv2

    p = tmp_path / "empty_room.avi"
    w = cv2.VideoWriter(str(p), cv2.VideoWriter_fourcc(*"MJPG"), 30, (320, 240))
    for i in range(12):
        w.write(np.full((240, 320, 3), 40 + 5 * i, np.uint8))  # a plain wall, no person
    w.release()
    with PoseWorker(p, realtime=False) as wk:
        _wait_finished(wk)
        s = wk.stats()
    assert wk.status is WorkerStatus.ENDED and wk.error is None
    assert s.poses == 12 and s.found == 0
    assert wk.latest().pose is None and wk.latest().frame_rgb.shape == (240, 320, 3)
    # A finished worker's rate decays instead of showing its last value for ever.
    assert s.fps > 0
    time.sleep(1.3)
    assert wk.stats().fps < s.fps


def test_process_until_refuses_a_started_worker(cam01):
    w = PoseWorker(cam01, realtime=True).start()
    try:
        with pytest.raises(RuntimeError, match="synchronous"):
            w.process_until(1.0)
    finally:
        w.stop()
