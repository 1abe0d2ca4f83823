"""``dance track VIDEO -o TRACK.npz [--no-smooth]``: a video's body poses as a pose track.

Every frame is processed (no dropping); timestamps are frame index / fps, so the track
lines up with the video whatever the machine's speed.

Decoding can run on a reader thread a few frames ahead of inference (``--prefetch``). By
default it does so only with 4+ CPUs: on 2 cores LiteRT's two threads and FFmpeg's
decoder already fill both, and overlapping them measured no faster (see
benchmarks/bench_track.py).

``track_video()`` is the library form (used by authoring as well).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pose.errors import DanceError
from pose.track import PoseTrack

# Overlapping decode with inference needs a core to spare (inference uses two).
PREFETCH_MIN_CPUS = 4


@dataclass(frozen=True)
class TrackRun:
    """What tracking a video took.

    frames: frames processed; wall_s: decode + pose time for all of them;
    video_s: the video's duration (frames / fps); cpu_s: CPU time of the process (all
    threads) meanwhile — steadier than wall time on a shared machine.
    """

    frames: int
    wall_s: float
    video_s: float
    cpu_s: float = 0.0

    @property
    def ms_per_frame(self) -> float:
        return self.wall_s * 1000.0 / self.frames if self.frames else 0.0

    @property
    def realtime_factor(self) -> float:
        """Video seconds processed per wall second (> 1: faster than real time)."""
        return self.video_s / self.wall_s if self.wall_s > 0 else float("inf")


def track_video(
    video: str | os.PathLike,
    *,
    smooth: bool = True,
    threads: int = 2,
    prefetch: bool | None = None,
    tracker_factory: Callable[[], object] | None = None,
    progress: bool | None = None,
) -> tuple[PoseTrack, TrackRun]:
    """Track every frame of ``video``; return the PoseTrack (T frames) and timings.

    prefetch: decode on a reader thread (None: only with 4 or more CPUs).
    progress: show a tqdm bar on stderr (None: only on a terminal).
    Raises VideoError for a bad video and ModelError for missing models.
    """
    from tqdm import tqdm

    from pose.video import open_video, prefetch as prefetched

    if prefetch is None:
        prefetch = (os.cpu_count() or 1) >= PREFETCH_MIN_CPUS
    with open_video(video) as src:
        if tracker_factory is None:
            from pose.tracker import BodyTracker

            tracker = BodyTracker(smooth=smooth, threads=threads)
        else:
            tracker = tracker_factory()
        frames = prefetched(iter(src)) if prefetch else iter(src)
        poses, times = [], []
        bar = tqdm(
            total=src.frame_count,
            unit="frame",
            desc=Path(src.name).name,
            disable=(not progress) if progress is not None else None,
            leave=False,
            file=sys.stderr,
        )
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            for f in frames:
                poses.append(tracker.process(f.rgb, f.timestamp_s))
                times.append(f.timestamp_s)
                bar.update(1)
        finally:
            wall_s = time.perf_counter() - t0
            cpu_s = time.process_time() - c0
            bar.close()
            if hasattr(frames, "close"):
                frames.close()  # stops the reader thread if we left early
        track = PoseTrack.from_frames(poses, times, src.fps, src.size)
    return track, TrackRun(len(poses), wall_s, len(poses) / src.fps, cpu_s)


def _check_output(out: Path) -> None:
    """Fail before minutes of work if the track could not be written."""
    if out.is_dir():
        raise DanceError(f"{out}: is a directory; give a file name such as {out / 'track.npz'}")
    parent = out.parent
    while not parent.exists():  # save() creates missing folders; check the first existing one
        parent = parent.parent
    if not parent.is_dir():
        raise DanceError(f"cannot write {out}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise DanceError(f"cannot write {out}: {parent} is not writable")


def run(args: argparse.Namespace) -> int:
    from pose.cli_options import apply_model_options

    apply_model_options(args)
    out = Path(args.output)
    _check_output(out)
    track, stats = track_video(
        args.video,
        smooth=args.smooth,
        threads=args.threads,
        prefetch=args.prefetch,
        progress=False if args.quiet else None,
    )
    try:
        track.save(out)
    except OSError as e:
        raise DanceError(f"cannot write {out}: {e.strerror or e}") from None
    w, h = track.size
    print(
        f"{out}: {len(track)} frames ({w}x{h} @ {track.fps:g} fps, {stats.video_s:.2f} s), "
        f"person found in {track.detection_rate:.1%}, {stats.ms_per_frame:.1f} ms/frame, "
        f"{stats.realtime_factor:.2f}x real time"
        f"{'' if args.smooth else ', unsmoothed'}"
    )
    if len(track) and not track.found.any():
        print(f"dance track: warning: nobody was found in {args.video}", file=sys.stderr)
    return 0


def _threads(text: str) -> int:
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return n


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "track",
        help="write the body-pose track of a video (.npz)",
        description="Run the body tracker over every frame of VIDEO and write the pose track.",
    )
    p.add_argument("video", metavar="VIDEO", help="video file")
    p.add_argument("-o", "--output", required=True, metavar="TRACK.npz", help="track file to write")
    p.add_argument("--no-smooth", dest="smooth", action="store_false", help="raw landmarks (no One Euro)")
    p.add_argument("--threads", type=_threads, default=2, help="inference threads (default 2)")
    p.add_argument(
        "--prefetch", action=argparse.BooleanOptionalAction, default=None,
        help=f"decode on a reader thread ahead of inference (default: with {PREFETCH_MIN_CPUS}+ CPUs)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    from pose.cli_options import add_model_options

    add_model_options(p)
    p.set_defaults(func=run)
