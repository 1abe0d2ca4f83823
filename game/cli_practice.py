"""``dance practice``: a move broken down (slowed, counted in, looped, chained, then at full speed), or the tricky-move drill (game/practice/)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pose.errors import DanceError


def _speed(text: str) -> float:
    from game.practice.audio import SPEEDS

    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if v not in SPEEDS:
        raise argparse.ArgumentTypeError(f"speed must be one of {', '.join(f'{s:g}' for s in SPEEDS)}, got {text}")
    return v


def _loops(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= v <= 50:
        raise argparse.ArgumentTypeError(f"loops must be 1..50, got {text}")
    return v


def _steps(text: str) -> tuple[str, ...]:
    from game.practice.plan import STEP_KINDS

    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    bad = [k for k in kinds if k not in STEP_KINDS]
    if bad or not kinds:
        raise argparse.ArgumentTypeError(f"steps are a comma list of {', '.join(STEP_KINDS)}; got {text!r}")
    return kinds


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("practice", help="practise a move: slowed down, counted in, looped, then chained",
                       description="Break a move down: move N alone at 0.5x, 0.75x or 1x, looped until danced "
                                   "GOOD or better twice (or a thumbs up / Y goes on), then chained with the "
                                   "move after it, then the moves around it at full speed. --tricky drills the "
                                   "player's tricky moves instead. Stored as practice, never as a played song.")
    p.add_argument("choreo", nargs="?", help="choreography .yaml (or its folder); not with --tricky")
    p.add_argument("--move", type=int, metavar="N", help="the move to practise, 1 = the first")
    p.add_argument("--tricky", action="store_true",
                   help="drill the player's tricky moves (the moves their report says to keep practising)")
    p.add_argument("--speed", type=_speed, default=0.5, help="0.5, 0.75 or 1 (default 0.5; the section is always 1)")
    p.add_argument("--steps", type=_steps, metavar="LIST",
                   help="which steps, of move,chain,section (default: all three; --tricky: move)")
    p.add_argument("--loops", type=_loops, metavar="K",
                   help="at most K loops per step (default: 6 alone, 4 chained, 2 at full speed)")
    p.add_argument("--camera", metavar="INDEX|VIDEO", help="camera index or a video file to use as the camera")
    p.add_argument("--headless", action="store_true", help="no window: practise off-screen, as fast as possible")
    p.add_argument("--record", metavar="OUT.mp4", type=Path, help="write the screen and the practice music to a video")
    p.add_argument("--player", metavar="NAME", help="who is practising (default: a guest)")
    p.add_argument("--size", type=_size_arg, default=(1280, 720), metavar="WxH", help="window size")
    p.add_argument("--latency", type=float, metavar="S", help="camera+inference latency in seconds (default: calibrated)")
    p.add_argument("--shots", type=Path, metavar="DIR", help="save a screenshot of each practice screen into DIR")
    p.set_defaults(func=run_practice)


def _size_arg(text: str) -> tuple[int, int]:
    from game.cli_play import _size

    return _size(text)


def practice_steps(args: argparse.Namespace, store_path: Path | None = None):
    """The steps the command line asks for: a move broken down, or the tricky-move drill."""
    from content.loader import load_choreography
    from game.practice import playlist
    from game.practice.scene import pick_move
    from game.scenes.context import resolve_choreography

    if args.tricky:
        if args.choreo is not None or args.move is not None:
            raise DanceError("practice --tricky picks the moves itself: leave out CHOREO and --move")
        if not args.player:
            raise DanceError("practice --tricky: say whose tricky moves with --player NAME")
        return playlist.tricky(args.player, store_path, args.speed, args.steps or ("move",), args.loops)
    if args.choreo is None or args.move is None:
        raise DanceError("practice: give a choreography and --move N (or --tricky --player NAME)")
    path = resolve_choreography(args.choreo)
    choreo = load_choreography(path)
    if choreo.mode != "dance":
        raise DanceError(f"{path}: practice is for dance songs; this is a '{choreo.mode}' song")
    pick_move(choreo, args.move)  # a wrong number is a one-line error before any window opens
    from game.practice.plan import STEP_KINDS

    return playlist.for_move(path, len(choreo.moves), args.move, args.speed, args.steps or STEP_KINDS, args.loops)


def run_practice(args: argparse.Namespace) -> int:
    from game.cli_play import _check_video_camera, _latency_s
    from game.modes import get
    from game.scenes.context import GameConfig

    steps = practice_steps(args)
    driver = os.environ.get("SDL_VIDEODRIVER", "")
    if not args.headless and driver in ("dummy", "offscreen"):
        raise DanceError(f"SDL_VIDEODRIVER={driver} shows no window; add --headless --camera FILE")
    if args.headless and args.camera is None:
        print("dance practice: error: no camera in headless mode; pass a video as the camera: --camera FILE",
              file=sys.stderr)
        return 2
    if args.camera is not None:
        _check_video_camera(args.camera)
    paths = list(dict.fromkeys(Path(s.choreo_path) for s in steps))
    cfg = GameConfig(choreographies=paths, player=args.player, camera_source=args.camera, headless=args.headless,
                     latency_s=_latency_s(args.latency, args.camera), shots_dir=args.shots, mode=get("dance").name)
    game, code, run = practice(cfg, steps, size_px=args.size, record=args.record)
    if not run.results:
        print("dance practice: the practice did not start" + (f"; camera: {game.camera_error}" if game.camera_error else ""))
        return code or 1
    rec = f"; recording {args.record}" if args.record else ""
    for r in run.results:
        tiers = ", ".join(j.tier.name for j in r.judgements) or "none"
        print(f"dance practice: {r.title}: {r.kind} '{r.move_name}' at {r.speed:g}x, {r.loops} loop(s) ({tiers}), "
              f"{'passed' if r.passed else 'keep practising'}, {r.practice_s:.1f} s")
    print(f"dance practice: {len(run.results)} of {len(run.steps)} step(s) danced; "
          f"session {game.last_session_path}{rec}")
    return code


def practice(cfg, steps, *, size_px: tuple[int, int] = (1280, 720), record: Path | None = None):
    """Run a practice of ``steps``; returns (Game, exit code, PracticeRun). A recording gets
    the practice music of every step, where that step was on screen."""
    from game.app import App
    from game.camera import NoCamera, game_camera
    from game.practice.audio import SR, mux_audio, timeline, write_wav
    from game.practice.scene import PracticeRun, first_scene
    from game.recorder import ScreenRecorder
    from game.scenes.context import Game
    from pose.paths import cache_dir

    frame_rate = 30.0 if cfg.headless else 60.0
    app = App(size_px, headless=cfg.headless, frame_rate_hz=frame_rate)
    game = Game(cfg, app=app)
    run = PracticeRun(tuple(steps))
    sink = None
    code = 0
    try:
        if record:
            sink = app.sink = ScreenRecorder(record, size_px, fps=30.0, source_fps=frame_rate)
        try:
            game_camera(app, game, loop=True)
        except NoCamera as e:
            if cfg.headless:
                raise DanceError(str(e)) from None
            game.camera_error = str(e)  # practise by watching: nothing is stored
        code = app.run(first_scene(app, game, run))
    finally:
        scene = game.play_scene
        if scene is not None and getattr(scene, "state", "done") != "done":
            scene.state = "done"
            scene._close_media()
        if game.camera is not None:
            game.camera.stop()
        if sink is not None:
            sink.close()
        app.close()
    try:
        if record is not None and sink is not None and sink.frames_written and run.music:
            # The recording's clock is its frames: each step's music goes where that step
            # began on screen, so sound and picture line up from the first frame.
            track = cache_dir() / "practice" / f"recording-{os.getpid()}.wav"
            write_wav(track, timeline([tuple(m) for m in run.music], sink.frames_written / sink.fps, SR), SR)
            try:
                mux_audio(record, track)
            finally:
                track.unlink(missing_ok=True)
    finally:
        for _, wav, _ in run.music:
            Path(wav).unlink(missing_ok=True)
    return game, code, run
