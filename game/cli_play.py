"""``dance play`` (the game) and ``dance calibrate`` (latency calibration, game/calibration.py)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from typing import TYPE_CHECKING

from pose.cli_options import add_model_options, apply_model_options
from pose.errors import DanceError

if TYPE_CHECKING:
    from game.scenes.context import Game, GameConfig

DIFFICULTIES = ("easy", "normal", "hard")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1280x720, got {text!r}") from None
    if not (320 <= w <= 7680 and 240 <= h <= 4320):
        raise argparse.ArgumentTypeError(f"size {w}x{h} is out of range (320x240 .. 7680x4320)")
    return w, h


def _positive(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not v > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return v


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("play", help="play the dance game (default: the bundled demo)",
                       description="Play a choreography with the camera (or a video as the camera).")
    p.add_argument("choreo", nargs="?", help="choreography .yaml (or its folder); default: the picker")
    p.add_argument("--camera", metavar="INDEX|VIDEO", help="camera index or a video file to use as the camera")
    p.add_argument("--headless", action="store_true", help="no window: play the whole song off-screen, as fast as possible")
    p.add_argument("--record", metavar="OUT.mp4", type=Path, help="write what the screen showed to a video")
    p.add_argument("--player", metavar="NAME", action="append",
                   help="who is dancing (default: pick on the title screen; headless: a guest, not counted in class "
                        "reports); --mode battle takes two: --player LEFT --player RIGHT")
    p.add_argument("--difficulty", choices=DIFFICULTIES, help="override the choreography's difficulty")
    p.add_argument("--size", type=_size, default=(1280, 720), metavar="WxH", help="window size (default 1280x720)")
    p.add_argument("--latency", type=float, metavar="S", help="camera+inference latency in seconds (default: calibrated)")
    p.add_argument("--stop-after", type=_positive, metavar="S", help="end the song after S seconds")
    p.add_argument("--loop-camera", action=argparse.BooleanOptionalAction, default=None,
                   help="a video camera restarts at its end (default: when the video is shorter than the song)")
    p.add_argument("--shots", type=Path, metavar="DIR", help="save a screenshot of each scene into DIR")
    p.add_argument("--mode", metavar="NAME", help="game mode (see `dance modes`; default: the song's, else dance)")
    p.add_argument("--hands-free", action="store_true",
                   help="the camera also follows the child's hands: point and hold to press, palm up pauses")
    p.add_argument("--cutout", action=argparse.BooleanOptionalAction, default=None,
                   help="dance mode: show the child cut out onto the coach's stage (default: as the song says)")
    p.add_argument("--hands", type=Path, metavar="TRACK.npz",
                   help="drive the menus hands-free from a hands track (dance track --what hands)")
    p.add_argument("--server", metavar="URL", help="a class server to upload sessions to (needs --device-token)")
    p.add_argument("--device-token", metavar="T", help="this device's token, made by a teacher in the class dashboard")
    add_model_options(p)
    p.set_defaults(func=run_play)

    c = sub.add_parser("calibrate", help="measure camera + inference latency (stored per machine)")
    c.add_argument("--camera", metavar="INDEX|VIDEO", help="camera index or a video file")
    c.add_argument("--headless", action="store_true", help="no window")
    c.set_defaults(func=run_calibrate)


def _latency_s(explicit: float | None, camera: str | None) -> float:
    """--latency, else the delay ``dance calibrate`` stored for this camera (0.0 if never)."""
    if explicit is not None:
        return float(explicit)
    from game.camera import is_camera_index

    if camera is not None and not is_camera_index(camera):
        # A video as the camera is paced by the song clock and its poses carry media
        # timestamps: there is no capture delay to undo.
        return 0.0
    from game.calibration import load_latency

    return load_latency(camera)


def _check_video_camera(camera: str) -> None:
    """A video given as the camera must open and decode (VideoError otherwise); a camera
    index is left to the game, which shows its no-camera screen."""
    from game.camera import is_camera_index
    from pose.video import open_video

    if not is_camera_index(camera):
        open_video(camera).close()


def run_play(args: argparse.Namespace) -> int:
    from game.scenes.context import GameConfig, find_choreographies, resolve_choreography

    from game.modes import get

    extra = [resolve_choreography(args.choreo)] if args.choreo else []
    mode_name = args.mode
    if extra:
        # A choreography named on the command line is checked at the door: its errors are
        # the answer, not a greyed-out card or a song that never starts.
        from content.loader import load_choreography

        song = load_choreography(extra[0])
        if mode_name is None:
            mode_name = song.mode
        elif not get(mode_name).plays(song.mode):
            raise DanceError(f"{extra[0]}: a '{song.mode}' song; mode '{mode_name}' cannot play it "
                             f"(try --mode {song.mode})")
    mode = get(mode_name or "dance")  # an unknown mode is a one-line error listing the modes
    apply_model_options(args, mode=mode.name, pipelines=mode.pipelines)  # before any model loads
    if args.camera is not None:
        _check_video_camera(args.camera)
    choreos = find_choreographies(extra)
    if not choreos:
        raise DanceError("no choreography found: pass one (dance play DIR/dance.yaml) or run `make setup`")
    driver = os.environ.get("SDL_VIDEODRIVER", "")
    if not args.headless and driver in ("dummy", "offscreen"):
        # SDL would draw into nothing and wait for keys nobody can press, forever.
        raise DanceError(f"SDL_VIDEODRIVER={driver} shows no window; to play off-screen add --headless --camera FILE, "
                         "or unset SDL_VIDEODRIVER to open the game window")
    if args.headless and args.camera is None:
        print("dance play: error: no camera in headless mode; pass a video as the camera: --camera FILE",
              file=sys.stderr)
        return 2
    names = list(args.player or [])
    if len(names) > max(1, mode.max_people):
        hint = " (two dancers at once: --mode battle)" if mode.max_people == 1 else ""
        raise DanceError(f"mode '{mode.name}' takes at most {max(1, mode.max_people)} --player, "
                         f"got {len(names)}{hint}")
    cfg = GameConfig(
        choreographies=choreos,
        selected=0,
        player=names[0] if names else None,
        players=tuple(names) if mode.max_people > 1 else (),
        difficulty=args.difficulty,
        camera_source=args.camera,
        headless=args.headless,
        stop_after_s=args.stop_after,
        latency_s=_latency_s(args.latency, args.camera),
        shots_dir=args.shots,
        loop_camera=args.loop_camera,
        mode=mode.name,
    )
    cfg.hands_free = bool(args.hands_free)
    cfg.cutout = args.cutout
    if args.hands is not None:
        from game.input.sources import HandTrackSource

        cfg.hand_source = HandTrackSource.load(args.hands)
    mine = mode.songs(choreos)
    if args.choreo is not None:
        cfg.selected = choreos.index(extra[0])
    elif mine:
        demo = [p for p in mine if p.parent.name == "demo"]
        cfg.selected = choreos.index(demo[0] if demo else mine[0])
    elif args.headless:
        raise DanceError(f"no song for mode '{mode.name}': make one with `dance new DIR --mode {mode.name}`")
    sync = _start_sync(args)
    try:
        game, code = play(cfg, size_px=args.size, record=args.record)
    finally:
        sync_line = _finish_sync(sync)
    if args.headless:
        print(summary(game, args.record))
    if sync_line:
        print(sync_line, file=sys.stderr if sync_line.startswith("dance play:") else sys.stdout)
    return code


def _start_sync(args: argparse.Namespace):
    """Sessions go to the class server in the background while the child plays; the
    device's own store stays the source of truth (offline play just queues them)."""
    if (args.server is None) != (args.device_token is None):
        raise DanceError("--server and --device-token go together (a teacher makes the token in the class dashboard)")
    if args.server is None:
        return None
    from server.client import BackgroundSync, SyncClient

    return BackgroundSync(SyncClient(args.server, args.device_token)).start()


