"""Practice as the child meets it: a move broken down (alone, chained, the section at full
speed), the spoken "five, six, seven, eight" on the slowed beats, "drill my tricky moves"
from the store, and the ways in: the title's move picker, the results screen's buttons,
the keyboard and the hands' actions.

Real parts: pygame on the dummy driver, the demo song and its coach video, eSpeak NG's
voice, audiotsm, the SQLite store, the mode's real scorer.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from game.practice.plan import PracticeStep, programme, section_moves  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "choreographies" / "demo" / "demo.yaml"
SR = 44_100


# -- the progression ------------------------------------------------------------------------
@pytest.mark.parametrize("n, move, chain, section", [
    (8, 1, (1, 2), (1, 2, 3)),
    (8, 4, (4, 5), (3, 4, 5)),
    (8, 8, (7, 8), (6, 7, 8)),
    (2, 2, (1, 2), (1, 2)),
    (3, 2, (2, 3), (1, 2, 3)),
])
def test_a_move_is_chained_with_its_neighbour_then_danced_in_its_section(n, move, chain, section):
    assert section_moves(n, move) == (chain, section)
    steps = programme("song.yaml", n, move, 0.5)
    assert [(s.kind, s.moves, s.speed, s.loops_to_pass) for s in steps] == [
        ("move", (move,), 0.5, 2), ("chain", chain, 0.5, 2), ("section", section, 1.0, 1)]


def test_a_one_move_song_has_only_the_move_and_its_full_speed_run():
    steps = programme("song.yaml", 1, 1, 0.5)
    assert [(s.kind, s.moves, s.speed) for s in steps] == [("move", (1,), 0.5), ("section", (1,), 1.0)]
    assert [s.kind for s in programme("song.yaml", 1, 1, 1.0)] == ["move"]  # 1x alone is the section


def test_steps_reject_what_makes_no_sense():
    with pytest.raises(ValueError):
        PracticeStep("s.yaml", "chain", (2, 4), 0.5, 3, 2)  # not neighbours
    with pytest.raises(ValueError):
        PracticeStep("s.yaml", "warmup", (1,), 0.5, 3, 2)
    with pytest.raises(ValueError):
        programme("s.yaml", 4, 5, 0.5)
    with pytest.raises(ValueError):
        programme("s.yaml", 4, 1, 0.5, kinds=("jump",))


# -- the spoken count-in ----------------------------------------------------------------------
def _f0_hz(x: np.ndarray, sr: int) -> float:
    """The strongest autocorrelation period in 70..500 Hz over the loudest 60 ms."""
    n = int(0.06 * sr)
    energy = np.convolve(x ** 2, np.ones(n), mode="valid")
    a = int(np.argmax(energy))
    seg = x[a:a + n] - x[a:a + n].mean()
    ac = np.correlate(seg, seg, mode="full")[n - 1:]
    lo, hi = int(sr / 500), int(sr / 70)
    return sr / (lo + int(np.argmax(ac[lo:hi])))


def test_the_count_in_is_four_different_spoken_words():
    from game.practice.voice import COUNT_WORDS, count_words

    words = count_words(SR)
    assert len(words) == len(COUNT_WORDS) == 4
    for w in words:
        assert 0.15 < w.size / SR < 0.6  # a word, not a click or a sentence
        assert 70 < _f0_hz(w, SR) < 500  # voiced: a speaking voice's pitch
    # Four different words, not one sample four times.
    for i in range(4):
        for k in range(i + 1, 4):
            a, b = words[i], words[k]
            n = min(a.size, b.size)
            c = np.abs(np.correlate(a[:n], b[:n], mode="full")).max() / (np.linalg.norm(a[:n]) * np.linalg.norm(b[:n]))
            assert c < 0.8, (COUNT_WORDS[i], COUNT_WORDS[k], c)


@pytest.mark.parametrize("beat_s", [1.0, 0.5])  # 120 bpm at 0.5x, and at full speed
def test_each_word_starts_on_its_slowed_beat(beat_s):
    from game.practice.audio import add_count_in
    from game.practice.voice import count_words

    words = count_words(SR)
    beats = [i * beat_s for i in range(4)]
    silence = np.zeros((int(5 * SR), 2), np.float32)
    mixed = add_count_in(silence, SR, beats, gain=0.5, words=words, beat_s=beat_s)[:, 0]
    # The same count-in with silent words leaves only the clicks under them: the difference
    # is the voice alone.
    clicks = add_count_in(silence, SR, beats, gain=0.5, words=tuple(np.zeros_like(w) for w in words),
                          beat_s=beat_s)[:, 0]
    voice = mixed - clicks
    for i, t in enumerate(beats):
        # The voice's onset (its first sound, "f" of "five" included): where it first rises
        # above 1 % of its peak, looking from just after the word before has ended.
        a = max(0, int((t - 0.03) * SR))
        seg = np.abs(voice[a:int((t + beat_s) * SR)])
        found_s = (a + int(np.flatnonzero(seg > 0.01 * seg.max())[0])) / SR
        assert 0.0 <= found_s - t < 0.008, (i, found_s, t)
        # ... and it is over before the next beat (a long word is sped up to fit).
        after = voice[int((t + 0.92 * beat_s) * SR):int((t + beat_s) * SR) - 50]
        assert np.abs(after).max() < 0.02, i


# -- the flow on screen -----------------------------------------------------------------------
SHORT_YAML = (REPO / "tests" / "game" / "test_practice.py").read_text().split('SHORT_YAML = """\\\n')[1].split('"""')[0]


@pytest.fixture()
def short_choreo(tmp_path) -> Path:
    folder = tmp_path / "song"
    folder.mkdir()
    for name in ("demo.mp4", "demo.ogg", "demo.npz"):
        shutil.copy(DEMO.parent / name, folder / name)
    (folder / "practice.yaml").write_text(SHORT_YAML)
    return folder / "practice.yaml"


@pytest.fixture()
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("DANCE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _app_game(choreo: Path, shots: Path | None = None, player: str | None = "Mia", size=(960, 540)):
    from game.app import App
    from game.scenes.context import Game, GameConfig

    app = App(size, headless=True, frame_rate_hz=30.0)
    cfg = GameConfig(choreographies=[choreo], player=player, headless=True, shots_dir=shots)
    return app, Game(cfg, app=app)


@pytest.mark.slow
def test_a_move_broken_down_plays_every_step_and_its_screens(short_choreo, home, tmp_path):
    """Without a camera (watching) every loop is a MISS: each step runs out of loops, the
    practice still goes on to the chain and the full-speed section, and nothing is stored."""
    from game.practice.playlist import for_move
    from game.practice.scene import PracticeRun, first_scene

    shots = tmp_path / "shots"
    app, game = _app_game(short_choreo, shots, size=(640, 360))
    run = PracticeRun(for_move(short_choreo, 2, 1, 0.5, max_loops=1))
    try:
        assert app.run(first_scene(app, game, run)) == 0
    finally:
        app.close()
    assert [(r.kind, r.move_names, r.speed, r.loops, r.passed) for r in run.results] == [
        ("move", ("Arm waves",), 0.5, 1, False),
        ("chain", ("Arm waves", "March"), 0.5, 1, False),
        ("section", ("Arm waves", "March"), 1.0, 1, False)]
    assert all(j.tier.name == "MISS" for r in run.results for j in r.judgements)
    assert [len(r.judgements) for r in run.results] == [1, 2, 2]
    # One loop lasts (4 count-in beats + the moves + 1 beat) / speed on the practice clock.
    assert [round(r.practice_s, 1) for r in run.results] == [7.0, 21.0, 10.5]
    names = {p.stem for p in shots.iterdir()}
    assert {"p0_step_move", "p1_count_in", "p4_step_chain", "p5_chain_count_in", "p4b_step_section",
            "p7_section_count_in", "p3_practice_done"} <= names
    assert not (home / "sessions.db").exists() or _practice_count(home) == 0  # watching stores nothing
    assert len(run.music) == 3 and not any(Path(wav).exists() for _, wav, _ in run.music)  # no music left behind


def _practice_count(home: Path) -> int:
    from reports.store import SessionStore

    with SessionStore.open(home / "sessions.db", create=False) as s:
        return len(s.sessions(kind="practice"))


def test_a_loop_passes_only_when_every_move_in_it_is_good(short_choreo, home):
    from game.practice.playlist import for_move
    from game.practice.scene import PracticeRun, PracticeScene
    from scoring.events import Tier
    from tests.reports.reports_kit import make_judgement

    app, game = _app_game(short_choreo)
    try:
        run = PracticeRun(for_move(short_choreo, 2, 1, 0.5, kinds=("chain",), max_loops=1))
        scene = PracticeScene(app, game, run)
        j = [dataclasses.replace(make_judgement(i, 70.0), move_index=i, tier=Tier.GOOD) for i in range(2)]
        for loop, tiers in enumerate([(Tier.GOOD, Tier.OK), (Tier.GREAT,), (Tier.GOOD, Tier.PERFECT)]):
            for k, t in enumerate(tiers):
                scene._on_judgement(dataclasses.replace(j[k], tier=t))
            scene._close_loop()
        # An OK fails a loop; a loop that judged only one of the two moves fails too.
        assert scene.good_loops == 1 and scene.last_loop_passed is True
        scene._close_media()
    finally:
        app.close()


# -- the ways in ------------------------------------------------------------------------------
def _store_with_tricky(home: Path, choreo: Path) -> None:
    from reports.store import SessionStore
    from scoring.events import Tier
    from tests.reports.reports_kit import make_judgement

    home.mkdir(parents=True, exist_ok=True)
    with SessionStore.open(home / "sessions.db") as s:
        for day in (1, 2):
            sid = s.start_session("Mia", choreography="Party Bear Practice", choreography_path=str(choreo),
                                  started_at=f"2026-03-0{day}T10:00:00Z")
            for i, (name, score) in enumerate((("Arm waves", 90.0), ("March", 20.0 + day))):
                s.record_judgement(sid, dataclasses.replace(make_judgement(i, score), move_index=i, move_name=name,
                                                            tier=Tier.GREAT if score > 75 else Tier.MISS))
            s.finish_session(sid, total=55.0, stars=2)


def test_drill_my_tricky_moves_is_built_from_the_store(short_choreo, home):
    from game.practice.playlist import tricky
    from pose.errors import DanceError

    _store_with_tricky(home, short_choreo)
    steps = tricky("Mia", None, 0.75)
    assert [(s.kind, s.moves, s.speed, Path(s.choreo_path)) for s in steps] == [("move", (2,), 0.75, short_choreo)]
    with pytest.raises(DanceError, match="no tricky moves"):
        tricky("Leo", None, 0.5)  # nobody of that name in the store


def _press(scene, button, device="hand"):
    from game.input.actions import Action, ActionEvent

    scene.on_action(ActionEvent(Action.SELECT, device, button.rect.center, button))


def test_results_screen_offers_the_weakest_move_and_the_drill(short_choreo, home):
    """After a dance, pointing at "Practise it!" (a hand's dwell) breaks the weakest move
    down; "Drill tricky moves" practises the store's tricky moves."""
    from content.loader import load_choreography
    from game.modes import get
    from game.practice.scene import StepIntroScene
    from game.scenes.results import ResultsScene

    _store_with_tricky(home, short_choreo)
    choreo = load_choreography(short_choreo)
    proc = get("dance").make_scorer(choreo, choreo.load_track(), 0.0, "easy")
    for k in range(int(choreo.duration_s * 10) + 5):
        proc.push(None, k / 10)  # nobody danced: every move a MISS, the first is the weakest
    result = proc.finish(choreo.duration_s)
    app, game = _app_game(short_choreo)
    try:
        res = ResultsScene(app, game, result, choreo)
        app.push(res)
        assert res.weakest == (1, "Arm waves") and res.practise_button is not None and res.drill_button is not None
        assert all(b in res.targets() for b in (res.done, res.practise_button, res.drill_button))
        _press(res, res.practise_button)
        intro = app.top
        assert isinstance(intro, StepIntroScene)
        assert [(s.kind, s.moves) for s in intro.run.steps] == [("move", (1,)), ("chain", (1, 2)), ("section", (1, 2))]
        app.pop()
        _press(res, res.drill_button, device="mouse")
        assert [(s.kind, s.moves) for s in app.top.run.steps] == [("move", (2,))]
    finally:
        app.close()


def test_title_practice_opens_the_move_picker_and_keys_choose(short_choreo, home):
    from game.input.actions import Action, ActionEvent
    from game.practice.picker import MovePickerScene, SpeedTarget
    from game.practice.scene import PracticeScene, StepIntroScene
    from game.scenes.title import TitleScene

    _store_with_tricky(home, short_choreo)
    app, game = _app_game(short_choreo)
    game.player_chosen = True
    try:
        title = TitleScene(app, game)
        app.push(title)
        assert title.practice_button in title.targets()
        title.on_action(ActionEvent(Action.PRACTICE, "keyboard"))
        picker = app.top
        assert isinstance(picker, MovePickerScene) and picker.has_tricky
        picker.draw(app.screen, 0.0)  # lays out the cards and pills as pointer targets
        assert len([t for t in picker.targets() if isinstance(t, SpeedTarget)]) == 3
        for a in (Action.RIGHT, Action.UP):  # move 2 at 0.75x
            picker.on_action(ActionEvent(a, "keyboard"))
        picker.on_action(ActionEvent(Action.YES, "hand"))  # thumbs up
        intro = app.top
        assert isinstance(intro, StepIntroScene)
        assert [(s.kind, s.moves, s.speed) for s in intro.run.steps][0] == ("move", (2,), 0.75)
        # The intro builds the step while it shows, then starts it (a thumbs up skips the wait).
        intro.draw(app.screen, 0.0)
        intro.update(1 / 60)
        intro.on_action(ActionEvent(Action.YES, "hand"))
        intro.update(1 / 60)
        assert isinstance(app.top, PracticeScene) and app.top.moves[0].name == "March"
        app.top.quit_song()
        assert app.top is picker
    finally:
        app.close()


def _dance(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DANCE_HOME": str(home), "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    return subprocess.run([str(REPO / ".venv" / "bin" / "dance"), *args], capture_output=True, text=True, env=env,
                          timeout=120)


@pytest.mark.parametrize("args, message", [
    (("--tricky",), "say whose tricky moves with --player NAME"),
    (("--tricky", "--player", "Nobody"), "no tricky moves"),
    (("--steps", "warmup"), "steps are a comma list of move, chain, section"),
    ((), "give a choreography and --move N"),
])
def test_practice_command_line_mistakes_are_one_line(args, message, tmp_path):
    r = _dance("practice", *args, "--headless", "--camera", "x.mp4", home=tmp_path)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert message in r.stderr, r.stderr


# -- real footage: a child who dances the slowed move passes it in two loops ------------------
REAL_YAML = (REPO / "tests" / "game" / "test_play_headless.py").read_text().split('YAML = """\\\n')[1].split('"""')[0]


@pytest.fixture(scope="module")
def real_choreo(tmp_path_factory) -> Path:
    """A choreography over pose2sim Demo_SinglePerson/cam01 (its real tracked pose track;
    a coach video without sound), as the headless play tests use."""
    from pose.cli_track import track_video
    from pose.samples import sample_path

    folder = tmp_path_factory.mktemp("real_practice")
    video = folder / "cam01.mp4"
    shutil.copy(sample_path("Demo_SinglePerson/cam01.mp4"), video)
    track, _ = track_video(video, progress=False)
    track.save(folder / "cam01.npz")
    (folder / "real.yaml").write_text(REAL_YAML)
    return folder / "real.yaml"


@pytest.mark.slow
def test_real_child_dancing_the_slowed_move_passes_it_in_two_loops(real_choreo, home, tmp_path):
    """The child is cam02 of the same take (another camera), slowed to half speed and lined
    up with one practice loop of "Reach" (the count-in beats before the song start show its
    first frame). Danced GOOD or better in loop 1 and loop 2, the move is learnt: the step
    ends after two of its three loops (the flow without a camera shows the chain after it)."""
    import imageio_ffmpeg

    from game.cli_practice import practice
    from game.practice.plan import PracticeStep
    from game.scenes.context import GameConfig
    from pose.samples import sample_path
    from reports.store import SessionStore

    child = tmp_path / "child_slowed.mp4"
    lead_s = 4 * 0.5  # Reach starts at 0 s: the four count-in beats come before the video
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(sample_path("Demo_SinglePerson/cam02.mp4")),
                    "-vf", f"tpad=start_duration={lead_s}:start_mode=clone:stop_duration=1:stop_mode=clone,"
                           "trim=0:3.0,setpts=2*PTS,fps=15,scale=540:-2", "-an", str(child)], check=True)
    steps = (PracticeStep(str(real_choreo), "move", (1,), 0.5, 3, 2),)
    cfg = GameConfig(choreographies=[real_choreo], player="Zoe", camera_source=str(child), headless=True,
                     latency_s=0.0)
    game, code, run = practice(cfg, steps, size_px=(640, 360))
    assert code == 0
    (move,) = run.results
    assert move.passed and move.loops == 2 and move.good_loops == 2, [j.tier.name for j in move.judgements]
    assert all(j.tier.name in ("GOOD", "GREAT", "PERFECT") for j in move.judgements)
    with SessionStore.open(home / "sessions.db", create=False) as store:
        (stored,) = store.sessions(player="Zoe", kind="practice")
        assert stored.speed == 0.5 and stored.practice_s == pytest.approx(12.0, abs=0.2)
        assert [j.move_name for j in store.judgements(stored.id)] == ["Reach", "Reach"]
        assert store.sessions(player="Zoe") == []  # practice is never a played song


