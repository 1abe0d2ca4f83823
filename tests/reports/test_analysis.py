"""What the reports say: practise picks, strengths, progress, most improved; edge cases
render (no moves, no sessions, hostile names, a moved choreography)."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from reports import analysis, html
from reports.pictogram import CoachPoses
from reports.store import SessionStore, StoreError
from scoring.events import Tier

from reports_kit import make_choreography, make_judgement  # type: ignore[import-not-found]


def record(store: SessionStore, player: str, moves: list[tuple[str, float, dict]], **kw) -> int:
    sid = store.start_session(player=player, choreography=kw.get("choreography", "Bunny Hop"),
                              started_at=kw.get("started_at"), group=kw.get("group"))
    for i, (name, score, parts) in enumerate(moves):
        j = dataclasses.replace(make_judgement(i, score), move_name=name, parts=parts,
                                tier=Tier.PERFECT if score >= 90 else Tier.GOOD if score >= 50 else Tier.MISS)
        store.record_judgement(sid, j)
    if kw.get("finish", True):
        store.finish_session(sid, total=kw.get("total", 50.0), stars=kw.get("stars", 2))
    return sid


def test_practise_is_three_weakest_distinct_moves(store: SessionStore) -> None:
    sid = record(store, "Mia", [("Hop", 20, {}), ("Clap", 95, {}), ("Hop", 10, {}), ("Spin", 40, {}),
                                ("Wave", 55, {}), ("Jump", 70, {}), ("Wave", 99, {})])
    s = analysis.summarise_session(store, sid)
    assert [m.move_name for m in s.practise] == ["Hop", "Spin", "Wave"]
    assert s.practise[0].score == 10  # the weakest try of a repeated move
    assert s.best_move is not None and s.best_move.move_name == "Wave" and s.best_move.score == 99


def test_perfect_moves_are_never_to_practise(store: SessionStore) -> None:
    sid = record(store, "Mia", [("Hop", 95, {}), ("Clap", 91, {}), ("Spin", 80, {})])
    assert [m.move_name for m in analysis.summarise_session(store, sid).practise] == ["Spin"]


def test_replayed_move_counts_once_by_its_last_judgement(store: SessionStore) -> None:
    sid = store.start_session(player="Mia", choreography="x")
    store.record_judgement(sid, make_judgement(0, 20.0))
    store.record_judgement(sid, make_judgement(1, 60.0))
    store.record_judgement(sid, make_judgement(0, 85.0))  # a "break it down" replay of move 0
    s = analysis.summarise_session(store, sid)
    assert [(m.move_index, m.score) for m in s.moves] == [(0, 85.0), (1, 60.0)]


@pytest.mark.parametrize("parts, strengths, weaknesses", [
    ({"left_arm": 90, "right_arm": 80, "left_leg": 40, "torso": 70}, ["left_arm", "right_arm"], ["left_leg"]),
    ({"left_arm": 65, "head": 62}, ["left_arm"], []),  # nothing strong: still name the best part
    ({"left_leg": 30, "right_leg": 20, "head": 50}, ["head"], ["right_leg", "left_leg"]),
])
def test_strengths_and_weaknesses(store: SessionStore, parts, strengths, weaknesses) -> None:
    sid = record(store, "Mia", [("Hop", 60, parts)])
    s = analysis.summarise_session(store, sid)
    assert (s.strengths, s.weaknesses) == (strengths, weaknesses)


def test_player_progress_bests_and_recurring_weak_parts(store: SessionStore) -> None:
    weak_legs = {"left_arm": 85.0, "right_arm": 80.0, "left_leg": 35.0, "right_leg": 45.0, "head": 55.0}
    for day, (title, total) in enumerate([("Bunny Hop", 40.0), ("Robot", 55.0), ("Bunny Hop", 70.0)], 1):
        record(store, "Leo", [("Hop", 60, weak_legs)], choreography=title, total=total, stars=int(total // 20),
               started_at=f"2026-03-0{day}T10:00:00Z")
    record(store, "Leo", [("Hop", 60, weak_legs)], finish=False, started_at="2026-03-04T10:00:00Z")
    p = analysis.summarise_player(store, "leo")
    # Bunny Hop 40 -> 70 (the same dance): +3,000 points; Robot (once) is not compared with it.
    assert p.improvement == 3000 and "improved by 3,000 points on Bunny Hop" in p.headline
    assert [(g.choreography, g.points) for g in p.progress] == [("Bunny Hop", [4000, 7000]), ("Robot", [5500])]
    assert [(b.choreography, b.plays, b.best_total) for b in p.bests] == [("Bunny Hop", 3, 70.0), ("Robot", 1, 55.0)]
    assert p.recurring_weak == ["left_leg", "right_leg"]  # at most two, weakest first
    assert p.tricky_moves == []  # "Hop" averages 60: not tricky
    assert len(p.sessions) == 4 and len(p.finished) == 3


def test_class_most_improved_participation_and_ties(store: SessionStore) -> None:
    for name, totals in (("Mia", [50, 70]), ("Leo", [30, 50]), ("Ava", [80, 75]), ("Noah", [60])):
        for d, t in enumerate(totals, 1):
            record(store, name, [("Hop", t, {})], total=float(t), group="Robins", started_at=f"2026-03-0{d}T10:00:00Z")
    store.add_player("Zoe", "Robins")
    c = analysis.summarise_class(store, "Robins")
    assert sorted(r.name for r in c.most_improved) == ["Leo", "Mia"]  # both +20
    assert c.total_sessions == 7 and c.players_active == 4 and len(c.rows) == 5
    assert c.sessions_by_day == {"2026-03-01": 4, "2026-03-02": 3}
    zoe = next(r for r in c.rows if r.name == "Zoe")
    assert (zoe.sessions, zoe.latest_total, zoe.improvement) == (0, None, None)
    ava = next(r for r in c.rows if r.name == "Ava")
    assert (ava.latest_total, ava.best_total, ava.improvement) == (75.0, 80.0, -500)
    assert (ava.latest_points, ava.best_points) == (7500, 8000)


def test_nobody_improved_means_no_prize(store: SessionStore) -> None:
    record(store, "Ava", [("Hop", 80, {})], total=80.0)
    record(store, "Ava", [("Hop", 70, {})], total=70.0)
    assert analysis.summarise_class(store).most_improved == []


def test_edge_cases_render(store: SessionStore, tmp_path: Path) -> None:
    sid = store.start_session(player="Empty", choreography="Nothing yet")  # no moves, unfinished
    page = html.session_html(store, sid)
    assert "No moves were judged" in page and "finish it next time" in page
    store.add_player("Newbie")
    assert "just getting started" in html.player_html(store, "Newbie")
    assert "Our class" in html.class_html(store)
    with pytest.raises(StoreError, match="no players in group 'Nope'"):
        html.class_html(store, "Nope")


def test_names_and_tips_are_escaped(store: SessionStore) -> None:
    evil = "<script>alert(1)</script>"
    sid = store.start_session(player=evil, choreography="<b>x</b>")
    store.record_judgement(sid, dataclasses.replace(make_judgement(0, 40.0), move_name="<img src=x>", tip="a & b"))
    page = html.session_html(store, sid)
    assert "<script>" not in page and "<img src=x>" not in page and "<b>x</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "a &amp; b" in page


def test_coach_pose_from_reference_track_or_pictogram(tmp_path: Path) -> None:
    y = make_choreography(tmp_path / "bunny")
    coach = CoachPoses(str(y))
    assert coach.track is not None
    assert 'class="pose coach"' in coach.svg(4.0, 6.0, ["left_arm"])
    # Arms move in the coach track: two moments of the dance give two different figures.
    assert coach.svg(4.0, 5.0) != coach.svg(6.0, 7.0)
    assert 'class="pose picto"' in coach.svg(None, None)  # no times: pictogram
    assert 'class="pose picto"' in coach.svg(500.0, 510.0)  # after the track ends
    for broken in (str(tmp_path / "moved.yaml"), str(tmp_path / "bunny" / "coach.npz")):
        c = CoachPoses(broken)
        assert c.track is None and 'class="pose picto"' in c.svg(4.0, 6.0, ["head"])
    escape = tmp_path / "escape.yaml"
    escape.write_text("pose_track: ../../etc/passwd\n")
    assert CoachPoses(str(escape)).track is None


def test_old_weak_spots_are_forgiven(store: SessionStore) -> None:
    """Weak legs in the first sessions, strong legs in the latest five: legs are not 'recurring'."""
    for d in range(1, 9):
        legs = 30.0 if d <= 3 else 85.0
        record(store, "Ava", [("Hop", 70, {"left_leg": legs, "right_leg": legs, "left_arm": 80.0})],
               started_at=f"2026-03-0{d}T10:00:00Z")
    p = analysis.summarise_player(store, "Ava")
    assert p.recurring_weak == [] and p.part_averages["left_leg"] == pytest.approx(85.0)


def test_dates_are_shown_on_the_local_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from reports.store import local_day

    for tz, shown, day in (("UTC", "Sat 7 Mar 2026, 08:30", "2026-03-07"),
                           ("America/New_York", "Sat 7 Mar 2026, 03:30", "2026-03-07"),
                           ("Asia/Tokyo", "Sat 7 Mar 2026, 17:30", "2026-03-07")):
        monkeypatch.setenv("TZ", tz)
        time.tzset()
        assert html.human_date("2026-03-07T09:30:00+01:00") == shown
        assert local_day("2026-03-07T09:30:00+01:00") == day
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    assert local_day("2026-03-07T20:00:00+00:00") == "2026-03-08"  # already tomorrow in Tokyo
    monkeypatch.undo()  # back to this machine's zone, for the tests after this one
    time.tzset()
    assert html.human_date("not a date") == "not a date"


def test_tricky_moves_are_weak_over_several_tries(store: SessionStore) -> None:
    for d in range(1, 4):
        record(store, "Leo", [("Spin", 20.0 + d, {}), ("Hop", 90.0, {}), ("Wave", 50.0, {}), ("Once", 5.0 * d, {})],
               started_at=f"2026-03-0{d}T10:00:00Z")
    p = analysis.summarise_player(store, "Leo")
    # "Once" is weak too but is tried every time: the rule is mean < 60 over >= 2 tries.
    assert [(n, round(m), k) for n, m, k in p.tricky_moves] == [("Once", 10, 3), ("Spin", 22, 3), ("Wave", 50, 3)]


def test_recurring_weak_part_agrees_with_the_averages(store: SessionStore) -> None:
    """A part low in many sessions but fine on average is not named; the lowest part is."""
    for d in range(1, 5):
        # left_arm: 55 in its one move per session (weak every session) but that is its only move;
        # right_arm: 50 every session. Averages: left_arm 55, right_arm 50 -> both weak, right first.
        record(store, "Kai", [("A", 60, {"left_arm": 55.0, "right_arm": 50.0, "torso": 90.0}),
                              ("B", 60, {"right_arm": 50.0, "torso": 90.0})], started_at=f"2026-03-0{d}T10:00:00Z")
    assert analysis.summarise_player(store, "Kai").recurring_weak == ["right_arm", "left_arm"]
    for d in range(5, 9):
        # Later: left_arm 58 in one move and 95 in another -> weak per move, fine on average.
        record(store, "Noa", [("A", 60, {"left_arm": 58.0, "torso": 70.0}),
                              ("B", 60, {"left_arm": 95.0, "torso": 70.0})], started_at=f"2026-03-0{d}T10:00:00Z")
    noa = analysis.summarise_player(store, "Noa")
    assert noa.recurring_weak == ["torso"]  # lowest average (70), weakest in every session, not yet strong


def test_session_timeline_comes_from_the_judgements_samples(tmp_path):
    """The scoring engine attaches per-move similarity samples to each judgement; the
    session report's timeline is drawn from them when no separate samples were stored."""
    from reports.analysis import summarise_session
    from reports.store import SessionStore
    from scoring.events import Judgement, Tier

    store = SessionStore.open(tmp_path / "s.db")
    sid = store.start_session(player="Ava", choreography="Clip", choreography_path="", difficulty="easy", latency_s=0.0)
    for i, (start, samples) in enumerate([(1.0, (0.5, 0.75, 1.0)), (2.0, (0.25, float("nan"), 0.0))]):
        store.record_judgement(sid, Judgement(
            move_index=i, move_name=f"m{i}", score=50, tier=Tier.GOOD, parts={"left_arm": 50},
            offset_s=0.0, time_s=start + 1, start_s=start, end_s=start + 1,
            samples=samples, sample_rate_hz=4.0))
    store.finish_session(sid, total=50, stars=2)
    summary = summarise_session(store, sid)
    assert summary.samples_t_s == [1.0, 1.25, 1.5, 2.0, 2.5]
    assert summary.samples_similarity == [50.0, 75.0, 100.0, 25.0, 0.0]
    store.close()


