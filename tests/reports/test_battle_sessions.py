"""A battle is stored as one session per child, each naming the other: the link survives a
migration from the previous schema, export and import, and forgetting one of the children;
each child's report shows their own score and who they battled, never the other's score."""
from __future__ import annotations

import json
import sqlite3

import pytest

from reports_kit import make_judgement  # type: ignore[import-not-found]
from reports import html
from reports.export import export_json, import_file
from reports.migrations import LATEST_VERSION, migrate
from reports.store import SessionStore, StoreError


def battle(store: SessionStore, left: str | None, right: str | None, left_scores, right_scores) -> tuple[int, int]:
    sids = []
    for name in (left, right):
        sids.append(store.start_session(player=name, choreography="Party Bear Boogie", difficulty="easy",
                                        mode="battle"))
    store.link_partners(*sids)
    for sid, scores in zip(sids, (left_scores, right_scores)):
        for i, sc in enumerate(scores):
            store.record_judgement(sid, make_judgement(i, sc))
        store.finish_session(sid, total=sum(scores) / len(scores), stars=3)
    return sids[0], sids[1]


def test_two_linked_sessions_each_with_its_own_score(tmp_path):
    with SessionStore.open(tmp_path / "s.db") as store:
        a, b = battle(store, "Mia", "Leo", [91, 88, 95], [40, 35, 52])
        sa, sb = store.session(a), store.session(b)
        assert sa.mode == sb.mode == "battle"
        assert sa.partner_uid == sb.uid and sb.partner_uid == sa.uid
        assert store.partner(sa).player == "Leo" and store.partner(sb).player == "Mia"
        assert store.partner(store.session(a)).id == b
        with pytest.raises(StoreError):
            store.link_partners(a, a)
        with pytest.raises(StoreError):
            store.link_partners(a, 999)
        page = html.session_html(store, a)
        assert "a battle with Leo" in page and "Dance Battle" in page
        # Mia's page shows Mia's points, not Leo's.
        assert f"{store.session(a).points:,}" in page and f"{store.session(b).points:,}" not in page
        assert "with Mia" in html.player_html(store, "Leo")
        cls = html.class_html(store)
        assert "battles won" not in cls.lower() and " won " not in cls.lower()


def test_link_survives_export_and_import(tmp_path):
    with SessionStore.open(tmp_path / "a.db") as store:
        a, b = battle(store, "Mia", "Leo", [80, 70], [60, 75])
        uids = (store.session(a).uid, store.session(b).uid)
        text = export_json(store)
    doc = json.loads(text)
    got = {s["uid"]: s["partner_uid"] for s in doc["sessions"]}
    assert got == {uids[0]: uids[1], uids[1]: uids[0]}
    f = tmp_path / "export.json"
    f.write_text(text)
    with SessionStore.open(tmp_path / "b.db") as other:
        import_file(other, f)
        by_uid = {s.uid: s for s in other.sessions()}
        assert by_uid[uids[0]].partner_uid == uids[1] and other.partner(by_uid[uids[1]]).player == "Mia"


def test_forgetting_one_child_leaves_the_other_a_friend(tmp_path):
    with SessionStore.open(tmp_path / "s.db") as store:
        a, _ = battle(store, "Mia", "Leo", [80, 70], [60, 75])
        store.forget("Leo")
        s = store.session(a)
        assert s.partner_uid and store.partner(s) is None
        page = html.session_html(store, a)
        assert "a battle with a friend" in page and "Leo" not in page


def test_a_guest_partner_is_a_guest(tmp_path):
    with SessionStore.open(tmp_path / "s.db") as store:
        a, b = battle(store, "Mia", None, [80], [60])
        assert "a battle with a guest" in html.session_html(store, a)
        assert store.session(b).guest


def test_previous_schema_migrates_and_keeps_its_sessions(tmp_path):
    p = tmp_path / "old.db"
    db = sqlite3.connect(p, isolation_level=None)
    migrate(db, target=LATEST_VERSION - 1)
    db.close()
    with SessionStore.open(p) as store:
        assert store.schema_version == LATEST_VERSION
        sid = store.start_session(player="Ava", choreography="Hop")
        assert store.session(sid).partner_uid is None and store.partner(store.session(sid)) is None
