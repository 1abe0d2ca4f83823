"""Latency calibration: how late the game sees the child's moves (camera + inference).

The child copies a simple move on a beat — both arms UP on one beat, DOWN on the next,
for ``CueSchedule.beats`` beats after a count-in. The cue is a known reference signal
(target arm height over time); the camera gives the measured arm height of each pose as
it *arrives* in the game. The delay that best lines the two up — the lag of the peak of
their normalised cross-correlation over 0–600 ms — is the camera + inference delay (plus
whatever the child adds, which a move-along calibration cannot and need not separate:
the scorer wants exactly the delay between the cue and the pose it receives).

Pure logic, headless and deterministic::

    cal = LatencyCalibrator(CueSchedule())          # or reference=(t_s, value) of your own
    for pose, t_s in arrivals: cal.push(pose, t_s)  # pose: PoseFrame | None; t_s on the cue clock
    res = cal.result()                              # LatencyResult: latency_s, confidence, ok
    save_latency(res, camera=0)                     # DANCE_HOME/settings.json, atomic, per camera

The scorer reads it with ``load_latency(camera)`` (seconds; 0.0 when never calibrated).
The delay is wall-clock time — a property of the camera and the machine — so it is NOT
scaled when a song is slowed down: ``latency_for_rate(rate)`` returns the same value at
any playback rate. Subtract it from a pose's wall-clock arrival time before mapping that
time onto the (slowed) song clock.

``estimate_latency`` is the signal-processing core; ``run_calibration_headless(video)``
runs the real BodyTracker over a video used as the camera; ``run_calibrate(args)`` is
``dance calibrate [--camera INDEX|VIDEO] [--headless]``; the interactive screen is
``game.scenes.calibration_scene.CalibrationScene``.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from pose.errors import DanceError
from pose.frame import PoseFrame
from pose.landmarks import INDEX
from pose.paths import dance_home

MAX_LAG_S = 0.6
GRID_STEP_S = 0.005
MIN_CONFIDENCE = 0.5  # below this a result is reported but not stored
MAX_GAP_S = 0.25  # measured samples further apart than this leave a hole, not a straight line
SETTINGS_FILE = "settings.json"
SETTINGS_KEY = "latency"


class CalibrationError(DanceError):
    """Calibration could not produce a usable figure (nobody seen, no movement, bad file)."""


# ---------------------------------------------------------------------------------------
# The cue
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CueState:
    """What the cue shows at a moment: phase is "count-in", "move" or "done".

    beat: index of the current move beat (0-based; negative during the count-in);
    arms_up: the pose the child should be in on this beat; beat_phase: [0, 1) within the
    beat (for pulsing visuals); count: the count-in number to show (3, 2, 1) or 0.
    """

    phase: str
    beat: int
    arms_up: bool
    beat_phase: float
    count: int


@dataclass(frozen=True)
class CueSchedule:
    """Arms UP on even move beats and DOWN on odd ones, after a count-in.

    bpm: 60 gives a 2 s up-down period, so any lag in 0–600 ms is unambiguous (a periodic
    cue repeats itself after one period, and anti-correlates after half of it).
    ramp_s: the modelled arm movement takes this long, centred on the beat.
    start_s: cue-clock time of the first count-in beat.
    """

    bpm: float = 60.0
    beats: int = 8
    lead_in_beats: int = 3
    ramp_s: float = 0.35
    start_s: float = 0.0

    def __post_init__(self) -> None:
        if not (self.bpm > 0 and math.isfinite(self.bpm)) or self.beats < 2 or self.lead_in_beats < 0:
            raise ValueError("CueSchedule needs bpm > 0, beats >= 2, lead_in_beats >= 0")
        if 60.0 / self.bpm * 2 < 2 * MAX_LAG_S:
            raise ValueError(f"bpm {self.bpm} is too fast: the up-down period must exceed {2 * MAX_LAG_S} s")

    @property
    def beat_s(self) -> float:
        return 60.0 / self.bpm

    @property
    def first_move_s(self) -> float:
        return self.start_s + self.lead_in_beats * self.beat_s

    @property
    def cue_times_s(self) -> np.ndarray:
        """(beats,) cue-clock times of the move beats."""
        return self.first_move_s + np.arange(self.beats) * self.beat_s

    @property
    def end_s(self) -> float:
        """The last move beat's end: the reference window is [first_move_s - beat, end_s]."""
        return self.first_move_s + self.beats * self.beat_s

    @property
    def listen_until_s(self) -> float:
        """Keep measuring this long: a late pose of the last beat arrives up to MAX_LAG_S after."""
        return self.end_s + MAX_LAG_S + 0.2

    def target(self, t_s: np.ndarray) -> np.ndarray:
        """(N,) target arm height in [0, 1] (0 = arms down, 1 = arms up) at cue times ``t_s``.

        Before the first move beat the arms are down; each move beat's transition is a
        smooth ramp of ``ramp_s`` centred on the beat; after the last beat the arms go down.
        """
        t = np.asarray(t_s, dtype=np.float64)
        level = np.zeros_like(t)
        prev = 0.0
        for k, tc in enumerate(list(self.cue_times_s) + [self.end_s]):
            new = 1.0 if (k < self.beats and k % 2 == 0) else 0.0
            x = np.clip((t - (tc - self.ramp_s / 2)) / self.ramp_s, 0.0, 1.0)
            s = x * x * (3 - 2 * x)
            level = np.where(t >= tc - self.ramp_s / 2, prev + (new - prev) * s, level)
            prev = new
        return level

    def reference(self, step_s: float = GRID_STEP_S) -> tuple[np.ndarray, np.ndarray]:
        """(t_s, value) of the reference over its window (a beat before the first cue to the end)."""
        t = np.arange(self.first_move_s - self.beat_s, self.end_s + 1e-9, step_s)
        return t, self.target(t)

    def state(self, t_s: float) -> CueState:
        rel = (t_s - self.first_move_s) / self.beat_s
        beat = math.floor(rel)
        phase = rel - beat
        if beat < 0:
            count = -beat if t_s >= self.start_s else 0
            return CueState("count-in", beat, False, phase, count)
        if beat >= self.beats:
            return CueState("done", beat, False, phase, 0)
        return CueState("move", beat, beat % 2 == 0, phase, 0)


