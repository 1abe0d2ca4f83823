"""Render session, player and class reports as self-contained HTML files.

Everything is inline (CSS, SVG charts, SVG figures): the file can be emailed, opened
offline, printed, or read on a phone, and it loads nothing from the network.
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from reports import analysis, plots
from reports.analysis import PART_LABELS, TIER_WORDS, part_label
from reports.pictogram import CoachPoses
from reports.store import JudgementRow, SessionStore, StoreError, local_time
from scoring.events import Tier
from scoring.judge import POINTS_MAX

MAX_STARS = 5
TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def _env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # names and tips are typed by people: always escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        date=human_date, day=human_day, short_date=short_date, part_label=part_label, tier_words=TIER_WORDS, tiers=Tier.__members__,
        tier_order=sorted(Tier, reverse=True), tier_colours=plots.TIER_COLOURS,
        timing=timing_words, count_words=count_words, clock=song_clock, session_points=analysis.session_points,
        points_max=POINTS_MAX, mode_title=mode_title, clock_words=clock_words,
    )
    return env


# The game modes' names as a teacher reads them (reports never import the game).
MODE_TITLES = {"dance": "Dance", "freeze": "Freeze Dance", "hand_jive": "Hand Jive", "face_party": "Face Party",
               "battle": "Dance Battle"}


def partner_label(store: SessionStore, s) -> str | None:
    """Who a battle session was danced with (None: not a battle). Each child's report shows
    their own score only; the partner is a name, "a guest", or "a friend" once that child
    was forgotten (the link then leads nowhere)."""
    if not getattr(s, "partner_uid", None):
        return None
    other = store.partner(s)
    if other is None:
        return "a friend"
    return "a guest" if other.guest else other.player


def mode_title(mode: str | None) -> str:
    return MODE_TITLES.get(mode or "dance", (mode or "dance").replace("_", " ").title())


def human_date(iso: str | None) -> str:
    """'Tue 3 Mar 2026, 10:00' on this computer's clock."""
    if not iso:
        return ""
    try:
        d = local_time(iso)
    except ValueError:
        return iso
    return f"{d.strftime('%a')} {d.day} {d.strftime('%b %Y, %H:%M')}"


def human_day(iso: str | None) -> str:
    """'Tue 3 Mar 2026' (a date, or a timestamp on this computer's clock)."""
    if not iso:
        return ""
    try:
        d = datetime.fromisoformat(iso) if len(iso) == 10 else local_time(iso)
    except ValueError:
        return iso
    return f"{d.strftime('%a')} {d.day} {d.strftime('%b %Y')}"


def short_date(iso: str | None) -> str:
    """'6 Mar' (for narrow screens)."""
    if not iso:
        return ""
    try:
        d = datetime.fromisoformat(iso) if len(iso) == 10 else local_time(iso)
    except ValueError:
        return iso[:10]
    return f"{d.day} {d.strftime('%b')}"


def _scorer_window_s() -> tuple[float, float]:
    """(max_early_s, max_late_s): how far from a move the scorer looks for the child's version."""
    import inspect

    from scoring.processor import ScoreProcessor

    params = inspect.signature(ScoreProcessor.__init__).parameters
    return float(params["max_early_s"].default), float(params["max_late_s"].default)


# Within this of the search window's edge an offset says where the search stopped, not when
# the child moved: a player who does something else entirely (a video of another dance)
# comes out "late" by about the window's width on every move.
TIMING_EDGE_S = 0.08


def timing_words(offset_s: float | None, tier: Tier | None = None) -> str:
    """Timing offset in friendly words (+ = late); "–" when it means nothing: a move not
    matched (below GOOD) or an offset at the edge of what the scorer searched."""
    if offset_s is None:
        return ""
    if tier is not None and tier < Tier.GOOD:
        return "–"
    early_s, late_s = _scorer_window_s()
    if offset_s >= late_s - TIMING_EDGE_S or offset_s <= -(early_s - TIMING_EDGE_S):
        return "–"
    if abs(offset_s) < 0.15:
        return "right on the beat"
    return f"a bit {'late' if offset_s > 0 else 'early'} ({abs(offset_s):.1f} s)"


_NUMBER_WORDS = ("No moves", "One move", "Two moves", "Three moves")