def _finish_sync(sync) -> str | None:
    if sync is None:
        return None
    rep = sync.stop(final_sync=True)
    sync.client.close()
    if rep is None:
        return None
    if rep.error:
        return f"dance play: class server: {rep.error}"
    if rep.pending:
        return f"class server: {rep.pending} session(s) still queued; they upload at the next sync"
    return "class server: every session uploaded"


def play(cfg: "GameConfig", *, size_px: tuple[int, int] = (1280, 720), record: Path | None = None,
         max_frames: int | None = None) -> tuple["Game", int]:
    """Run the game with ``cfg``; returns (Game, exit code). Used by the CLI, tests and the benchmark."""
    from game.app import App
    from game.recorder import ScreenRecorder
    from game.scenes.context import Game
    from game.scenes.title import TitleScene

    frame_rate = 30.0 if cfg.headless else 60.0  # headless draws at the recording rate
    app = App(size_px, headless=cfg.headless, frame_rate_hz=frame_rate)
    app.input.hands = cfg.hand_source
    game = Game(cfg, app=app)
    sink = None
    code = 0
    try:
        if record:
            sink = app.sink = ScreenRecorder(record, size_px, fps=30.0, source_fps=frame_rate)
        code = app.run(TitleScene(app, game), max_frames=max_frames)
    finally:
        if game.play_scene is not None and game.play_scene.state != "done":
            game.play_scene.state = "done"
            game.play_scene._close_media()
        if game.camera is not None:
            game.camera.stop()
        if sink is not None:
            sink.close()
        app.close()
    return game, code