# -- hands-free -------------------------------------------------------------------------------
@pytest.mark.slow
def test_practice_hands_free_from_the_title_to_the_done_screen(short_choreo, home, tmp_path):
    """No key or mouse: real hand frames (tests/fixtures/hands_gestures.npz, as the hands-
    free play test uses) point at the title's Practice button and at a move card, and thumbs
    up start the practice and go on through its three steps, then close the done screen.
    Without a camera the child watches (nothing stored), which keeps the test quick."""
    from game.app import App
    from game.practice.picker import MovePickerScene, MoveTarget
    from game.practice.scene import PracticeScene
    from game.scenes.context import Game, GameConfig
    from game.scenes.title import TitleScene
    from tests.game.test_handsfree import ScriptedHands

    app = App((1280, 720), headless=True, frame_rate_hz=30.0)
    cfg = GameConfig(choreographies=[short_choreo], headless=True, autoplay=False, player="Mia",
                     camera_source=str(tmp_path / "no-camera.mp4"))
    game = Game(cfg, app=app)
    title = TitleScene(app, game)

    def centre_of(pick):
        def at(_t):
            t = next((x for x in app.top.targets() if pick(x)), None)
            return None if t is None else t.rect.center
        return at

    def thumbs(_t):
        return (640, 360) if _t % 1.4 < 0.8 else None  # up, down, up again: each is one "yes"

    def steps_done(n):
        return lambda: isinstance(game.play_scene, PracticeScene) and len(game.play_scene.run.results) >= n

    phases = [
        ("point at Practice", "Pointing_Up", centre_of(lambda x: x is title.practice_button),
         lambda: isinstance(app.top, MovePickerScene), 6.0),
        ("point at move 2", "Pointing_Up", centre_of(lambda x: isinstance(x, MoveTarget) and x.number == 2),
         lambda: isinstance(app.top, MovePickerScene) and app.top.selected == 2, 6.0),
        ("hand away", None, lambda _t: None, lambda: True, 1.0),
        ("thumbs up: practise it", "Thumb_Up", thumbs, lambda: isinstance(game.play_scene, PracticeScene), 8.0),
        ("thumbs up: go on", "Thumb_Up", thumbs, steps_done(1), 10.0),
        ("thumbs up: go on from the chain", "Thumb_Up", thumbs, steps_done(2), 10.0),
        ("thumbs up: go on from the section", "Thumb_Up", thumbs, steps_done(3), 10.0),
        ("thumbs up: done", "Thumb_Up", thumbs, lambda: isinstance(app.top, MovePickerScene), 8.0),
    ]
    hands = ScriptedHands(app, phases)
    app.input.hands = hands
    app.on_frame.append(lambda a: a.quit(0) if hands.done else None)
    try:
        code = app.run(title, max_frames=30 * 60)
    finally:
        app.close()
    assert code == 0 and hands.done, hands.log
    run = game.play_scene.run
    assert [(r.kind, r.move_names) for r in run.results] == [
        ("move", ("March",)), ("chain", ("Arm waves", "March")), ("section", ("Arm waves", "March"))]
    counts = app.input.counts
    assert counts and all(k.startswith("hand:") for k in counts), counts
    assert counts.get("hand:select", 0) >= 2 and counts.get("hand:yes", 0) >= 5
