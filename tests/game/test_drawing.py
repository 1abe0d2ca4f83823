"""Skeleton colours, body framing, move cards, HUD and the recorders."""
from __future__ import annotations

import json
import os
from types import SimpleNamespace

import numpy as np
import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame  # noqa: E402

from game.skeleton import GREEN, RED, YELLOW, NEUTRAL, draw_figure, draw_skeleton, part_colour  # noqa: E402
from pose.landmarks import INDEX  # noqa: E402
from scoring.events import Judgement, Tier  # noqa: E402

pygame.display.init()


def standing_pose() -> np.ndarray:
    """(33, 4) a person standing with arms out sideways, filling the middle of the frame."""
    lm = np.zeros((33, 4), np.float32)
    lm[:, 3] = 1.0
    pts = {
        "nose": (0.5, 0.15), "left_eye": (0.49, 0.14), "right_eye": (0.51, 0.14),
        "left_ear": (0.47, 0.15), "right_ear": (0.53, 0.15),
        # the person's left is image right (they face the camera)
        "left_shoulder": (0.58, 0.28), "right_shoulder": (0.42, 0.28),
        "left_elbow": (0.70, 0.28), "right_elbow": (0.30, 0.28),
        "left_wrist": (0.82, 0.28), "right_wrist": (0.18, 0.28),
        "left_index": (0.85, 0.28), "right_index": (0.15, 0.28),
        "left_hip": (0.55, 0.55), "right_hip": (0.45, 0.55),
        "left_knee": (0.56, 0.72), "right_knee": (0.44, 0.72),
        "left_ankle": (0.56, 0.88), "right_ankle": (0.44, 0.88),
        "left_foot_index": (0.58, 0.9), "right_foot_index": (0.42, 0.9),
    }
    for name, (x, y) in pts.items():
        lm[INDEX[name], :2] = (x, y)
    for name in ("left_pinky", "left_thumb"):
        lm[INDEX[name], :2] = pts["left_index"]
    for name in ("right_pinky", "right_thumb"):
        lm[INDEX[name], :2] = pts["right_index"]
    for name in ("left_heel",):
        lm[INDEX[name], :2] = pts["left_ankle"]
    for name in ("right_heel",):
        lm[INDEX[name], :2] = pts["right_ankle"]
    for name in ("left_eye_inner", "left_eye_outer", "right_eye_inner", "right_eye_outer", "mouth_left",
                 "mouth_right"):
        lm[INDEX[name], :2] = pts["nose"]
    return lm


@pytest.mark.parametrize("score, colour", [(0.95, GREEN), (0.6, GREEN), (0.5, YELLOW), (0.34, RED),
                                           (0.0, RED), (None, NEUTRAL), (float("nan"), NEUTRAL)])
def test_part_colour(score, colour):
    assert part_colour(score) == colour


@pytest.mark.parametrize("mirror", [False, True])
def test_limbs_turn_green_or_red_by_part_score(mirror):
    surf = pygame.Surface((400, 400))
    rect = surf.get_rect()
    n = draw_skeleton(surf, standing_pose(), rect, {"left_arm": 0.9, "right_arm": 0.1}, mirror=mirror)
    assert n == 18
    # The middle of each forearm: the left arm is image-right, or image-left when mirrored.
    left_x, right_x = 0.76 * 400, 0.24 * 400
    if mirror:
        left_x, right_x = right_x, left_x
    assert tuple(surf.get_at((int(left_x), int(0.28 * 400))))[:3] == GREEN
    assert tuple(surf.get_at((int(right_x), int(0.28 * 400))))[:3] == RED


def test_skeleton_skips_bad_input():
    surf = pygame.Surface((100, 100))
    bad = standing_pose()
    bad[5, 0] = np.nan
    assert draw_skeleton(surf, bad, surf.get_rect()) == 0
    hidden = standing_pose()
    hidden[:, 3] = 0.0  # nothing visible
    assert draw_skeleton(surf, hidden, surf.get_rect()) == 0


