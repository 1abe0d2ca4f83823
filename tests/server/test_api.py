"""The class server over real HTTP against PostgreSQL: logins, access between teachers,
device tokens, idempotent uploads, and bad input of every kind answered with a 4xx."""
from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

import server_kit  # type: ignore[import-not-found]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(pg_admin_url: str, tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("server-home")
    db = server_kit.fresh_database(pg_admin_url)
    tokens = server_kit.school(db, home)
    srv = server_kit.LiveServer(db, home).start()
    yield {"url": srv.url, "db": db, "home": home, **tokens}
    srv.stop()


def login(url: str, user: str, password: str = server_kit.TEACHER_PASSWORD) -> httpx.Client:
    c = httpx.Client(base_url=url, follow_redirects=False, timeout=30)
    r = c.post("/login", data={"username": user, "password": password})
    assert r.status_code == 303, r.text
    # httpx keeps Secure cookies for http://127.0.0.1 only if told the origin is secure:
    # copy it by hand, as a browser on localhost would keep it.
    c.cookies.set("dance_session", r.cookies["dance_session"])
    assert "httponly" in r.headers["set-cookie"].lower() and "secure" in r.headers["set-cookie"].lower()
    assert "samesite=strict" in r.headers["set-cookie"].lower()
    return c


def csrf(client: httpx.Client, path: str = "/") -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert m
    return m.group(1)


def session_doc(uid: str, player: str = "Mia", moves: int = 3, completed: bool = True) -> dict:
    return {
        "uid": uid, "player": player, "group": None, "choreography": "Party Bear Boogie",
        "choreography_path": "/etc/passwd", "started_at": "2026-12-02T09:00:00+00:00",
        "finished_at": "2026-12-02T09:01:00+00:00" if completed else None, "difficulty": "easy",
        "latency_s": 0.1, "total": 61.0 if completed else None, "stars": 3 if completed else None,
        "completed": completed,
        "judgements": [{"move_index": i, "move_name": f"Move {i}", "score": 40.0 + 10 * i, "tier": "GOOD",
                        "parts": {"left_arm": 50.0}, "offset_s": 0.0, "time_s": 2.0 * i, "start_s": 2.0 * i,
                        "end_s": 2.0 * i + 2, "gold": False, "combo": i, "tip": "Wave!"} for i in range(moves)],
        "samples": [],
    }


def upload(url: str, token: str, doc, **kw) -> httpx.Response:
    body = doc if isinstance(doc, (bytes, str)) else json.dumps(doc)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **kw.pop("headers", {})}
    return httpx.post(url + "/api/v1/sessions", content=body, headers=headers, timeout=30, **kw)


