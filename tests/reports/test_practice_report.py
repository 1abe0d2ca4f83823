"""Teacher views of practice: per move (time, loops, speeds) and whether the move's match
went up in the next full play; per child in the class report; the tricky-move list (with
each move's dance) that "drill my tricky moves" practises. Real SQLite, real HTML, and the
player report drawn by headless Chromium.

Set DANCE_REPORT_SHOTS=DIR to keep the screenshots for a look.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest

from reports import analysis
from reports.html import class_html, player_html
from reports.store import SessionStore
from scoring.events import Tier
from tests.reports.reports_kit import make_judgement

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SONG, PATH = "Party Bear Boogie", "/songs/demo/demo.yaml"


def _tier(score: float) -> Tier:
    return Tier.GREAT if score >= 75 else Tier.GOOD if score >= 55 else Tier.OK if score >= 35 else Tier.MISS


def play(store, who, scores: dict[str, float], when: str) -> None:
    sid = store.start_session(who, choreography=SONG, choreography_path=PATH, started_at=when)
    for i, (name, sc) in enumerate(scores.items()):
        store.record_judgement(sid, dataclasses.replace(make_judgement(i, sc), move_index=i, move_name=name,
                                                        tier=_tier(sc)))
    store.finish_session(sid, total=sum(scores.values()) / len(scores), stars=2)


def practise(store, who, loops: list[dict[str, float]], speed: float, seconds: float, when: str) -> None:
    sid = store.start_session(who, choreography=SONG, choreography_path=PATH, kind="practice", speed=speed,
                              started_at=when)
    for loop in loops:
        for i, (name, sc) in enumerate(loop.items()):
            idx = ["Arm waves", "March", "Bunny ears"].index(name)
            store.record_judgement(sid, dataclasses.replace(make_judgement(idx, sc), move_index=idx, move_name=name,
                                                            tier=_tier(sc)))
    store.finish_practice(sid, best_score=max(max(lp.values()) for lp in loops), practice_s=seconds)


@pytest.fixture()
def store(tmp_path):
    with SessionStore.open(tmp_path / "sessions.db") as s:
        # Mia keeps missing March, practises it (alone at 0.5x, then chained at 0.5x), and
        # plays again: March goes from 30 to 70.
        play(s, "Mia", {"Arm waves": 80, "March": 30, "Bunny ears": 50}, "2026-03-01T10:00:00Z")
        play(s, "Mia", {"Arm waves": 82, "March": 28, "Bunny ears": 45}, "2026-03-02T10:00:00Z")
        practise(s, "Mia", [{"March": 40}, {"March": 62}, {"March": 66}], 0.5, 42.0, "2026-03-02T10:10:00Z")
        practise(s, "Mia", [{"Arm waves": 70, "March": 58}, {"Arm waves": 76, "March": 64}], 0.5, 30.0,
                 "2026-03-02T10:12:00Z")
        play(s, "Mia", {"Arm waves": 85, "March": 70, "Bunny ears": 48}, "2026-03-03T10:00:00Z")
        # Leo practised Bunny ears and has not played since.
        play(s, "Leo", {"Arm waves": 60, "March": 60, "Bunny ears": 20}, "2026-03-01T11:00:00Z")
        practise(s, "Leo", [{"Bunny ears": 30}, {"Bunny ears": 35}], 0.75, 20.0, "2026-03-01T11:05:00Z")
        yield s


def test_practice_per_move_and_the_next_full_play(store):
    rows = {r.move: r for r in analysis.practice_by_move(store, "Mia")}
    assert set(rows) == {"March", "Arm waves"}
    march = rows["March"]
    # 42 s alone + half of the 30 s chain; 3 + 2 loops; the next play after the latest practice.
    assert march.practice_s == pytest.approx(57.0) and march.loops == 5 and march.sessions == 2
    assert march.speeds == (0.5,) and march.best_score == 66
    assert (march.before_score, march.after_score) == (28, 70) and march.improved and march.change == 42
    arms = rows["Arm waves"]
    assert arms.practice_s == pytest.approx(15.0) and (arms.before_score, arms.after_score) == (82, 85)
    (leo,) = analysis.practice_by_move(store, "Leo")
    assert leo.after_score is None and leo.improved is None and leo.speeds == (0.75,)


def test_practice_sessions_name_the_step_and_count_good_loops(store):
    sessions = analysis.practice_sessions(store, "Mia")
    assert [(s.step, s.moves, s.loops, s.good_loops) for s in sessions] == [
        ("chain", ("Arm waves", "March"), 2, 2),  # newest first; both loops GOOD+ on both moves
        ("move", ("March",), 3, 2),  # 40 is OK, 62 and 66 are GOOD
    ]


def test_tricky_moves_carry_their_dance_for_the_drill(store):
    mia = analysis.tricky_moves(store, "Mia")
    assert [(m.move_name, m.choreography, m.choreography_path, m.tries) for m in mia] == [
        ("March", SONG, PATH, 3), ("Bunny ears", SONG, PATH, 3)]
    # The player report's list is the same list.
    assert [n for n, _, _ in analysis.summarise_player(store, "Mia").tricky_moves] == ["March", "Bunny ears"]


def test_leo_with_one_play_has_no_tricky_moves(store):
    assert analysis.tricky_moves(store, "Leo") == []


def test_player_and_class_reports_show_the_practice(store):
    html = player_html(store, "Mia")
    assert 'id="practice-moves"' in html and 'id="practice-sessions"' in html
    assert "Yes, up 42" in html and "Chain: <b>Arm waves + March</b>" in html
    assert 'dance practice --tricky --player "Mia"' in html
    c = class_html(store)
    assert 'id="class-practice"' in c and "not played since" in c  # Leo's Bunny ears
    assert c.count('class="practice-move"') == 3  # Mia: March, Arm waves; Leo: Bunny ears


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (.ci/run installs it)")
def test_player_report_practice_in_chromium(store, tmp_path):
    from playwright.sync_api import sync_playwright

    page_path = tmp_path / "mia.html"
    page_path.write_text(player_html(store, "Mia"))
    cls_path = tmp_path / "class.html"
    cls_path.write_text(class_html(store))
    keep = os.environ.get("DANCE_REPORT_SHOTS")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            for path, width in ((page_path, 1200), (page_path, 390), (cls_path, 1200)):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(path.as_uri())
                table = page.locator("#practice-moves" if path is page_path else "#practice-table")
                assert table.is_visible()
                rows = table.locator("tbody tr")
                assert rows.count() == (2 if path is page_path else 3)
                # Nothing spills out of its card sideways (the table scrolls inside its wrap).
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 1, f"{path.name} at {width}px is {overflow}px too wide"
                shot = tmp_path / f"{path.stem}-{width}.png"
                page.screenshot(path=str(shot), full_page=True)
                if keep:
                    Path(keep).mkdir(parents=True, exist_ok=True)
                    shutil.copy(shot, Path(keep) / shot.name)
                page.close()
        finally:
            browser.close()


def test_practice_survives_export_and_import(store, tmp_path):
    """The JSON export (what another machine and the class server read) carries practice
    sessions with their kind, speed and time; the imported player report says the same."""
    from reports.export import export_json, import_file

    path = tmp_path / "mia.json"
    path.write_text(export_json(store, player="Mia"), encoding="utf-8")
    with SessionStore.open(tmp_path / "other.db") as other:
        import_file(other, path)
        got = [(s.kind, s.speed, s.practice_s) for s in other.sessions("Mia", kind="practice")]
        assert got == [(s.kind, s.speed, s.practice_s) for s in store.sessions("Mia", kind="practice")]
        assert got == [("practice", 0.5, 42.0), ("practice", 0.5, 30.0)]
        assert len(other.sessions("Mia")) == 3  # the plays stay plays
        assert player_html(other, "Mia") == player_html(store, "Mia")