def test_figure_highlights_scored_parts():
    surf = pygame.Surface((200, 200), pygame.SRCALPHA)
    assert draw_figure(surf, standing_pose(), surf.get_rect(), {"left_arm": 1.0}, glow_colour=(255, 0, 0),
                       body_colour=(0, 0, 255))
    px = pygame.surfarray.pixels3d(surf)
    red = (px[:, :, 0] == 255) & (px[:, :, 2] == 0)
    blue = (px[:, :, 2] == 255) & (px[:, :, 0] == 0)
    assert red.sum() > 50 and blue.sum() > red.sum()
    del px
    assert not draw_figure(surf, np.full((33, 4), np.nan), surf.get_rect())


@pytest.mark.parametrize("scale, whole, hint", [
    (1.0, True, "ok"),
    (0.4, True, "closer"),
])
def test_measure_body(scale, whole, hint):
    from game.scenes.stepin import TOO_BIG, TOO_SMALL, measure_body

    lm = standing_pose()
    lm[:, :2] = 0.5 + (lm[:, :2] - 0.5) * scale
    w, height = measure_body(lm)
    assert w == whole
    assert (height < TOO_SMALL) == (hint == "closer") and height < TOO_BIG


def test_feet_out_of_frame_is_not_whole_body():
    from game.scenes.stepin import measure_body

    lm = standing_pose()
    lm[:, 1] += 0.2  # ankles below the frame
    assert measure_body(lm)[0] is False


def _move(i, start, end, gold=False, parts=("left_arm",)):
    return SimpleNamespace(index=i, name=f"Move {i}", start_s=start, end_s=end, duration_s=end - start,
                           gold=gold, parts={p: 1.0 for p in parts}, pictogram=None, tip="")


@pytest.mark.parametrize("t, names", [
    (0.0, ["Move 0", "Move 1", "Move 2"]),
    (1.5, ["Move 1", "Move 2", "Move 3"]),
    (3.9, ["Move 3"]),
    (9.0, []),
])
def test_cards_show_current_and_next_two(t, names):
    from game.cards import CardStrip

    strip = CardStrip([_move(i, i, i + 1, gold=i == 2) for i in range(4)])
    assert [m.name for m in strip.upcoming(t)] == names


def test_cards_draw_gold_marked():
    from game.cards import CardStrip
    from pose.track import PoseTrack

    lm = np.repeat(standing_pose()[None], 10, axis=0)
    track = PoseTrack(lm, np.zeros((10, 33, 3)), np.arange(10) / 2.0, 2.0, (640, 480))
    strip = CardStrip([_move(0, 0, 1), _move(1, 1, 2, gold=True)], track, beat_s=0.5)
    surf = pygame.Surface((800, 300))
    rects = strip.draw(surf, (10, 10), 0.5, 0.0)
    assert len(rects) == 2
    gold = pygame.surfarray.pixels3d(surf)[rects[1].x:rects[1].right, rects[1].y:rects[1].bottom]
    assert ((gold[..., 0] == 255) & (gold[..., 1] == 190) & (gold[..., 2] == 30)).sum() > 100  # gold border


def _j(i, tier, score, gold=False, combo=0):
    return Judgement(i, f"m{i}", score, tier, {"left_arm": score}, 0.0, i + 1.0, i, i + 1.0, gold, combo)


def test_hud_totals_combo_and_popups_reaped():
    from game.hud import POPUP_LIFE_S, Hud

    hud = Hud((1280, 720), (600, 300))
    hud.on_judgement(_j(0, Tier.PERFECT, 90, combo=1))
    hud.on_judgement(_j(1, Tier.GOOD, 60, gold=True, combo=2))
    hud.update(0.0, None, points=2500)
    hud.update(0.0, None, points=2400)  # the shown points never go down
    assert hud.points == 2500
    assert hud.combo == 2 and len(hud.popups) == 2 and hud.popups[0].big
    surf = pygame.Surface((1280, 720))
    hud.draw(surf, 0.0)
    hud.update(POPUP_LIFE_S + 0.01, 0.5)
    assert hud.popups == []


