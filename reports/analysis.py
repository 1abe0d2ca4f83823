"""What the reports say, computed from stored sessions: pure functions, no HTML, no plots.

Scores are 0–100 throughout. A move judged more than once in a session (a replay of a
section) counts once, by its last judgement.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import fmean
from typing import Iterable, Sequence

from reports.store import JudgementRow, SessionRow, SessionStore, local_day
from scoring.events import Tier
from scoring.parts import BODY_PARTS

STRONG_PART = 75.0  # a part scoring this or more on average is a strength
WEAK_PART = 60.0  # below this it is something to practise
PRACTISE_COUNT = 3
# Body-part strengths and recurring weak spots look at the latest sessions only: a child
# who has improved should not be held to their first tries.
RECENT_SESSIONS = 5

PART_LABELS = {
    "left_arm": "Left arm", "right_arm": "Right arm", "left_leg": "Left leg",
    "right_leg": "Right leg", "torso": "Body", "head": "Head",
}
PART_EMOJI = {
    "left_arm": "💪", "right_arm": "💪", "left_leg": "🦵", "right_leg": "🦵",
    "torso": "🕺", "head": "🙂",
}
TIER_WORDS = {
    Tier.PERFECT: "Perfect!", Tier.GREAT: "Great!", Tier.GOOD: "Good",
    Tier.OK: "Nice try", Tier.MISS: "Let's practise",
}


def part_label(part: str) -> str:
    return PART_LABELS.get(part, part.replace("_", " ").capitalize())


def cheer(stars: int | None, total: float | None) -> str:
    """A headline for a finished dance: always encouraging, never a verdict."""
    if total is None:
        return "You started a dance — let's finish it next time!"
    s = stars if stars is not None else int(total // 20)
    if s >= 5:
        return "Superstar dancing!"
    if s >= 4:
        return "Amazing moves!"
    if s >= 3:
        return "Great dancing!"
    if s >= 2:
        return "Good job — you're getting it!"
    return "Well done for dancing — every try makes you better!"


def last_per_move(judgements: Iterable[JudgementRow]) -> list[JudgementRow]:
    """One judgement per move index (the last one), in move order."""
    by_index: dict[int, JudgementRow] = {}
    for j in judgements:
        by_index[j.move_index] = j
    return [by_index[i] for i in sorted(by_index)]


def part_means(moves: Sequence[JudgementRow]) -> dict[str, float]:
    """Body part -> mean 0–100 over the moves where that part counted; known parts first."""
    acc: dict[str, list[float]] = defaultdict(list)
    for m in moves:
        for p, v in m.parts.items():
            if math.isfinite(v):
                acc[p].append(v)
    order = [p for p in BODY_PARTS if p in acc] + sorted(p for p in acc if p not in BODY_PARTS)
    return {p: fmean(acc[p]) for p in order}


@dataclass(frozen=True)
class SessionSummary:
    session: SessionRow
    moves: list[JudgementRow]  # one per move, in order
    parts: dict[str, float]  # part -> mean 0–100
    strengths: list[str]  # parts, best first
    weaknesses: list[str]  # parts, weakest first
    practise: list[JudgementRow]  # up to three moves to practise, weakest first
    tiers: dict[str, int]  # tier name -> count, PERFECT first
    mean_score: float | None
    best_move: JudgementRow | None
    samples_t_s: list[float] = field(default_factory=list)
    samples_similarity: list[float] = field(default_factory=list)
    headline: str = ""


def summarise_session(store: SessionStore, ref: int | str = "latest") -> SessionSummary:
    s = store.session(ref)
    moves = last_per_move(store.judgements(s.id))
    parts = part_means(moves)
    ranked = sorted(parts, key=lambda p: -parts[p])
    strengths = [p for p in ranked if parts[p] >= STRONG_PART][:2] or ranked[:1]
    weaknesses = [p for p in reversed(ranked) if parts[p] < WEAK_PART and p not in strengths][:2]
    # Three different moves (a song repeats moves by name): the weakest try of each.
    weakest_by_name: dict[str, JudgementRow] = {}
    for m in sorted(moves, key=lambda m: (m.score, m.move_index)):
        weakest_by_name.setdefault(m.move_name, m)
    practise = [m for m in weakest_by_name.values() if m.tier < Tier.PERFECT][:PRACTISE_COUNT]
    counts = Counter(m.tier for m in moves)
    t, sim = store.samples(s.id)
    if not t:
        t, sim = samples_from_judgements(moves)
    return SessionSummary(
        session=s,
        moves=moves,
        parts=parts,
        strengths=strengths,
        weaknesses=weaknesses,
        practise=practise,
        tiers={tier.name: counts.get(tier, 0) for tier in sorted(Tier, reverse=True)},
        mean_score=fmean(m.score for m in moves) if moves else None,
        best_move=max(moves, key=lambda m: (m.score, -m.move_index)) if moves else None,
        samples_t_s=t,
        samples_similarity=sim,
        headline=cheer(s.stars, s.total),
    )


def samples_from_judgements(moves: list[JudgementRow]) -> tuple[list[float], list[float]]:
    """The similarity timeline (song time s, 0–100) from the per-move samples the scoring
    engine attaches to each judgement (``samples`` at ``sample_rate_hz`` from ``start_s``)."""
    t: list[float] = []
    sim: list[float] = []
    for m in sorted(moves, key=lambda m: m.start_s if m.start_s is not None else 0.0):
        values = m.extra.get("samples") or []
        rate = m.extra.get("sample_rate_hz") or 0.0
        if m.start_s is None or not rate or not values:
            continue
        for i, v in enumerate(values):
            if isinstance(v, (int, float)) and math.isfinite(v):
                t.append(m.start_s + i / rate)
                sim.append(100.0 * float(v))
    return t, sim


def session_part_means(store: SessionStore, session_id: int) -> dict[str, float]:
    return part_means(last_per_move(store.judgements(session_id)))


@dataclass(frozen=True)
class ChoreographyBest:
    choreography: str
    plays: int
    best_total: float | None
    best_stars: int | None
    best_date: str | None
    latest_total: float | None


@dataclass(frozen=True)
class PlayerSummary:
    name: str
    group: str | None
    sessions: list[SessionRow]  # oldest first
    finished: list[SessionRow]  # completed with a total, oldest first
    bests: list[ChoreographyBest]
    part_averages: dict[str, float]  # over the moves of the latest RECENT_SESSIONS sessions
    weakest_counts: dict[str, int]  # part -> recent sessions where it was the weakest part
    recurring_weak: list[str]  # parts weak in at least half of the recent sessions, weakest first
    improvement: float | None  # latest total - first total (finished sessions)
    headline: str
    tricky_moves: list[tuple[str, float, int]] = field(default_factory=list)  # (move, mean score, tries), recent


def summarise_player(store: SessionStore, name: str) -> PlayerSummary:
    p = store.player(name)
    sessions = store.sessions(player=p.name)
    finished = [s for s in sessions if s.completed and s.total is not None]
    by_choreo: dict[str, list[SessionRow]] = defaultdict(list)
    for s in sessions:
        by_choreo[s.choreography].append(s)
    bests = []
    for title, ss in sorted(by_choreo.items(), key=lambda kv: kv[0].lower()):
        done = [s for s in ss if s.completed and s.total is not None]
        best = max(done, key=lambda s: s.total) if done else None  # type: ignore[arg-type, return-value]
        bests.append(ChoreographyBest(
            choreography=title, plays=len(ss),
            best_total=best.total if best else None, best_stars=best.stars if best else None,
            best_date=best.started_at if best else None,
            latest_total=done[-1].total if done else None,
        ))
    all_moves: list[JudgementRow] = []
    weakest: Counter[str] = Counter()
    weak_sessions: Counter[str] = Counter()
    judged = 0
    for s in [s for s in sessions if s.moves][-RECENT_SESSIONS:]:
        moves = last_per_move(store.judgements(s.id))
        if not moves:
            continue
        judged += 1
        all_moves.extend(moves)
        pm = part_means(moves)
        if pm:
            weakest[min(pm, key=lambda k: pm[k])] += 1
            for part, v in pm.items():
                if v < WEAK_PART:
                    weak_sessions[part] += 1
    averages = part_means(all_moves)
    # Weak on average *and* weak in at least half the recent sessions (a part that counts
    # in only a few moves must not be named on one bad day); at most two, weakest first:
    # a report that lists every part as "keep practising" says nothing.
    recurring = sorted(
        (part for part, n in weak_sessions.items()
         if judged and n * 2 >= judged and averages.get(part, 100.0) < WEAK_PART),
        key=lambda part: averages[part],
    )[:2]
    if not recurring and averages:
        # Nothing is weak: still name the part to polish, if it is not already strong.
        part = min(averages, key=lambda k: averages[k])
        if averages[part] < STRONG_PART:
            recurring = [part]
    improvement = finished[-1].total - finished[0].total if len(finished) >= 2 else None  # type: ignore[operator]
    # Moves that stay hard: tried at least twice recently, lowest mean first, below GOOD-ish.
    by_name: dict[str, list[float]] = defaultdict(list)
    for m in all_moves:
        by_name[m.move_name].append(m.score)
    tricky = sorted(((n, fmean(v), len(v)) for n, v in by_name.items() if len(v) >= 2 and fmean(v) < WEAK_PART),
                    key=lambda x: (x[1], x[0]))[:PRACTISE_COUNT]
    if improvement is not None and improvement > 0:
        headline = f"{p.name} has improved by {improvement:.0f} points — fantastic!"
    elif finished:
        headline = f"{p.name} has danced {len(sessions)} time{'s' if len(sessions) != 1 else ''} — keep it up!"
    else:
        headline = f"{p.name} is just getting started!"
    return PlayerSummary(
        name=p.name, group=p.group, sessions=sessions, finished=finished, bests=bests,
        part_averages=averages, weakest_counts=dict(weakest), recurring_weak=recurring,
        improvement=improvement, headline=headline, tricky_moves=tricky,
    )


@dataclass(frozen=True)
class ClassRow:
    name: str
    group: str | None
    sessions: int
    days_active: int
    last_played: str | None  # ISO date-time
    latest_choreography: str | None
    latest_total: float | None
    latest_stars: int | None
    best_total: float | None
    best_stars: int | None
    best_choreography: str | None
    first_total: float | None
    improvement: float | None  # latest - first finished total; None with fewer than 2


@dataclass(frozen=True)
class ClassSummary:
    group: str | None
    rows: list[ClassRow]  # by name
    total_sessions: int
    players_active: int
    most_improved: list[ClassRow]  # ties share the prize; empty if nobody improved
    sessions_by_day: dict[str, int]  # local ISO date -> sessions


def summarise_class(store: SessionStore, group: str | None = None) -> ClassSummary:
    players = store.players(group=group)
    rows: list[ClassRow] = []
    by_day: Counter[str] = Counter()
    for p in players:
        ss = store.sessions(player=p.name)
        done = [s for s in ss if s.completed and s.total is not None]
        for s in ss:
            by_day[local_day(s.started_at)] += 1
        latest = done[-1] if done else None
        best = max(done, key=lambda s: s.total) if done else None  # type: ignore[arg-type, return-value]
        rows.append(ClassRow(
            name=p.name, group=p.group, sessions=len(ss),
            days_active=len({local_day(s.started_at) for s in ss}),
            last_played=ss[-1].started_at if ss else None,
            latest_choreography=latest.choreography if latest else None,
            latest_total=latest.total if latest else None,
            latest_stars=latest.stars if latest else None,
            best_total=best.total if best else None, best_stars=best.stars if best else None,
            best_choreography=best.choreography if best else None,
            first_total=done[0].total if done else None,
            improvement=(done[-1].total - done[0].total) if len(done) >= 2 else None,  # type: ignore[operator]
        ))
    gains = [r for r in rows if r.improvement is not None and r.improvement > 0]
    top = max((r.improvement for r in gains), default=None)  # type: ignore[type-var]
    most = [r for r in gains if r.improvement is not None and top is not None and abs(r.improvement - top) < 1e-9]
    return ClassSummary(
        group=group, rows=rows, total_sessions=sum(r.sessions for r in rows),
        players_active=sum(1 for r in rows if r.sessions), most_improved=most,
        sessions_by_day=dict(sorted(by_day.items())),
    )