def test_pages_without_a_login_are_refused(live):
    for path in ("/", "/classes/1", "/classes/1/report", "/children/1", "/sessions/1"):
        r = httpx.get(live["url"] + path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login", path
    for path in ("/classes/1/feed", "/classes/1/export.csv"):
        r = httpx.get(live["url"] + path)
        assert r.status_code == 401 and "log in" in r.json()["error"], path
    # A forged or expired cookie is no login either.
    r = httpx.get(live["url"] + "/", cookies={"dance_session": "x" * 43}, follow_redirects=False)
    assert r.status_code == 303


def test_upload_is_idempotent_and_completes_a_partial_session(live):
    doc = session_doc("uid-idem-1", completed=False, moves=2)
    r1 = upload(live["url"], live["token_a"], doc)
    assert r1.status_code == 201 and r1.json()["status"] == "created"
    assert upload(live["url"], live["token_a"], doc).json()["status"] == "duplicate"
    full = session_doc("uid-idem-1", completed=True, moves=5)
    assert upload(live["url"], live["token_a"], full).json()["status"] == "updated"
    assert upload(live["url"], live["token_a"], full).json()["status"] == "duplicate"
    # An older, less complete copy arriving late never overwrites the whole one.
    assert upload(live["url"], live["token_a"], doc).json()["status"] == "duplicate"
    a = login(live["url"], "ms_rivera")
    cid = re.search(r'href="/classes/(\d+)"', a.get("/").text).group(1)
    feed = a.get(f"/classes/{cid}/feed").json()["sessions"]
    mine = [s for s in feed if s["moves"] == 5 and s["child"] == "Mia"]
    assert len(mine) == 1 and mine[0]["status"] == "finished"


def test_one_teacher_cannot_read_another_teachers_class(live):
    upload(live["url"], live["token_b"], session_doc("uid-badger-1", player="Noah"))
    b = login(live["url"], "mr_okafor")
    b_class = re.search(r'href="/classes/(\d+)"', b.get("/").text).group(1)
    page = b.get(f"/classes/{b_class}").text
    child = re.search(r'href="/children/(\d+)"', page).group(1)
    sess = re.search(r'href="/sessions/(\d+)"', page).group(1)
    a = login(live["url"], "ms_rivera")
    for path in (f"/classes/{b_class}", f"/classes/{b_class}/report", f"/classes/{b_class}/export.csv",
                 f"/classes/{b_class}/feed", f"/children/{child}", f"/sessions/{sess}"):
        r = a.get(path)
        assert r.status_code == 404, path
        assert "Noah" not in r.text
    token = csrf(a)
    for path in (f"/classes/{b_class}/children", f"/classes/{b_class}/devices", f"/children/{child}/forget"):
        assert a.post(path, data={"csrf": token, "name": "Intruder"}).status_code == 404, path
    # ... and B still sees his own.
    assert "Noah" in b.get(f"/children/{child}").text
    # A device of class A cannot overwrite a session of class B by reusing its uid.
    r = upload(live["url"], live["token_a"], session_doc("uid-badger-1", player="Noah", moves=9))
    assert r.status_code == 422 and "another class" in r.json()["error"]


def test_device_tokens_are_checked_and_a_revoked_one_is_refused(live):
    for header in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"},
                   {"Authorization": "Bearer " + "x" * 5000}, {"Authorization": "Bearer not-a-token"}):
        r = httpx.post(live["url"] + "/api/v1/sessions", content=json.dumps(session_doc("u-x")),
                       headers={"Content-Type": "application/json", **header})
        assert r.status_code in (401, 431), header
        assert r.status_code == 431 or "token" in r.json()["error"]
    a = login(live["url"], "ms_rivera")
    cid = re.search(r'href="/classes/(\d+)"', a.get("/").text).group(1)
    page = a.post(f"/classes/{cid}/devices", data={"csrf": csrf(a), "name": "Spare laptop"}).text
    token = re.search(r"--device-token ([A-Za-z0-9_-]+)", page).group(1)
    assert upload(live["url"], token, session_doc("uid-spare-1")).status_code == 201
    dev = re.findall(r'action="/devices/(\d+)/revoke"', a.get(f"/classes/{cid}").text)[-1]
    assert a.post(f"/devices/{dev}/revoke", data={"csrf": csrf(a)}).status_code == 303
    r = upload(live["url"], token, session_doc("uid-spare-2"))
    assert r.status_code == 401 and "revoked" in r.json()["error"]
    assert httpx.get(live["url"] + "/api/v1/roster", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_forms_need_their_csrf_token(live):
    a = login(live["url"], "ms_rivera")
    for data in ({"name": "No token"}, {"name": "Bad", "csrf": "forged"}):
        r = a.post("/classes", data=data)
        assert r.status_code == 403 and "reload the page" in r.text
    assert a.post("/logout", data={}).status_code in (403, 415)
    assert a.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert a.get("/").status_code == 200  # still logged in


def test_logins_are_rate_limited(live):
    c = httpx.Client(base_url=live["url"], timeout=60)
    codes = [c.post("/login", data={"username": "mr_okafor", "password": f"wrong {i}"}).status_code for i in range(7)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]
    r = c.post("/login", data={"username": "mr_okafor", "password": server_kit.TEACHER_PASSWORD})
    assert r.status_code == 429 and "Wait" in r.text  # even the right password waits
    login(live["url"], "ms_rivera")  # another teacher at the same address is not locked out


HOSTILE_NAMES = ["Robert'); DROP TABLE sessions;--", "<script>alert(1)</script>", "\" onmouseover=\"x",
                 "Zoë 🦄", "a" * 64]


def test_injection_in_names_is_stored_as_text_and_shown_escaped(live):
    for i, name in enumerate(HOSTILE_NAMES):
        assert upload(live["url"], live["token_a"], session_doc(f"uid-hostile-{i}", player=name)).status_code == 201
    a = login(live["url"], "ms_rivera")
    cid = re.search(r'href="/classes/(\d+)"', a.get("/").text).group(1)
    page = a.get(f"/classes/{cid}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Robert&#39;); DROP TABLE sessions;--" in page
    report = a.get(f"/classes/{cid}/report").text
    assert "<script>alert(1)</script>" not in report
    r = a.post(f"/classes/{cid}/children", data={"csrf": csrf(a), "name": "<img src=x onerror=alert(1)>"})
    assert r.status_code == 303
    assert "<img src=x" not in a.get(f"/classes/{cid}").text
    # The sessions table is still there (the feed lists them).
    assert len(a.get(f"/classes/{cid}/feed").json()["sessions"]) >= len(HOSTILE_NAMES)


@pytest.mark.parametrize("body, status, words", [
    (b"{not json", 400, "not JSON"),
    (b"\xff\xfe", 400, "not JSON"),
    (b"[]", 422, "one session object"),
    (json.dumps({"uid": 5}), 422, "required property"),
    (json.dumps({**session_doc("u-t0"), "uid": 5}), 422, "uid"),
    (json.dumps({**session_doc("u-t1"), "total": "lots"}), 422, "total"),
    (json.dumps({**session_doc("u-t2"), "judgements": "none"}), 422, "judgements"),
    (json.dumps({**session_doc("u-t3"), "player": ""}), 422, "player"),
    (json.dumps({**session_doc("u-t4"), "player": "x" * 500}), 422, "player"),
    (json.dumps({**session_doc("u-t5"), "uid": "u" * 300}), 422, "uid"),
    (json.dumps({**session_doc("u-t6"), "stars": 2.5}), 422, "stars"),
    (json.dumps({**session_doc("u-t7"), "judgements": [{"move_index": "a"}]}), 422, "judgements"),
    (json.dumps({**session_doc("u-t8"), "started_at": None}), 422, "started_at"),
    (json.dumps({**session_doc("u-t9"), "judgements": [{**session_doc("x")["judgements"][0],
                                                        "extra": {"frame": "iVBORw0KGgo" + "A" * 20000}}]}),
     422, "never pictures"),
])
def test_bad_uploads_get_a_4xx_with_a_clear_message(live, body, status, words):
    r = upload(live["url"], live["token_a"], body)
    assert r.status_code == status, r.text
    msg = r.json()["error"]
    assert words in msg and "Traceback" not in msg


def test_oversized_and_odd_requests_are_refused_cleanly(live):
    big = b'{"uid": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    r = upload(live["url"], live["token_a"], big)
    assert r.status_code == 413 and "larger than" in r.json()["error"]
    r = upload(live["url"], live["token_a"], json.dumps(session_doc("u-ct")), headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    a = login(live["url"], "ms_rivera")
    for path in ("/classes/abc", "/classes/-1", "/classes/99999999999999999999", "/children/0", "/sessions/1e9",
                 "/classes/1/feed?after=zz", "/nope", "/classes/%00"):
        r = a.get(path)
        assert 400 <= r.status_code < 500, (path, r.status_code)
        assert "Traceback" not in r.text
    r = a.post("/classes", content=b"name=x", headers={"Content-Type": "application/json"})
    assert r.status_code == 415
    r = a.post("/classes", data={"csrf": csrf(a), "name": "  "})
    assert r.status_code == 400 and "empty" in r.text
    r = a.put("/classes")
    assert r.status_code == 405


def test_roster_and_forget_reach_the_devices(live):
    a = login(live["url"], "ms_rivera")
    cid = re.search(r'href="/classes/(\d+)"', a.get("/").text).group(1)
    a.post(f"/classes/{cid}/children", data={"csrf": csrf(a), "name": "Leo"})
    roster = httpx.get(live["url"] + "/api/v1/roster", headers={"Authorization": f"Bearer {live['token_a']}"}).json()
    assert roster["class"] == "Otters" and "Leo" in roster["children"]
    page = a.get(f"/classes/{cid}").text
    leo = re.search(r'href="/children/(\d+)">Leo<', page).group(1)
    assert a.post(f"/children/{leo}/forget", data={"csrf": csrf(a)}).status_code == 303
    roster = httpx.get(live["url"] + "/api/v1/roster", headers={"Authorization": f"Bearer {live['token_a']}"}).json()
    assert "Leo" not in roster["children"] and "Leo" in roster["forgotten"]


def test_a_device_path_is_never_read_on_the_server(live):
    """Uploaded documents name a file on the device; the server's reports must not open it."""
    upload(live["url"], live["token_a"], session_doc("uid-path-1", player="Ava"))
    a = login(live["url"], "ms_rivera")
    cid = re.search(r'href="/classes/(\d+)"', a.get("/").text).group(1)
    sess = re.search(r'<a href="/children/\d+">Ava</a>.*?href="/sessions/(\d+)"', a.get(f"/classes/{cid}").text, re.S)
    r = a.get(f"/sessions/{sess.group(1)}")
    assert r.status_code == 200 and "root:x:0" not in r.text and "/etc/passwd" not in r.text


def test_fields_outside_the_session_format_are_not_kept(live):
    doc = {**session_doc("uid-extra-1", player="Ivy"), "camera_frame": "iVBORw0KGgo" + "A" * 50}
    assert upload(live["url"], live["token_a"], doc).status_code == 201
    import sqlalchemy as sa

    from server.db import make_engine, sessions

    eng = make_engine(live["db"])
    with eng.connect() as c:
        payload = c.execute(sa.select(sessions.c.payload).where(sessions.c.uid == "uid-extra-1")).scalar_one()
    eng.dispose()
    assert "camera_frame" not in payload and "iVBOR" not in payload and '"player":"Ivy"' in payload


def test_practice_reaches_the_class_but_never_its_scores(live):
    """A practice session (a move looped at half speed) is listed as practice, shown in the
    child's report with its speed, and kept out of the class's hardest moves."""
    play = {**session_doc("uid-prac-play", player="Noor"),
            "judgements": [{**j, "move_name": "Spin"} for j in session_doc("x", moves=2)["judgements"]]}
    prac = {**session_doc("uid-prac-1", player="Noor", moves=1), "kind": "practice", "speed": 0.5,
            "practice_s": 40.0, "started_at": "2026-12-02T09:05:00+00:00",
            "judgements": [{**session_doc("x", moves=1)["judgements"][0], "move_name": "Practised only",
                            "score": 1.0, "tier": "MISS"}] * 3}
    assert upload(live["url"], live["token_a"], play).status_code == 201
    assert upload(live["url"], live["token_a"], prac).status_code == 201
    bad = {**session_doc("uid-prac-bad", player="Noor"), "kind": "rehearsal"}
    r = upload(live["url"], live["token_a"], bad)
    assert r.status_code == 422 and "kind" in r.json()["error"]
    a = login(live["url"], "ms_rivera")
    cid = re.search(r'href="/classes/(\d+)"', a.get("/").text).group(1)
    page = a.get(f"/classes/{cid}").text
    assert "practice at 0.5×" in page
    assert "Practised only" not in page  # practice is not a try at the song: not in "hardest moves"
    feed = a.get(f"/classes/{cid}/feed").json()["sessions"]
    mine = {s["choreography"] + s["kind"]: s for s in feed if s["child"] == "Noor"}
    assert mine["Party Bear Boogiepractice"]["speed"] == 0.5 and "Party Bear Boogieplay" in mine
    child = re.search(r'<a href="/children/(\d+)">Noor</a>', page).group(1)
    report = a.get(f"/children/{child}").text
    assert "Practice time" in report and "Practised only" in report
