"""MultiWorker: several real pipelines (body tracker, selfie segmentation) on one real video.

Where the point is degradation, the slow pipeline is real too: the real segmenter run
several times a frame (real work, just more of it), and the budget is made small by
planning for one core at 60 fps, so the rule has to act on any machine.
"""
from __future__ import annotations

import math
import threading
import time

import pytest

from pose.frame import PoseFrame
from pose.pipelines import POLICY, standard
from pose.samples import sample_path
from pose.segmentation import SegmentationResult, SelfieSegmenter
from pose.worker import Degradation, MultiWorker, PipelineSpec, WorkerStatus, plan_strides

CAM01 = "Demo_SinglePerson/cam01.mp4"


@pytest.fixture(scope="module")
def cam01():
    return sample_path(CAM01)


class Repeated:
    """The real segmenter, run ``times`` per frame: a deliberately slow real pipeline."""

    def __init__(self, times: int = 4, gate: threading.Event | None = None, fail_at: int | None = None):
        self.inner = SelfieSegmenter("general", smooth=True, mask_long_side_px=128)
        self.times, self.gate, self.fail_at = times, gate, fail_at
        self.inside = threading.Event()
        self.calls = 0

    def process(self, rgb, timestamp_s):
        self.calls += 1
        if self.fail_at is not None and self.calls > self.fail_at:
            raise RuntimeError("mask boom")
        self.inside.set()
        if self.gate is not None:
            self.gate.wait(10)
        for _ in range(self.times - 1):
            self.inner.infer(rgb)
        return self.inner.process(rgb, timestamp_s)

    def reset(self):
        self.inner.reset()


def _spec(name="slowseg", priority=2, max_stride=2, **kw) -> PipelineSpec:
    return PipelineSpec(name, lambda: Repeated(**kw), priority, max_stride, label="slow segmentation")


def _wait(pred, timeout_s=120.0):
    deadline = time.perf_counter() + timeout_s
    while not pred() and time.perf_counter() < deadline:
        time.sleep(0.01)
    return pred()


@pytest.mark.slow
def test_body_and_segmentation_on_every_frame(cam01):
    seen: dict[str, list] = {"body": [], "segmentation": []}
    w = MultiWorker(cam01, standard("body", "segmentation"), realtime=False,
                    on_result=lambda name, latest: seen[name].append(latest))
    with w:
        assert _wait(lambda: w.finished)
    assert w.status is WorkerStatus.ENDED and w.error is None
    assert w.frames_read == 100 and w.frames_dropped == 0
    for name in ("body", "segmentation"):
        s = w.pipeline_stats(name)
        assert s.runs == 100 and s.dropped == 0 and s.skipped == 0 and s.stride == 1 and s.active
        assert [x.index for x in seen[name]] == list(range(100))
        assert s.fps > 0 and s.latency_ms > 0 and s.cpu_ms > 0 and s.wall_ms > 0
    body, seg = w.latest("body"), w.latest("segmentation")
    assert isinstance(body.result, PoseFrame) and body.index == 99 and body.name == "body"
    assert isinstance(seg.result, SegmentationResult) and seg.result.mask.shape == (256, 144)
    assert seg.frame_rgb is body.frame_rgb  # one camera frame feeds both
    assert w.pipeline_stats("body").found >= 90
    # The person the body tracker finds stands inside the segmentation mask.
    hips = body.result.xy[[23, 24]].mean(0)
    m = seg.result.mask
    assert m[int(hips[1] * m.shape[0]), int(hips[0] * m.shape[1])] > 0.5