def test_session_recorder_jsonl_fallback_and_store(tmp_path, monkeypatch):
    from game.recorder import SessionRecorder
    from reports.store import SessionStore

    monkeypatch.setenv("DANCE_HOME", str(tmp_path))
    r = SessionRecorder("Mia", "Demo", "/x/demo.yaml", "easy", 0.1, use_store=False)
    r.record(_j(0, Tier.GREAT, 80))
    r.finish(80.0, 4)
    r.close()
    lines = [json.loads(x) for x in r.path.read_text().splitlines()]
    assert r.path.parent == tmp_path / "sessions"
    assert [x["event"] for x in lines] == ["start", "judgement", "finish"] and lines[1]["judgement"] == "GREAT"

    r2 = SessionRecorder("Mia", "Demo", "/x/demo.yaml", "easy", 0.1, store_path=tmp_path / "s.db")
    r2.record(_j(0, Tier.GREAT, 80))
    r2.finish(80.0, 4)
    r2.close()
    assert r2.backend == "store"
    with SessionStore.open(tmp_path / "s.db") as store:
        s = store.session("latest")
        assert s.completed and s.stars == 4 and len(store.judgements(s.id)) == 1


def test_corrupt_store_falls_back_to_jsonl(tmp_path, monkeypatch, capsys):
    from game.recorder import SessionRecorder

    monkeypatch.setenv("DANCE_HOME", str(tmp_path))
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    r = SessionRecorder("Mia", "Demo", None, None, None, store_path=bad)
    r.record(_j(0, Tier.OK, 35))
    r.close()
    assert r.backend == "jsonl" and len(r.path.read_text().splitlines()) == 2
    assert "warning" in capsys.readouterr().err


def test_screen_recorder_keeps_true_speed(tmp_path):
    import cv2

    from game.recorder import ScreenRecorder
    from pose.errors import VideoError

    with pytest.raises(VideoError, match="out.mp4"):
        ScreenRecorder(tmp_path / "x.txt", (320, 240))
    rec = ScreenRecorder(tmp_path / "o.mp4", (320, 240), fps=30.0, source_fps=60.0)
    surf = pygame.Surface((320, 240))
    for i in range(60):  # one second drawn at 60 fps
        surf.fill((i * 4, 100, 200))
        rec.write(surf)
    rec.close()
    assert rec.frames_written == 30
    cap = cv2.VideoCapture(str(tmp_path / "o.mp4"))
    assert cap.get(cv2.CAP_PROP_FPS) == 30.0 and int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 30
    cap.release()


def test_hud_points_count_up_and_stars_follow_earned_points():
    """The HUD shows the scorer's points (counting up to them, never past, never down) and
    the stars those points have already earned."""
    from game.hud import Hud
    from scoring import judge

    hud = Hud((1280, 720), (600, 300), difficulty="easy")
    hud.on_judgement(_j(0, Tier.PERFECT, 95))
    shown = []
    for points in (1000, 1000, 1000, 3000, 3000, 9000):
        hud.update(1 / 60, 0.5, points=points)
        shown.append(hud.shown_points)
    assert shown == sorted(shown) and shown[-1] <= 9000
    for _ in range(300):
        hud.update(1 / 60, 0.5, points=9000)
    assert hud.shown_points == 9000
    assert hud.stars == judge.stars_for(90.0, "easy")
    assert judge.format_points(7420.4) == "7,420"


@pytest.mark.parametrize("word", ["Танец", "Χορός"])
def test_titles_in_other_scripts_are_drawn_not_boxes(word):
    """pygame's own font has no Cyrillic or Greek: those labels use the wide-coverage font,
    so different letters give different pictures (empty boxes would all look alike)."""
    from game.scenes import theme

    assert theme.font_for(word, 40) is not theme.font(40)
    a = pygame.surfarray.array_alpha(theme.font_for(word, 40).render(word, True, (255, 255, 255)))
    b = pygame.surfarray.array_alpha(theme.font_for(word[::-1], 40).render(word[::-1], True, (255, 255, 255)))
    assert a.shape != b.shape or not np.array_equal(a, b)
    surf = pygame.Surface((400, 100))
    theme.text(surf, word, 40, theme.WHITE, (200, 50))
    assert pygame.surfarray.array3d(surf).max() > 200