def summary(game, record: Path | None) -> str:
    r = game.last_result
    if r is not None and hasattr(r, "results"):
        return _battle_summary(game, r, record)
    if r is None:
        return "dance play: the song did not finish" + (f"; camera: {game.camera_error}" if game.camera_error else "")
    tiers = ", ".join(f"{n} {c}" for n, c in r.tier_counts.items() if c)
    scene = game.play_scene
    extra = ""
    if scene is not None:
        extra = f"; particles peak {scene.stats['max_particles']}"
    rec = ""
    if record is not None and game.app.sink is not None:
        rec = f"; recording {record} ({game.app.sink.frames_written} frames)"
    from scoring.judge import format_points

    mode = f" [{game.config.mode}]" if game.config.mode != "dance" else ""
    stopped = f", stopped at {r.stopped_at_s:.1f} s" if r.stopped_at_s is not None else ""
    return (f"dance play: {r.title or 'dance'}{mode}: {format_points(r.points)} points, {r.stars} stars, "
            f"{len(r.judgements)} moves ({tiers}){stopped}{extra}; session {game.last_session_path}{rec}")


def run_calibrate(args: argparse.Namespace) -> int:
    from game.calibration import run_calibrate

    return int(run_calibrate(args) or 0)


def _battle_summary(game, battle, record: Path | None) -> str:
    """One line for a battle: each child's own points, stars and moves, and the sessions."""
    from game.modes.battle.play import shown_name
    from scoring.judge import format_points

    parts = []
    for slot, (name, r) in enumerate(zip(battle.names, battle.results)):
        tiers = ", ".join(f"{n} {c}" for n, c in r.tier_counts.items() if c)
        parts.append(f"{shown_name(name, slot)} {format_points(r.points)} points, {r.stars} stars, "
                     f"{len(r.judgements)} moves ({tiers})")
    stopped = battle.results[0].stopped_at_s
    stop = f", stopped at {stopped:.1f} s" if stopped is not None else ""
    ids = ", ".join(str(i) for i in battle.session_ids if i is not None)
    rec = ""
    if record is not None and game.app.sink is not None:
        rec = f"; recording {record} ({game.app.sink.frames_written} frames)"
    return (f"dance play: {battle.title or 'dance'} [{game.config.mode}]: {' vs '.join(parts)}{stop}; "
            f"sessions {ids or 'not stored'} in {game.last_session_path}{rec}")