@pytest.mark.parametrize("costs, budget, current, want, over", [
    # Fits: nothing slowed.
    ({"body": 10, "hands": 8, "segmentation": 4}, 60, {}, {"body": 1, "hands": 1, "segmentation": 1}, False),
    # Just over: the least important (segmentation) is slowed first.
    ({"body": 10, "hands": 8, "segmentation": 4}, 20, {}, {"body": 1, "hands": 1, "segmentation": 2}, False),
    # More over: segmentation at its lowest rate, then hands.
    ({"body": 10, "hands": 8, "segmentation": 4}, 17, {}, {"body": 1, "hands": 2, "segmentation": 2}, False),
    # Nothing left to slow: over budget, body still every frame.
    ({"body": 10, "hands": 8, "segmentation": 4}, 12, {}, {"body": 1, "hands": 2, "segmentation": 2}, True),
    # Hysteresis: at 1/2 the load is 20; speeding up would need 22 <= 0.8 x 24: stay.
    ({"body": 10, "hands": 8, "segmentation": 4}, 24, {"segmentation": 2}, {"body": 1, "hands": 1, "segmentation": 2}, False),
    # ... with room enough (22 <= 0.8 x 30) it comes back to every frame.
    ({"body": 10, "hands": 8, "segmentation": 4}, 30, {"segmentation": 2}, {"body": 1, "hands": 1, "segmentation": 1}, False),
    # Recovery goes to the most important slowed pipeline first.
    ({"body": 10, "hands": 8, "segmentation": 4}, 25, {"hands": 2, "segmentation": 2},
     {"body": 1, "hands": 1, "segmentation": 2}, False),
])
def test_the_degradation_rule(costs, budget, current, want, over):
    specs = [PipelineSpec(n, object, *POLICY[n]) for n in costs]
    d = plan_strides(costs, specs, budget, current)
    assert d.strides == want and d.over_budget is over
    assert d.load_ms == pytest.approx(sum(c / want[n] for n, c in costs.items()))
    assert d.budget_ms == budget
    assert d.degraded == (over or any(s > 1 for s in want.values()))


def test_degradation_reads_as_one_line():
    assert Degradation({"body": 1, "segmentation": 1}).describe() == ""
    d = Degradation({"body": 1, "hands": 2, "segmentation": 2}, 20.0, 30.0, True)
    assert d.describe() == "hands 1/2, segmentation 1/2, over budget" and d.degraded


@pytest.mark.slow
def test_a_set_that_does_not_fit_is_degraded_by_the_rule(cam01):
    # Half a core at 60 fps is at most a 7.5 ms budget: body + a 6x segmenter cannot fit.
    w = MultiWorker(cam01, standard("body") + [_spec(times=6)], realtime=True, loop=True, cores=0.5, target_fps=60)
    with w:
        assert _wait(lambda: w.degradation.strides.get("slowseg") == 2), w.degradation
        d = w.degradation
        assert d.strides["body"] == 1 and math.isfinite(d.budget_ms) and d.load_ms > 0
        assert "slowseg 1/2" in d.describe()
        k0 = {n: w.pipeline_stats(n) for n in w.names}
        assert _wait(lambda: w.pipeline_stats("slowseg").skipped > k0["slowseg"].skipped + 3)
        assert w.pipeline_stats("body").skipped == 0  # the body is never slowed by the rule
        assert w.pipeline_stats("slowseg").stride == 2
        # A mode change to body alone: nothing left to degrade.
        w.use(["body"])
        assert w.active == ("body",) and w.degradation.describe() == ""
        runs = w.pipeline_stats("slowseg").runs
        n_body = w.pipeline_stats("body").runs
        assert _wait(lambda: w.pipeline_stats("body").runs > n_body + 2)
        assert w.pipeline_stats("slowseg").runs <= runs + 1  # at most the run in flight
        assert not w.pipeline_stats("slowseg").active
        # ... and back: the segmenter comes back reset, at every frame until measured again.
        w.use(["body", "slowseg"])
        assert w.degradation.strides == {"body": 1, "slowseg": 1}
        assert _wait(lambda: w.pipeline_stats("slowseg").runs > runs + 2)
    assert w.status is WorkerStatus.STOPPED and w.error is None


def test_latest_never_blocks_while_pipelines_run(cam01):
    gate = threading.Event()
    slow = Repeated(times=1, gate=gate)
    w = MultiWorker(cam01, [PipelineSpec("seg", lambda: slow)], realtime=True).start()
    try:
        assert slow.inside.wait(10)
        t0 = time.perf_counter()
        for _ in range(1000):
            assert w.latest("seg") is None
            w.degradation, w.pipeline_stats("seg")
        assert time.perf_counter() - t0 < 0.5
        gate.set()
        assert _wait(lambda: w.latest("seg") is not None)
    finally:
        gate.set()
        w.stop()


