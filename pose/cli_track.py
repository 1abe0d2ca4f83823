"""``dance track VIDEO -o OUT.npz [--what body|face|hands|segmentation] [--no-smooth]``.

The default, ``body``, writes a video's body poses as a pose track (pose/track.py); the
other kinds are written by the writers registered in pose/track_kinds.py.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pose import track_kinds
from pose.errors import DanceError
from pose.track import PoseTrack
from pose.track_kinds import PREFETCH_MIN_CPUS, TrackOptions


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
    if tracker_factory is None:
        from pose.tracker import BodyTracker

        def tracker_factory() -> object:
            return BodyTracker(smooth=smooth, threads=threads)

    from pose.video import open_video

    open_video(video).close()  # a bad video fails before the models load
    tracker = tracker_factory()
    run = track_kinds.run_video(video, tracker.process, prefetch=prefetch, progress=progress)
    track = PoseTrack.from_frames(run.results, run.t, run.fps, run.size)
    return track, TrackRun(len(run.results), run.wall_s, run.video_s, run.cpu_s)


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


def write_body_track(video: Path, out: Path, opts: TrackOptions) -> str:
    """The ``body`` kind: the pose track of architecture.md (plus ``kind``)."""
    track, stats = track_video(video, smooth=opts.smooth, threads=opts.threads, prefetch=opts.prefetch,
                               progress=opts.progress)
    try:
        track.save(out)
    except OSError as e:
        raise DanceError(f"cannot write {out}: {e.strerror or e}") from None
    if len(track) and not track.found.any():
        print(f"dance track: warning: nobody was found in {video}", file=sys.stderr)
    w, h = track.size
    return (f"{out}: {len(track)} frames ({w}x{h} @ {track.fps:g} fps, {stats.video_s:.2f} s), "
            f"person found in {track.detection_rate:.1%}, {stats.ms_per_frame:.1f} ms/frame, "
            f"{stats.realtime_factor:.2f}x real time"
            f"{'' if opts.smooth else ', unsmoothed'}")


track_kinds.register("body", write_body_track)


def run(args: argparse.Namespace) -> int:
    from pose.cli_options import apply_model_options

    apply_model_options(args)
    out = Path(args.output)
    writer = track_kinds.writer_for(args.what)  # an unavailable kind fails before any work
    _check_output(out)
    opts = TrackOptions(smooth=args.smooth, threads=args.threads, prefetch=args.prefetch,
                        progress=False if args.quiet else None)
    print(writer(Path(args.video), out, opts))
    return 0


def _threads(text: str) -> int:
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return n


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "track",
        help="write the body (face, hands, segmentation) track of a video (.npz)",
        description="Run a tracker over every frame of VIDEO and write its track (fields: docs/tracks.md).",
    )
    p.add_argument("video", metavar="VIDEO", help="video file")
    p.add_argument("-o", "--output", required=True, metavar="OUT.npz", help="track file to write")
    p.add_argument("--what", choices=track_kinds.KINDS, default="body",
                   help="what to track (default body, the pose track)")
    p.add_argument("--no-smooth", dest="smooth", action="store_false", help="raw landmarks (no temporal filters)")
    p.add_argument("--threads", type=_threads, default=2, help="inference threads (default 2)")
    p.add_argument(
        "--prefetch", action=argparse.BooleanOptionalAction, default=None,
        help=f"decode on a reader thread ahead of inference (default: with {PREFETCH_MIN_CPUS}+ CPUs)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    from pose.cli_options import add_model_options

    add_model_options(p)
    p.set_defaults(func=run)