def test_progress_compares_the_same_dance_at_the_same_level_only(store: SessionStore) -> None:
    """Mia's 0 on one song and 58 on another, easier one is not "improved by 58"."""
    def play(title, total, day, difficulty="easy"):
        sid = store.start_session(player="Mia", choreography=title, difficulty=difficulty,
                                  started_at=f"2026-03-0{day}T10:00:00Z")
        store.record_judgement(sid, make_judgement(0, total))
        store.finish_session(sid, total=total, stars=0)

    play("Party Bear Boogie", 0.0, 1)
    play("Two Moves", 58.0, 2)
    p = analysis.summarise_player(store, "Mia")
    assert p.improvement is None and "improved" not in p.headline
    play("Party Bear Boogie", 20.0, 3, difficulty="hard")  # another level: its own series
    play("Party Bear Boogie", 35.0, 4)
    p = analysis.summarise_player(store, "Mia")
    assert p.improvement == 3500 and p.improvement_dance == "Party Bear Boogie (easy)"
    assert "improved by 3,500 points on Party Bear Boogie" in p.headline
    c = analysis.summarise_class(store)
    assert c.rows[0].improvement == 3500 and [r.name for r in c.most_improved] == ["Mia"]


def test_stopped_sessions_are_not_progress_and_guests_are_not_children(store: SessionStore) -> None:
    sid = store.start_session(player="Leo", choreography="Robot", started_at="2026-03-01T10:00:00Z")
    store.record_judgement(sid, make_judgement(0, 90.0))
    store.stop_session(sid, total=90.0, stars=0, points=900, stopped_at_s=8.0)
    sid = store.start_session(player="Leo", choreography="Robot", started_at="2026-03-02T10:00:00Z")
    store.record_judgement(sid, make_judgement(0, 50.0))
    store.finish_session(sid, total=50.0, stars=2)
    guest = store.start_session(player=None, choreography="Robot")
    store.record_judgement(guest, make_judgement(0, 10.0))
    p = analysis.summarise_player(store, "Leo")
    assert [g.points for g in p.progress] == [[5000]] and p.improvement is None
    c = analysis.summarise_class(store)
    assert [r.name for r in c.rows] == ["Leo"]