# ---------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------
def arm_height(frame: PoseFrame | None, min_visibility: float = 0.3) -> float:
    """How high both hands are: mean (shoulder y - wrist y) / torso length, in pixels.

    About -1 with arms hanging down, +1 with arms straight up; scale-free, so the child's
    distance from the camera does not matter. NaN when nobody or the arms/torso are hidden.
    """
    if frame is None:
        return float("nan")
    xy = frame.xy_px().astype(np.float64)
    vis = frame.visibility
    sh = [INDEX["left_shoulder"], INDEX["right_shoulder"]]
    hp = [INDEX["left_hip"], INDEX["right_hip"]]
    torso = float(np.linalg.norm(xy[sh].mean(0) - xy[hp].mean(0)))
    if not np.isfinite(torso) or torso < 1.0 or vis[sh + hp].min() < min_visibility:
        return float("nan")
    heights = []
    for side in ("left", "right"):
        s, w = INDEX[f"{side}_shoulder"], INDEX[f"{side}_wrist"]
        if vis[w] >= min_visibility:
            heights.append((xy[s, 1] - xy[w, 1]) / torso)
    return float(np.mean(heights)) if heights else float("nan")


@dataclass(frozen=True)
class LatencyResult:
    """A latency measurement.

    latency_s: the delay (0 .. MAX_LAG_S); correlation: Pearson r at that lag (-1..1);
    coverage: fraction of the reference window with measurements; confidence: 0..1
    (correlation x coverage, halved when the peak sits on the longest lag searched); lags_s, curve:
    the whole correlation curve (for plots and tests); n_samples: measurements used.
    """

    latency_s: float
    confidence: float
    correlation: float
    coverage: float
    n_samples: int
    lags_s: np.ndarray = field(repr=False, compare=False)
    curve: np.ndarray = field(repr=False, compare=False)

    @property
    def latency_ms(self) -> float:
        return self.latency_s * 1000.0

    @property
    def ok(self) -> bool:
        return self.confidence >= MIN_CONFIDENCE

    def summary(self) -> str:
        verdict = "ok" if self.ok else "not confident"
        return (f"latency {self.latency_ms:.0f} ms (confidence {self.confidence:.2f}: r={self.correlation:.2f}, "
                f"coverage {self.coverage:.0%}, {self.n_samples} poses) - {verdict}")


