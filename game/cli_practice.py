"""``dance practice``: one move of a song, slowed, counted in and looped (game/practice/)."""
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


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("practice", help="practise one move: slowed down, counted in, looped",
                       description="Practise move N of a choreography at 0.5x, 0.75x or 1x; it loops until "
                                   "danced GOOD or better twice (or --loops times). Stored as practice, "
                                   "never as a played song.")
    p.add_argument("choreo", help="choreography .yaml (or its folder)")
    p.add_argument("--move", type=int, required=True, metavar="N", help="the move to practise, 1 = the first")
    p.add_argument("--speed", type=_speed, default=0.5, help="0.5, 0.75 or 1 (default 0.5)")
    p.add_argument("--loops", type=_loops, default=6, metavar="K", help="stop after K loops (default 6)")
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


def run_practice(args: argparse.Namespace) -> int:
    from content.loader import load_choreography
    from game.cli_play import _check_video_camera, _latency_s
    from game.modes import get
    from game.practice.scene import pick_move
    from game.scenes.context import GameConfig, resolve_choreography

    path = resolve_choreography(args.choreo)
    choreo = load_choreography(path)
    if choreo.mode != "dance":
        raise DanceError(f"{path}: practice is for dance songs; this is a '{choreo.mode}' song")
    pick_move(choreo, args.move)  # a wrong number is a one-line error before any window opens
    driver = os.environ.get("SDL_VIDEODRIVER", "")
    if not args.headless and driver in ("dummy", "offscreen"):
        raise DanceError(f"SDL_VIDEODRIVER={driver} shows no window; add --headless --camera FILE")
    if args.headless and args.camera is None:
        print("dance practice: error: no camera in headless mode; pass a video as the camera: --camera FILE",
              file=sys.stderr)
        return 2
    if args.camera is not None:
        _check_video_camera(args.camera)
    cfg = GameConfig(choreographies=[path], player=args.player, camera_source=args.camera, headless=args.headless,
                     latency_s=_latency_s(args.latency, args.camera), shots_dir=args.shots, mode=get("dance").name)
    game, code = practice(cfg, path, args.move, args.speed, args.loops, size_px=args.size, record=args.record)
    r = game.last_result
    if r is None:
        print("dance practice: the practice did not start" + (f"; camera: {game.camera_error}" if game.camera_error else ""))
        return code or 1
    tiers = ", ".join(j.tier.name for j in r.judgements) or "none"
    rec = f"; recording {args.record}" if args.record else ""
    print(f"dance practice: {r.title}: '{r.move_name}' at {r.speed:g}x, {r.loops} loop(s) ({tiers}), "
          f"{'passed' if r.passed else 'keep practising'}, {r.practice_s:.1f} s; session {game.last_session_path}{rec}")
    return code


def practice(cfg, choreo_path: Path, move_number: int, speed: float, loops: int, *,
             size_px: tuple[int, int] = (1280, 720), record: Path | None = None):
    """Run one practice; returns (Game, exit code). The recording gets the practice music."""
    from game.app import App
    from game.camera import NoCamera, game_camera
    from game.practice.audio import mux_audio
    from game.practice.scene import PracticeScene
    from game.recorder import ScreenRecorder
    from game.scenes.context import Game

    frame_rate = 30.0 if cfg.headless else 60.0
    app = App(size_px, headless=cfg.headless, frame_rate_hz=frame_rate)
    game = Game(cfg, app=app)
    sink = None
    code = 0
    scene = None
    try:
        if record:
            sink = app.sink = ScreenRecorder(record, size_px, fps=30.0, source_fps=frame_rate)
        try:
            game_camera(app, game, loop=True)
        except NoCamera as e:
            if cfg.headless:
                raise DanceError(str(e)) from None
            game.camera_error = str(e)  # practise by watching: nothing is stored
        scene = PracticeScene(app, game, choreo_path, move_number, speed, loops)
        code = app.run(scene)
    finally:
        if scene is not None and scene.state != "done":
            scene.state = "done"
            scene._close_media()
        if game.camera is not None:
            game.camera.stop()
        if sink is not None:
            sink.close()
        app.close()
    if record is not None and scene is not None and sink is not None and sink.frames_written:
        # The headless clock is the recording's: practice second s is at frame 30 s, so the
        # practice music lines up with the picture from the first frame.
        mux_audio(record, scene.audio_path)
    if scene is not None:
        scene.audio_path.unlink(missing_ok=True)
    return game, code
