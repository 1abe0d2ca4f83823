"""Each report kind, rendered by the `dance report` CLI and opened in headless Chromium:
the page (DOM after load) shows the expected content, the screenshot is not blank, the
file loads nothing from the network, and the page prints.

Set DANCE_REPORT_SHOTS=DIR to keep the screenshots for a look.
"""
from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np
import pytest

from game.cli import main as dance
from reports import html
from reports.store import SessionStore

from reports_kit import make_choreography, play  # type: ignore[import-not-found]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (.ci/run installs it)"),
]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--disable-dev-shm-usage"]


def chromium(*args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="dance-chromium-") as profile:
        return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=90)


def dom(html: Path) -> str:
    r = chromium("--dump-dom", html.as_uri())
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


def screenshot(html: Path, png: Path, size: str) -> np.ndarray:
    r = chromium(f"--window-size={size}", f"--screenshot={png}", html.as_uri())
    assert r.returncode == 0 and png.exists(), r.stderr[-2000:]
    keep = os.environ.get("DANCE_REPORT_SHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(keep) / png.name)
    img = cv2.imread(str(png))
    assert img is not None
    return img


def assert_not_blank(img: np.ndarray) -> None:
    assert img.std() > 20, "screenshot is nearly one colour"
    # The warm header gradient and coloured charts: many distinct colours, and some coral/orange.
    colours = np.unique((img[::4, ::4] // 16).reshape(-1, 3), axis=0)
    assert len(colours) > 40
    b, g, r = (img[..., i].astype(int) for i in range(3))
    assert ((r > 200) & (r - b > 60)).mean() > 0.01, "no warm colours on the page"


def assert_self_contained(text: str) -> None:
    for attr, url in re.findall(r'\b(src|href)\s*=\s*["\']([^"\']*)', text):
        assert url.startswith(("#", "data:")), f"{attr}={url} would load from outside the file"
    for url in re.findall(r"url\(\s*['\"]?([^)'\"]*)", text):
        assert url.startswith(("#", "data:image/png;base64,")), f"url({url[:40]}) would load from outside the file"
    assert "<script" not in text and "@import" not in text


def text_of(html_fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_fragment))


@pytest.fixture(scope="module")
def class_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    """A class of four with a week of sessions; Leo improves most. Returns (db, out dir, last session id)."""
    root = tmp_path_factory.mktemp("reports")
    choreo = make_choreography(root / "bunny", pictograms=True)
    db = root / "sessions.db"
    rng = random.Random(7)
    with SessionStore.open(db) as store:
        for day in range(1, 7):
            for name, group, base, gain in (("Mia", "Robins", 58, 2), ("Leo", "Robins", 35, 7),
                                            ("Ava", "Owls", 72, 1), ("Noah", "Robins", 60, 2)):
                if name == "Noah" and day % 2:
                    continue
                scores = [max(0.0, min(100.0, rng.gauss(base + gain * day, 12))) for _ in range(9)]
                sid = play(store, name, scores, group=group, choreography="Bunny Hop" if day % 3 else "Robot Party",
                           choreography_path=str(choreo) if day % 3 else None,
                           started_at=f"2026-03-0{day}T10:{10 + day}:00+01:00")
        # The latest session: Mia, with a clear weak spot and a move played badly.
        sid = play(store, "Mia", [92.0, 81.0, 12.0, 95.0, 64.0, 48.0, 88.0, 30.0],
                   choreography="Bunny Hop", choreography_path=str(choreo), started_at="2026-03-07T09:30:00+01:00")
        store.record_samples(sid, list(np.arange(4.0, 20.0, 0.25)),
                             list(60 + 30 * np.sin(np.arange(4.0, 20.0, 0.25))))
    return db, root, sid


def test_session_report_in_chromium(class_store) -> None:
    db, root, sid = class_store
    out = root / "session.html"
    assert dance(["report", "session", "latest", "-o", str(out), "--db", str(db)]) == 0
    raw = out.read_text(encoding="utf-8")
    assert_self_contained(raw)
    page = dom(out)
    assert re.search(r'id="player"[^>]*>Mia<', page)
    assert re.search(r'id="choreography"[^>]*>Bunny Hop<', page)
    # play() finishes with total = mean score = 63.75 and stars = total // 20 = 3: the game's
    # points for that are 6,375 (total x 100), and the report says the same.
    assert re.search(r'id="points"[^>]*>6,375<', page)
    assert page.count('data-stars="3"') == 1 and 'aria-label="3 of 5 stars"' in page
    assert html.human_date("2026-03-07T09:30:00+01:00") in page  # on this computer's clock
    for name in ("Bunny ears", "Hop hop", "Star jump", "Robot arms", "Twirl", "Big wave", "Stomp left", "Stomp right"):
        assert f"<b>{name}</b>" in page
    # The three moves to practise: the weakest three, weakest first.
    practise = re.findall(r'class="practise-move">([^<]+)<', page)
    assert practise == ["Star jump", "Stomp right", "Big wave"]
    assert re.search(r'<svg[^>]*id="timeline"', page) and re.search(r'<svg[^>]*id="parts"', page)
    assert "how close you were" in page  # the recorded similarity samples are drawn
    # Moves with an authored pictogram show it (embedded once each); the others show the
    # coach's skeleton from the reference track.
    assert page.count('class="pose pic pic-2"') == 2  # Star jump: in the table and to practise
    assert len(set(re.findall(r'class="pose pic (pic-\d+)"', page))) == 4
    assert raw.count("data:image/png;base64,") == 4
    assert page.count('class="pose coach"') >= 4
    assert "tier tier-MISS" in page and "tier tier-PERFECT" in page
    img = screenshot(out, root / "report-session.png", "1200,2600")
    assert_not_blank(img)
    b, g, r = (img[..., i].astype(int) for i in range(3))
    green = (g > 170) & (r < 90) & (b < 90)  # the test pictograms' pure green: really drawn
    assert green.sum() > 500, green.sum()
    phone = screenshot(out, root / "report-session-phone.png", "390,2400")
    assert_not_blank(phone)


def test_player_report_in_chromium(class_store) -> None:
    db, root, _ = class_store
    out = root / "player.html"
    assert dance(["report", "player", "leo", "-o", str(out), "--db", str(db)]) == 0
    assert_self_contained(out.read_text(encoding="utf-8"))
    page = dom(out)
    assert re.search(r'id="player"[^>]*>Leo<', page)
    assert "Leo has improved by" in page
    assert re.search(r'id="session-count"[^>]*>6 dances<', page)
    assert re.search(r'<svg[^>]*id="progress"', page) and re.search(r'<svg[^>]*id="parts"', page)
    bests = text_of(re.search(r'<table id="bests">.*?</table>', page, re.S).group(0))
    assert "Bunny Hop" in bests and "Robot Party" in bests
    assert len(re.findall(r"<tr>", re.search(r'<table id="sessions">.*?</table>', page, re.S).group(0))) == 7
    img = screenshot(out, root / "report-player.png", "1200,2000")
    assert_not_blank(img)
    assert_not_blank(screenshot(out, root / "report-player-phone.png", "390,2000"))


def test_class_report_and_csv_in_chromium(class_store) -> None:
    db, root, _ = class_store
    out, table = root / "class.html", root / "class.csv"
    assert dance(["report", "class", "--group", "Robins", "-o", str(out), "--csv", str(table), "--db", str(db)]) == 0
    assert_self_contained(out.read_text(encoding="utf-8"))
    page = dom(out)
    assert re.search(r'id="group"[^>]*>Robins<', page)
    rows = text_of(re.search(r'<table id="class">.*?</table>', page, re.S).group(0))
    assert "Mia" in rows and "Leo" in rows and "Noah" in rows and "Ava" not in rows  # Ava is an Owl
    assert re.search(r'id="most-improved".*?<b>Leo</b>', page, re.S)
    assert re.search(r'<svg[^>]*id="class-chart"', page) and re.search(r'<svg[^>]*id="participation"', page)
    lines = table.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("name,group,sessions") and len(lines) == 4
    assert [ln.split(",")[0] for ln in lines[1:]] == ["Leo", "Mia", "Noah"]
    assert lines[2].split(",")[2] == "7"  # Mia: six days plus the latest session
    img = screenshot(out, root / "report-class.png", "1200,1800")
    assert_not_blank(img)
    assert_not_blank(screenshot(out, root / "report-class-phone.png", "390,2000"))


def test_session_report_prints(class_store) -> None:
    db, root, sid = class_store
    out = root / "session-print.html"
    assert dance(["report", "session", str(sid), "-o", str(out), "--db", str(db)]) == 0
    pdf = root / "session.pdf"
    r = chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", out.as_uri())
    assert r.returncode == 0 and pdf.exists(), r.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 2  # the long session report spans pages