def count_words(n: int) -> str:
    """'Two moves' (the heading says how many there are)."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else f"{n} moves"


def song_clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = max(0, int(seconds))
    return f"{s // 60}:{s % 60:02d}"


def clock_words(seconds: float | None) -> str:
    """Practice time as a teacher says it: "45 s", "3 min", "1 h 05 min"."""
    if not seconds:
        return "0 s"
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    m = s // 60
    return f"{m} min" if m < 60 else f"{m // 60} h {m % 60:02d} min"


def _generated() -> str:
    return human_date(datetime.now(timezone.utc).isoformat(timespec="minutes"))


def session_html(store: SessionStore, ref: int | str = "latest") -> str:
    summary = analysis.summarise_session(store, ref)
    s = summary.session
    coach = CoachPoses(s.choreography_path)

    def figure(m: JudgementRow) -> str:
        return coach.figure(m.move_index, m.move_name, m.start_s, m.end_s, m.parts.keys(),
                            title=f"{m.move_name}: the coach's pose")

    # Every figure before rendering, so the pictograms' CSS can go in the page's head.
    figures = {(m.move_index, m.move_name): figure(m) for m in summary.moves}

    def pose(m: JudgementRow) -> str:
        return figures.get((m.move_index, m.move_name)) or figure(m)

    return _env().get_template("session.html.j2").render(
        kind="session", generated=_generated(), s=s, summary=summary, max_stars=max(MAX_STARS, s.stars or 0),
        timeline_chart=plots.timeline(summary.moves, summary.samples_t_s, summary.samples_similarity)
        if summary.moves else "",
        parts_chart=plots.part_bars(summary.parts, PART_LABELS) if summary.parts else "",
        pose=pose, strong=analysis.STRONG_PART, figure_css=coach.css(),
        shown_points=analysis.session_points(s), partner=partner_label(store, s),
    )


def player_html(store: SessionStore, name: str) -> str:
    p = analysis.summarise_player(store, name)
    partners = {s.uid: partner_label(store, s) for s in p.sessions}
    return _env().get_template("player.html.j2").render(
        kind="player", generated=_generated(), p=p, recent=analysis.RECENT_SESSIONS, partners=partners,
        max_stars=max([MAX_STARS] + [s.stars or 0 for s in p.sessions]),
        progress_chart=plots.progress(p.progress) if p.finished else "",
        parts_chart=plots.part_bars(p.part_averages, PART_LABELS, element_id="parts") if p.part_averages else "",
    )


def class_html(store: SessionStore, group: str | None = None) -> str:
    c = analysis.summarise_class(store, group)
    if group is not None and not c.rows:
        known = ", ".join(store.groups()) or "none yet"
        raise StoreError(f"no players in group {group!r} (groups: {known})")
    days = list(c.sessions_by_day)
    chart = plots.class_chart([r.name for r in c.rows], [r.latest_points for r in c.rows],
                              [r.best_points for r in c.rows], [r.sessions for r in c.rows]) if c.rows else ""
    series = [(r, g) for r in c.rows for g in r.progress if len(g.sessions) >= 2]
    return _env().get_template("class.html.j2").render(
        kind="class", generated=_generated(), c=c, class_chart=chart, series=series,
        participation_chart=plots.participation(c.sessions_by_day) if c.sessions_by_day else "",
        max_stars=max([MAX_STARS] + [r.best_stars or 0 for r in c.rows] + [r.latest_stars or 0 for r in c.rows]),
        title=f"{c.group or 'Our class'}: look at us dance!" if c.total_sessions else f"{c.group or 'Our class'}: ready to dance!",
        first_day=days[0] if days else None, last_day=days[-1] if days else None,
    )


CLASS_CSV_COLUMNS = ("name", "group", "sessions", "days_active", "last_played", "latest_choreography",
                     "latest_points", "latest_stars", "best_points", "best_stars", "best_choreography",
                     "improvement", "improvement_dance")


def class_csv(store: SessionStore, group: str | None = None) -> str:
    c = analysis.summarise_class(store, group)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")  # RFC 4180: a lone \r in a field gets quoted too
    w.writerow(CLASS_CSV_COLUMNS)
    for r in c.rows:
        row = [getattr(r, k) for k in CLASS_CSV_COLUMNS]
        w.writerow(["" if v is None else round(v, 2) if isinstance(v, float) else v for v in row])
    return buf.getvalue()


def write_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write text so that a crash never leaves a half-written report at ``path``.

    The file gets the permissions an ordinary ``open()`` would give it (0666 less the
    umask, so usually -rw-r--r--): a teacher shares reports, and mkstemp's owner-only
    0600 would lock out everyone else on a shared computer or network drive.
    """
    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    except OSError as e:
        raise StoreError(f"{p}: cannot write ({e.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, p)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise StoreError(f"{p}: cannot write ({e.strerror})") from None
    return p
