"""The teacher dashboard in real headless Chromium, against a live server on PostgreSQL:
log in, watch a session arrive live, open a child's report, log out; pages fetched
without a session are refused.

Set DANCE_SERVER_SHOTS=DIR to keep the screenshots for a look.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import httpx
import pytest

import server_kit  # type: ignore[import-not-found]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (.ci/run installs it)")]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("DANCE_SERVER_SHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)


def test_teacher_logs_in_sees_a_session_arrive_opens_a_report_and_logs_out(pg_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    home = tmp_path / "server-home"
    home.mkdir()
    tokens = server_kit.school(pg_url, home)
    dev = tmp_path / "device"
    dev.mkdir()
    server_kit.record_sessions(dev, "Mia", 2)
    srv = server_kit.LiveServer(pg_url, home).start()
    try:
        from server.client import SyncClient

        SyncClient(srv.url, tokens["token_a"], store_path=dev / "sessions.db", home=dev).sync_once()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(srv.url + "/classes/1")
            expect(page).to_have_url(srv.url + "/login")
            page.fill("input[name=username]", "ms_rivera")
            page.fill("input[name=password]", "wrong password!!")
            page.click("#login")
            expect(page.locator(".error")).to_contain_text("do not match")
            page.fill("input[name=username]", "ms_rivera")
            page.fill("input[name=password]", server_kit.TEACHER_PASSWORD)
            page.click("#login")
            expect(page.locator("h1")).to_have_text("My classes")
            shot(page, tmp_path, "dashboard-home")
            page.click("text=Otters")
            rows = page.locator("#sessions tbody tr")
            expect(rows).to_have_count(2)
            # A new child dances on another device while the teacher watches.
            server_kit.record_sessions(dev, "Leo", 1)
            SyncClient(srv.url, tokens["token_a"], store_path=dev / "sessions.db", home=dev).sync_once()
            expect(rows).to_have_count(3, timeout=15000)
            expect(rows.first).to_contain_text("Leo")
            assert page.url.endswith("/classes/1")  # no reload: the page polled
            shot(page, tmp_path, "dashboard-class-live")
            page.click("#sessions >> text=Mia")
            expect(page.locator("body")).to_contain_text("Mia")
            shot(page, tmp_path, "dashboard-child-report")
            with page.expect_download() as dl:
                page.click("text=Download this report")
            saved = Path(dl.value.path()).read_text()
            assert "Mia" in saved and "Back to the class" not in saved  # the single file, as written
            page.click("text=Back to the class")
            expect(page.locator("h1")).to_have_text("Otters")
            page.click("text=Log out")
            expect(page).to_have_url(srv.url + "/login")
            page.goto(srv.url + "/classes/1")
            expect(page).to_have_url(srv.url + "/login")
            browser.close()
        # Without a session cookie the pages and the data are refused.
        assert httpx.get(srv.url + "/children/1", follow_redirects=False).status_code == 303
        assert httpx.get(srv.url + "/classes/1/feed").status_code == 401
    finally:
        srv.stop()
