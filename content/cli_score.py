"""``dance score CHOREO.yaml PLAYER [--json]``: score a recorded dance offline.

PLAYER is a pose-track file (.npz) or a video (tracked here with the body tracker,
smoothing on). The player's recording is taken to start at song time 0 (``--start``
shifts it). Every frame goes through the same ScoreProcessor the live game uses.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

TRACK_SUFFIXES = (".npz",)


def load_player(path: Path, quiet: bool = True):
    """A pose track from a .npz file or by tracking a video. DanceError subclasses on failure."""
    from pose.errors import VideoError
    from pose.track import PoseTrack

    if path.suffix.lower() in TRACK_SUFFIXES:
        return PoseTrack.load(path)
    if not path.is_file():
        raise VideoError(f"{path}: player video not found")
    from pose.cli_track import track_video

    track, _ = track_video(path, smooth=True, progress=not quiet and sys.stderr.isatty())
    return track


def run(args: argparse.Namespace) -> int:
    from content.loader import load_choreography
    from scoring.processor import score_track

    choreo = load_choreography(args.choreography)
    ref = choreo.load_track()
    player = load_player(Path(args.player), quiet=args.json)
    result = score_track(choreo, ref, player, latency_s=args.latency, difficulty=args.difficulty,
                         time_offset_s=args.start)
    if args.json:
        json.dump(result.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print(format_table(result))
    return 0


def format_table(result) -> str:
    """A friendly text summary: stars, total, one line per move."""
    stars = "★" * result.stars + "☆" * (5 - result.stars)
    lines = [f"{result.title or 'Your dance'}: {result.total:.0f} / 100  {stars}  (best combo {result.max_combo})", ""]
    name_w = max([len(j.move_name) for j in result.judgements] + [4])
    lines.append(f"  {'move':<{name_w}}  score  judgement  timing   hint")
    for j in result.judgements:
        timing = f"{j.offset_s * 1000:+5.0f}ms"
        gold = " ✦" if j.gold else ""
        lines.append(f"  {j.move_name:<{name_w}}  {j.score:5.0f}  {j.tier.name:<9}  {timing}  {j.hint}{gold}")
    if result.best_moves:
        lines += ["", "Your best moves: " + ", ".join(result.best_moves)]
    if result.tips:
        lines += ["Next time: " + " ".join(result.tips)]
    return "\n".join(lines)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="score a recorded dance (video or pose track) against a choreography",
                       description=__doc__.split("\n\n")[1] if __doc__ else None)
    p.add_argument("choreography", metavar="CHOREO.yaml", help="choreography file")
    p.add_argument("player", metavar="PLAYER", help="the player's video or pose track (.npz)")
    p.add_argument("--json", action="store_true", help="print the score JSON")
    p.add_argument("--latency", type=float, default=0.0, metavar="S",
                   help="camera + inference delay to take off the player's clock (seconds)")
    p.add_argument("--start", type=float, default=0.0, metavar="S",
                   help="song time at which the player's recording starts (seconds)")
    p.add_argument("--difficulty", choices=("easy", "normal", "hard"), default=None,
                   help="judge at this difficulty (default: the choreography's)")
    p.set_defaults(func=run)