def test_a_pipeline_fault_is_reported_not_raised(cam01):
    w = MultiWorker(cam01, standard("segmentation") + [_spec(times=1, fail_at=3)], realtime=False)
    with w:
        assert _wait(lambda: w.finished)
    assert w.status is WorkerStatus.FAILED
    assert w.error == "slow segmentation failed (RuntimeError: mask boom)"
    assert w.pipeline_stats("slowseg").runs == 3


def test_names_are_checked():
    specs = standard("body", "segmentation")
    with pytest.raises(ValueError, match="pipeline names must be unique"):
        MultiWorker(0, specs + specs[:1])
    w = MultiWorker(0, specs, active=["segmentation"])
    assert w.active == ("segmentation",) and w.names == ("body", "segmentation")
    with pytest.raises(ValueError, match="unknown pipeline hands; this worker has body, segmentation"):
        w.use(["body", "hands"])
    with pytest.raises(KeyError, match="no pipeline 'face'"):
        w.latest("face")
    with pytest.raises(ValueError, match="unknown pipeline wings; known: body, hands, face, segmentation"):
        standard("wings")
    with pytest.raises(ValueError, match="max_stride must be >= 1"):
        PipelineSpec("x", object, max_stride=0)


def test_stop_leaves_no_threads(cam01):
    before = {t.name for t in threading.enumerate()}
    w = MultiWorker(cam01, standard("body", "segmentation"), realtime=True, loop=True).start()
    assert _wait(lambda: w.pipeline_stats("segmentation").runs >= 2)
    w.stop()
    assert w.status is WorkerStatus.STOPPED
    assert not any(t.name.startswith("pose-") for t in threading.enumerate() if t.name not in before)


def test_process_until_runs_every_active_pipeline(cam01):
    w = MultiWorker(cam01, standard("body", "segmentation"))
    out = w.process_until(0.1)
    assert set(out) == {"body", "segmentation"} and out["body"].index == out["segmentation"].index == 6
    w.use(["segmentation"])
    out = w.process_until(0.2)
    assert set(out) == {"segmentation"} and out["segmentation"].index == 12
    assert w.latest("body").index == 6  # no longer updated
    w.stop()


def test_a_missing_model_fails_at_start_or_use_with_the_fetch_hint(cam01, tmp_path, monkeypatch):
    from pose.errors import ModelError

    w = MultiWorker(cam01, standard("body", "segmentation"), active=["body"])
    w.start()
    try:
        monkeypatch.setenv("DANCE_CACHE", str(tmp_path))  # the models are gone from here on
        with pytest.raises(ModelError) as e:
            w.use(["body", "segmentation"])
        assert "selfie_segmentation_landscape.tflite" in str(e.value) and str(e.value).endswith("run: dance models fetch")
        assert w.active == ("body",) and w.status is WorkerStatus.RUNNING  # the set in force goes on
    finally:
        w.stop()
    w2 = MultiWorker(cam01, standard("segmentation"))
    with pytest.raises(ModelError, match="run: dance models fetch"):
        w2.start()
    assert w2.source is not None and w2.status is WorkerStatus.IDLE


def test_face_and_segmentation_on_a_real_face():
    from pose.face.result import FaceResult

    w = MultiWorker(sample_path("faces/single_face.mp4"), standard("face", "segmentation"), realtime=False)
    with w:
        assert _wait(lambda: w.finished)
    assert w.status is WorkerStatus.ENDED and w.error is None and w.frames_read == 72
    for name in ("face", "segmentation"):
        s = w.pipeline_stats(name)
        assert s.runs == 72 and s.found >= 68, s  # the man is in view all along
    face, seg = w.latest("face"), w.latest("segmentation")
    assert isinstance(face.result, FaceResult) and face.result.found
    # The face is inside the person's mask.
    nose = face.result.landmarks[1, :2]  # mesh point 1: the nose tip
    m = seg.result.mask
    assert m[int(nose[1] * m.shape[0]), int(nose[0] * m.shape[1])] > 0.5


def test_body_and_hands_step_together():
    from pose.hands.result import HandsResult

    w = MultiWorker(sample_path(CAM01), standard("body", "hands"))
    out = w.process_until(0.25)
    assert {n: v.index for n, v in out.items()} == {"body": 15, "hands": 15}
    assert isinstance(out["body"].result, PoseFrame) and isinstance(out["hands"].result, HandsResult)
    w.stop()