def test_class_hardest_moves_pool_every_childs_tries(store: SessionStore) -> None:
    for name, scores in (("Mia", [90, 20, 70]), ("Leo", [85, 30, 40]), ("Ava", [95, 25, 60])):
        record(store, name, [("Wave", scores[0], {}), ("Spin", scores[1], {}), ("Hop", scores[2], {})])
    c = analysis.summarise_class(store)
    assert [(m.move_name, m.children, m.tries) for m in c.hardest_moves] == [("Spin", 3, 3), ("Hop", 3, 3)]
    assert c.hardest_moves[0].mean_score == pytest.approx(25.0)  # Wave (90) is not hard


def test_report_words_are_the_games_words(store: SessionStore) -> None:
    from scoring.judge import TIER_LABELS

    assert analysis.TIER_WORDS == TIER_LABELS and TIER_LABELS[Tier.MISS] == "missed"
    assert analysis.part_label("torso") == "Torso"  # the YAML's word, not "Body"


@pytest.mark.parametrize("offset_s, tier, words", [
    (0.05, Tier.GREAT, "right on the beat"),
    (0.25, Tier.GOOD, "a bit late (0.2 s)"),
    (-0.2, Tier.PERFECT, "a bit early (0.2 s)"),
    (0.60, Tier.GREAT, "–"),  # at the edge of the scorer's search window: no real timing
    (0.25, Tier.MISS, "–"),  # not matched: its "timing" means nothing
])
def test_timing_is_only_said_when_it_is_real(offset_s, tier, words) -> None:
    assert html.timing_words(offset_s, tier) == words


def test_progress_axis_shows_times_when_sessions_share_a_day() -> None:
    from reports import plots
    from reports.store import local_time

    isos = ["2026-12-02T09:05:00+00:00", "2026-12-02T14:30:00+00:00", "2026-12-03T09:00:00+00:00"]
    labels = plots.when_labels(isos)
    assert labels[0] != labels[1]  # same day: told apart by the time
    assert labels[0].endswith(local_time(isos[0]).strftime("%H:%M")) and ":" not in labels[2]
