"""Dance Battle: two children on one camera, each scored as themselves.

The whole game through the real command line on real two-person footage (pose2sim's
Demo_MultiPerson, looped): step-in by side, both scored, the screen recorded, two linked
sessions stored and reported. And in-process, on the same footage with one child cut out of
the picture for a while: that child's scorer hears "nobody" (paused), never the other
child's moves, and the other child goes on being scored.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
CAMERA_FPS = 10.0


def _dance(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", DANCE_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "game.cli", *args], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=400)


def two_person_camera(out: Path, *, hide_right_from: int | None = None, hide_right_to: int | None = None) -> Path:
    """Demo_MultiPerson cam02 at 540x960, 10 fps. hide_right_*: in those frames (by index)
    the child on the RIGHT of the mirrored view (the left of the raw frame) is painted
    over with the floor colour, as if they had stepped out."""
    import cv2

    from pose.samples import sample_path

    src = cv2.VideoCapture(str(sample_path("Demo_MultiPerson/cam02.mp4")))
    fps = src.get(cv2.CAP_PROP_FPS) or 60.0
    step = max(1, int(round(fps / CAMERA_FPS)))
    w = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), CAMERA_FPS, (540, 960))
    i = k = 0
    frames = []
    while True:
        ok, frame = src.read()
        if not ok:
            break
        if i % step == 0:
            frames.append(cv2.resize(frame, (540, 960), interpolation=cv2.INTER_AREA))
        i += 1
    src.release()
    n = len(frames)
    # Loop the short clip forwards and back so the footage stays continuous.
    seq = frames + frames[-2:0:-1]
    reps = 1 if hide_right_from is None else 3
    for frame in seq * reps:
        f = frame.copy()
        if hide_right_from is not None and hide_right_from <= k < hide_right_to:
            f[:, : int(0.36 * f.shape[1])] = (128, 128, 128)
        w.write(f)
        k += 1
    w.release()
    assert n >= 10
    return out


def test_battle_is_a_mode_that_plays_the_dance_songs():
    from game.modes import get
    from game.modes.base import Mode
    from game.scenes.context import find_choreographies

    m = get("battle")
    assert m.max_people == 2 and m.content_kind == "dance" and m.step_in_scene is not None
    assert [p.name for p in m.songs(find_choreographies())] == [p.name for p in get("dance").songs(find_choreographies())]
    assert get("dance").max_people == 1
    with pytest.raises(ValueError, match="max_people"):
        Mode(name="crowd", title="Crowd", pipelines=("body",), play_scene=print, make_scorer=print, max_people=0)


def test_too_many_players_is_one_line(tmp_path):
    from game.cli import main

    cam = two_person_camera(tmp_path / "cam.mp4")
    code = main(["play", "--mode", "dance", "--camera", str(cam), "--headless", "--player", "A", "--player", "B"])
    assert code != 0


def test_kind_words_for_both_children():
    from game.modes.battle.results import BattleResult, BattleResultsScene, did_well
    from scoring.processor import SessionResult

    def result(points: int, stars: int, best=()) -> SessionResult:
        return SessionResult(total=points / 100, stars=stars, judgements=(), tier_counts={"GREAT": 2, "MISS": 1},
                             max_combo=3, best_moves=best, tips=("Reach up high!",), points=points)

    r = BattleResult((result(5200, 3, ("March",)), result(3100, 2)), ("Mia", "Leo"), (0.95, 0.9))
    assert r.champion == 0
    scene = BattleResultsScene.__new__(BattleResultsScene)  # the words only, no window
    scene.result, scene.watched, scene.labels = r, False, ("Mia", "Leo")
    assert scene.headline() == "Mia wins the battle!"
    assert scene.finish_line(0) == "Battle champion!"
    words = scene.finish_line(1) + " ".join(did_well(r.results[1]))
    assert words and not re.search(r"\b(lose|lost|loser|losing|fail|failed)\b", words.lower())
    assert did_well(r.results[1])  # stars for what they did well, always at least one
    tie = BattleResult((result(100, 1), result(100, 1)), (None, None))
    scene.result, scene.labels = tie, ("Left player", "Right player")
    assert tie.champion is None and "tie" in scene.headline()
    absent = BattleResult((result(0, 0), result(4000, 2)), ("Mia", "Leo"), (0.02, 0.9))
    scene.result, scene.labels = absent, ("Mia", "Leo")
    assert "missed you" in scene.finish_line(0) and absent.champion is None  # no winner over a missed child
    assert scene.headline() == "Great dancing, Leo!" and scene.finish_line(1) == "Super dancing!"


@pytest.mark.slow
def test_battle_plays_records_and_stores_two_linked_sessions(tmp_path):
    import cv2

    from reports.store import SessionStore

    home = tmp_path / "home"
    cam = two_person_camera(tmp_path / "camera.mp4")
    out = tmp_path / "out.mp4"
    stop_s = 9.0  # the first move (4.5-8.5 s) is judged for both children
    p = _dance(home, "play", "--mode", "battle", "--camera", str(cam), "--headless", "--record", str(out),
               "--player", "Mia", "--player", "Leo", "--stop-after", str(stop_s))
    assert p.returncode == 0, p.stderr
    line = next(ln for ln in p.stdout.splitlines() if ln.startswith("dance play:"))
    assert "[battle]" in line and "Mia" in line and "Leo" in line and str(out) in line
    cap = cv2.VideoCapture(str(out))
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(f[::8, ::8].astype(np.int16))
    assert len(frames) > 30 * stop_s
    assert np.abs(frames[-40] - frames[len(frames) // 2]).mean() > 1.0
    with SessionStore.open(home / "sessions.db") as store:
        ss = [s for s in store.sessions() if s.mode == "battle"]
        assert sorted(s.player for s in ss) == ["Leo", "Mia"]
        mia, leo = sorted(ss, key=lambda s: s.player != "Mia")
        assert mia.partner_uid == leo.uid and leo.partner_uid == mia.uid
        assert mia.moves >= 1 and leo.moves >= 1 and mia.stopped and leo.stopped
        mia_id = mia.id
    html = tmp_path / "mia.html"
    r = _dance(home, "report", "session", str(mia_id), "-o", str(html))
    assert r.returncode == 0, r.stderr
    text = html.read_text()
    assert "Mia" in text and "a battle with Leo" in text and "Dance Battle" in text
    written = sorted(str(q.relative_to(tmp_path)) for q in tmp_path.rglob("*") if q.is_file())
    assert all(w in ("camera.mp4", "out.mp4", "mia.html") or w.startswith("home/sessions.db") for w in written), written


@pytest.mark.slow
def test_a_child_out_of_the_picture_is_paused_not_scored_with_the_other(tmp_path):
    from game.cli_play import play
    from game.scenes.context import GameConfig, find_choreographies

    # Frames 20..45 of the camera (2..4.5 s of the song): the right child is gone.
    cam = two_person_camera(tmp_path / "camera.mp4", hide_right_from=20, hide_right_to=45)
    songs = [p for p in find_choreographies() if p.parent.name == "demo"]
    cfg = GameConfig(choreographies=songs, camera_source=str(cam), headless=True, stop_after_s=5.5,
                     mode="battle", players=("Mia", "Leo"), player="Mia", use_store=False, loop_camera=False,
                     shots_dir=tmp_path / "shots")
    game, code = play(cfg)
    assert code == 0
    scene = game.play_scene
    left, right = scene.sides
    assert left.poses_pushed > 0 and right.poses_pushed > 0
    # While the right child was out, their scorer heard "nobody" and the screen said so.
    assert right.frames_absent >= 15, (right.frames_absent, right.poses_pushed)
    assert left.frames_absent < right.frames_absent
    assert (tmp_path / "shots" / "4_battle_paused.png").exists()
    # Every pose given to a child's scorer was that child's. In this footage the left one
    # (mirrored view) stays within x 0.40-0.55 (kicks reach past the middle) and the right
    # one within 0.78-0.87, so 0.65 tells them apart on every frame.
    assert max(left.pushed_x) < 0.65 < min(right.pushed_x), (max(left.pushed_x), min(right.pushed_x))


def _handsfree_kit():
    """The scripted real hands of the hands-free test (tests/game/test_handsfree.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("handsfree_kit", REPO / "tests" / "game" / "test_handsfree.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_a_battle_is_started_paused_and_stopped_hands_free(tmp_path, monkeypatch):
    """Title -> Dance Battle tab -> song -> step-in Ready -> play -> Pause -> Stop, with real
    hand recordings only (no key, no mouse)."""
    from game.app import App
    from game.modes.battle.play import BattlePlayScene
    from game.modes.battle.stepin import BattleStepInScene
    from game.scenes.context import Game, GameConfig, find_choreographies
    from game.scenes.pause import PauseScene
    from game.scenes.title import CardTarget, ModeTab, TitleScene

    kit = _handsfree_kit()
    monkeypatch.setenv("DANCE_HOME", str(tmp_path / "home"))
    app = App((1280, 720), headless=True, frame_rate_hz=30.0)
    cfg = GameConfig(choreographies=find_choreographies(), camera_source=str(two_person_camera(tmp_path / "cam.mp4")),
                     headless=True, autoplay=False, loop_camera=True, player="Mia", players=("Mia", "Leo"),
                     mode="battle")
    game = Game(cfg, app=app)
    title = TitleScene(app, game)

    def centre_of(pick):
        def at(_t):
            t = next((x for x in app.top.targets() if pick(x)), None)
            return None if t is None else t.rect.center
        return at

    def top_is(cls):
        return lambda: isinstance(app.top, cls)

    def playing_for(s):
        return lambda: isinstance(game.play_scene, BattlePlayScene) and game.play_scene.state == "playing" \
            and app.top is game.play_scene and game.play_scene.song_s >= s

    centre = (640, 360)
    phases = [
        ("point at the Dance Battle tab", "Pointing_Up",
         centre_of(lambda x: isinstance(x, ModeTab) and title.modes[x.index].name == "battle"),
         lambda: title.mode.name == "battle", 6.0),
        ("point at the song's card", "Pointing_Up",
         centre_of(lambda x: isinstance(x, CardTarget) and x.index == title.selected), top_is(BattleStepInScene), 6.0),
        ("point at Ready", "Pointing_Up", centre_of(lambda x: getattr(x, "label", "") == "Ready!"),
         lambda: game.play_scene is not None, 6.0),
        ("hands down for the countdown and a bit of the song", None, lambda _t: centre, playing_for(1.0), 12.0),
        ("point at Pause", "Pointing_Up", centre_of(lambda x: getattr(x, "label", "") == "Pause"),
         top_is(PauseScene), 6.0),
        ("swipe to Stop", "Victory", lambda t: (300 + min(1.0, t / 0.35) * 700, 400),
         lambda: isinstance(app.top, PauseScene) and app.top.leave_button.focused, 6.0),
        ("hand away", None, lambda _t: centre, lambda: True, 1.0),
        ("thumbs up: stop", "Thumb_Up", lambda _t: centre, top_is(TitleScene), 6.0),
    ]
    hands = kit.ScriptedHands(app, phases)
    app.input.hands = hands
    app.on_frame.append(lambda a: a.quit(0) if hands.done else None)
    try:
        code = app.run(title, max_frames=30 * 60)
    finally:
        if game.camera is not None:
            game.camera.stop()
        app.close()
    assert code == 0 and hands.done, hands.log
    counts = app.input.counts
    assert counts and all(k.startswith("hand:") for k in counts), counts
    assert isinstance(game.play_scene, BattlePlayScene) and game.play_scene.state == "done"
    from reports.store import SessionStore

    with SessionStore.open(tmp_path / "home" / "sessions.db") as store:
        ss = [s for s in store.sessions() if s.mode == "battle"]
        assert sorted(s.player for s in ss) == ["Leo", "Mia"] and not any(s.completed for s in ss)
        assert {s.partner_uid for s in ss} == {s.uid for s in ss}


def test_a_side_is_named_from_the_profiles_screen(tmp_path, monkeypatch):
    """Tapping a side's name opens the profiles; the child picked names that side only
    (the title's own dancer stays who it was)."""
    from game.app import App
    from game.modes.battle.stepin import BattleStepInScene
    from game.scenes.context import Game, GameConfig, find_choreographies
    from game.scenes.profiles import ProfilesScene
    from reports.store import SessionStore

    monkeypatch.setenv("DANCE_HOME", str(tmp_path / "home"))
    with SessionStore.open() as store:
        store.add_player("Leo")
        store.add_player("Mia")
    app = App((1280, 720), headless=True)
    try:
        game = Game(GameConfig(choreographies=find_choreographies(), player="Mia", mode="battle"), app=app)
        step = BattleStepInScene(app, game, game.config.choreographies[0])
        app.push(step)
        assert [b.label for b in step.name_buttons] == ["Mia", "Right player"]
        step.pick_name(1)
        profiles = app.top
        assert isinstance(profiles, ProfilesScene)
        profiles.pick(next(t for t in profiles.tiles if t.name == "Leo"))
        assert app.top is step and step.names == ["Mia", "Leo"]
        assert [b.label for b in step.name_buttons] == ["Mia", "Leo"] and game.config.player == "Mia"
    finally:
        app.close()


def test_battle_songs_are_the_dance_songs_for_dance_new(tmp_path):
    from authoring.author import new_mode_choreography
    from pose.errors import DanceError

    with pytest.raises(DanceError, match="--mode dance"):
        new_mode_choreography(tmp_path / "x", "X", "battle")