def _resample(t: np.ndarray, v: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Linear interpolation onto ``grid``; NaN outside the data and across gaps > MAX_GAP_S."""
    out = np.full(grid.shape, np.nan)
    if t.size < 2:
        return out
    inside = (grid >= t[0]) & (grid <= t[-1])
    out[inside] = np.interp(grid[inside], t, v)
    # Knock out grid points whose bracketing samples are too far apart.
    j = np.clip(np.searchsorted(t, grid, side="right"), 1, t.size - 1)
    gap = t[j] - t[j - 1]
    out[gap > MAX_GAP_S] = np.nan
    return out


def estimate_latency(ref_t_s: np.ndarray, ref_v: np.ndarray, meas_t_s: np.ndarray, meas_v: np.ndarray,
                     max_lag_s: float = MAX_LAG_S, step_s: float = GRID_STEP_S) -> LatencyResult:
    """The lag in [0, max_lag_s] at which the measured signal best matches the reference.

    ref_t_s, ref_v: (R,) the reference (cue) signal; meas_t_s, meas_v: (M,) measurements
    (NaN = missing) at their arrival times on the same clock. For each lag L, the Pearson
    correlation between ref(t) and meas(t + L) over the reference window (where measured);
    the peak is refined to sub-grid precision with a parabola through its neighbours.
    Pearson correlation ignores offset and gain, so the child's arm range does not matter.
    """
    rt, rv = np.asarray(ref_t_s, np.float64), np.asarray(ref_v, np.float64)
    mt, mv = np.asarray(meas_t_s, np.float64), np.asarray(meas_v, np.float64)
    if rt.shape != rv.shape or mt.shape != mv.shape or rt.ndim != 1 or mt.ndim != 1:
        raise ValueError("reference and measurement must be 1-D (t, value) pairs of equal length")
    keep = np.isfinite(mt) & np.isfinite(mv)
    mt, mv = mt[keep], mv[keep]
    order = np.argsort(mt, kind="stable")
    mt, mv = mt[order], mv[order]
    grid = np.arange(rt.min(), rt.max() + 1e-9, step_s)
    ref = np.interp(grid, rt, rv)
    lags = np.arange(0.0, max_lag_s + 1e-9, step_s)
    if mt.size < 4 or np.std(ref) < 1e-9:
        return LatencyResult(0.0, 0.0, 0.0, 0.0, int(mt.size), lags, np.zeros_like(lags))
    # meas(t + L) for every lag at once: one resample over the extended grid, then windows.
    ext = np.arange(grid[0], grid[-1] + max_lag_s + step_s, step_s)[: grid.size + lags.size - 1]
    m_ext = _resample(mt, mv, ext)
    curve = np.full(lags.size, np.nan)
    min_pairs = max(8, int(0.3 * grid.size))
    for k in range(lags.size):
        y = m_ext[k:k + grid.size]
        ok = np.isfinite(y)
        if ok.sum() < min_pairs:
            continue
        a, b = ref[ok] - ref[ok].mean(), y[ok] - y[ok].mean()
        den = math.sqrt(float(a @ a) * float(b @ b))
        if den > 1e-12:
            curve[k] = float(a @ b) / den
    if not np.isfinite(curve).any():
        return LatencyResult(0.0, 0.0, 0.0, 0.0, int(mt.size), lags, np.nan_to_num(curve))
    k = int(np.nanargmax(curve))
    best = lags[k]
    if 0 < k < lags.size - 1 and np.isfinite(curve[k - 1]) and np.isfinite(curve[k + 1]):
        c0, c1, c2 = curve[k - 1], curve[k], curve[k + 1]
        den = c0 - 2 * c1 + c2
        if den < 0:
            best += 0.5 * (c0 - c2) / den * step_s
    r = float(curve[k])
    y = m_ext[k:k + grid.size]
    coverage = float(np.isfinite(y).mean())
    confidence = max(0.0, r) * min(1.0, coverage / 0.8)
    if k == lags.size - 1:
        confidence *= 0.5  # the true delay may lie beyond the search range
    return LatencyResult(float(np.clip(best, 0.0, max_lag_s)), float(confidence), r, coverage,
                         int(mt.size), lags, np.nan_to_num(curve, nan=-1.0))


class LatencyCalibrator:
    """Collects measured arm heights against a cue and estimates the delay.

    schedule: the CueSchedule the child follows; or reference: (t_s, value) arrays of any
    known reference signal on the same clock as the pushed times. measure: PoseFrame ->
    float signal (default ``arm_height``).
    """

    def __init__(self, schedule: CueSchedule | None = None,
                 reference: tuple[np.ndarray, np.ndarray] | None = None,
                 measure: Callable[[PoseFrame | None], float] = arm_height,
                 max_lag_s: float = MAX_LAG_S) -> None:
        if reference is None:
            schedule = schedule or CueSchedule()
            reference = schedule.reference()
        self.schedule = schedule
        self.ref_t_s = np.asarray(reference[0], np.float64)
        self.ref_v = np.asarray(reference[1], np.float64)
        if self.ref_t_s.ndim != 1 or self.ref_t_s.shape != self.ref_v.shape or self.ref_t_s.size < 2:
            raise ValueError("reference must be two 1-D arrays (t_s, value) of equal length >= 2")
        self.measure = measure
        self.max_lag_s = float(max_lag_s)
        self._t: list[float] = []
        self._v: list[float] = []
        self.pushed = 0
        self.seen = 0  # pushes with a usable measurement

    def push(self, frame: PoseFrame | None, t_s: float) -> float:
        """One pose (None = nobody) that arrived at cue-clock time ``t_s``; returns its signal."""
        v = self.measure(frame)
        self.pushed += 1
        if math.isfinite(v) and math.isfinite(t_s):
            self._t.append(float(t_s))
            self._v.append(float(v))
            self.seen += 1
        return v

    def done(self, t_s: float) -> bool:
        """Enough listening: the reference window plus the longest lag has passed."""
        return t_s >= self.ref_t_s[-1] + self.max_lag_s + 0.2

    def signal(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self._t), np.asarray(self._v)

    def result(self) -> LatencyResult:
        return estimate_latency(self.ref_t_s, self.ref_v, *self.signal(), max_lag_s=self.max_lag_s)


# ---------------------------------------------------------------------------------------
# Settings: per machine, per camera
# ---------------------------------------------------------------------------------------
def settings_path() -> Path:
    return dance_home() / SETTINGS_FILE


def camera_key(camera: int | str | os.PathLike | None) -> str:
    """A stable key for a camera: "camera:0" for an index, "video:NAME" for a file, "default"."""
    if camera is None:
        return "default"
    if isinstance(camera, int) or (isinstance(camera, str) and camera.isdigit()):
        return f"camera:{int(camera)}"
    return f"video:{Path(camera).name}"


def _read_settings(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # a corrupt settings file must never stop the game; the next save replaces it
    return data if isinstance(data, dict) else {}


def _write_settings(path: Path, data: dict[str, Any]) -> None:
    """Atomic: write a temp file in the same folder, then rename over the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_latency(result: LatencyResult | float, camera: int | str | None = None,
                 confidence: float | None = None) -> Path:
    """Store a latency for ``camera`` (and as "default") in DANCE_HOME/settings.json.

    Other keys in the settings file are kept. Returns the settings path.
    """
    if isinstance(result, LatencyResult):
        latency_s, conf = result.latency_s, result.confidence
    else:
        latency_s, conf = float(result), 1.0 if confidence is None else float(confidence)
    if not (math.isfinite(latency_s) and 0.0 <= latency_s <= 5.0):
        raise CalibrationError(f"latency must be between 0 and 5 s, got {latency_s}")
    path = settings_path()
    data = _read_settings(path)
    table = data.get(SETTINGS_KEY)
    table = dict(table) if isinstance(table, dict) else {}
    entry = {"latency_s": round(latency_s, 4), "confidence": round(conf, 3),
             "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    table[camera_key(camera)] = entry
    table["default"] = entry
    data[SETTINGS_KEY] = table
    _write_settings(path, data)
    return path


def stored_latency(camera: int | str | None = None) -> dict[str, Any] | None:
    """The stored entry for ``camera`` (falling back to "default"), or None."""
    table = _read_settings(settings_path()).get(SETTINGS_KEY)
    if not isinstance(table, dict):
        return None
    for key in (camera_key(camera), "default"):
        entry = table.get(key)
        if isinstance(entry, dict) and isinstance(entry.get("latency_s"), (int, float)):
            v = float(entry["latency_s"])
            if math.isfinite(v) and 0.0 <= v <= 5.0:
                return entry
    return None


def load_latency(camera: int | str | None = None, default_s: float = 0.0) -> float:
    """The calibrated camera + inference delay in seconds (``default_s`` if never calibrated)."""
    entry = stored_latency(camera)
    return float(entry["latency_s"]) if entry else float(default_s)


def latency_for_rate(playback_rate: float, camera: int | str | None = None, latency_s: float | None = None) -> float:
    """The latency to use when the song plays at ``playback_rate`` (0.5 = half speed).

    Deliberately the same at every rate: the delay is the camera's and the computer's,
    in wall-clock seconds, and a slowed song does not make either of them slower.
    """
    if not (isinstance(playback_rate, (int, float)) and math.isfinite(playback_rate) and playback_rate > 0):
        raise ValueError(f"playback rate must be > 0, got {playback_rate}")
    return load_latency(camera) if latency_s is None else float(latency_s)


# ---------------------------------------------------------------------------------------
# Running it
# ---------------------------------------------------------------------------------------
def run_calibration_headless(video_path: str | os.PathLike, schedule: CueSchedule | None = None,
                             tracker: Any = None, delay_frames: int = 0,
                             reference: tuple[np.ndarray, np.ndarray] | None = None) -> LatencyResult:
    """Calibrate with a video file as the camera: the cue starts with the video.

    Each frame's pose "arrives" at its media time (+ ``delay_frames`` frame periods, to
    simulate a slow camera). tracker: a BodyTracker-like object (default: the real one).
    """
    from pose.video import open_video

    path = Path(video_path)
    if not path.is_file():
        raise CalibrationError(f"{path}: no such video")
    if tracker is None:
        from pose.tracker import BodyTracker

        tracker = BodyTracker(threads=2)
    cal = LatencyCalibrator(schedule, reference=reference)
    with open_video(path) as src:
        fps = getattr(src, "fps", None) or 30.0
        for vf in src:
            pose = tracker.process(vf.rgb, vf.timestamp_s)
            cal.push(pose, vf.timestamp_s + delay_frames / fps)
            if cal.done(vf.timestamp_s):
                break
    if cal.seen == 0:
        raise CalibrationError(f"{path.name}: nobody was seen - the whole body must be in the picture")
    return cal.result()


def run_calibrate(args: Any) -> int:
    """``dance calibrate [--camera INDEX|VIDEO] [--headless]``: measure, print, store if confident."""
    camera = getattr(args, "camera", None)
    headless = bool(getattr(args, "headless", False))
    is_file = camera is not None and not str(camera).isdigit()
    if headless or is_file:
        if not is_file:
            raise CalibrationError("headless calibration needs a video file as the camera: --camera FILE")
        res = run_calibration_headless(camera)
    else:
        res = _run_interactive(0 if camera is None else int(camera))
        if res is None:
            print("dance calibrate: cancelled")
            return 1
    print(f"dance calibrate: {camera_key(camera)}: {res.summary()}")
    if res.ok:
        path = save_latency(res, camera)
        print(f"dance calibrate: stored in {path}")
        return 0
    print("dance calibrate: not stored (try again with the whole body in view, moving on the beat)")
    return 1


def _run_interactive(camera_index: int) -> LatencyResult | None:
    from game.app import App
    from game.camera import Camera
    from game.scenes.calibration_scene import CalibrationScene

    app = App(title="DanceStudio - calibration")
    cam = Camera(camera_index)
    cam.start(loop=False)
    scene = CalibrationScene(app, cam)
    try:
        app.run(scene)
    finally:
        cam.stop()
    return scene.result
