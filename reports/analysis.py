"""What the reports say, computed from stored sessions: pure functions, no HTML, no plots.

A session's result is its points (0–10,000, what the game showed the child); a move's
score is its match 0–100. A move judged more than once in a session (a replay of a
section) counts once, by its last judgement. Progress compares like with like: the same
dance at the same difficulty, finished each time (a stopped song is not compared).
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import fmean
from typing import Iterable, Mapping, Sequence

from reports.store import JudgementRow, SessionRow, SessionStore, local_day
from scoring.events import Tier
from scoring.judge import POINTS_MAX, TIER_LABELS
from scoring.parts import BODY_PARTS

STRONG_PART = 75.0  # a part scoring this or more on average is a strength
WEAK_PART = 60.0  # below this it is something to practise
PRACTISE_COUNT = 3
# Body-part strengths and recurring weak spots look at the latest sessions only: a child
# who has improved should not be held to their first tries.
RECENT_SESSIONS = 5

# The choreography's own part names (what an author writes in `parts:`), capitalised.
PART_LABELS = {
    "left_arm": "Left arm", "right_arm": "Right arm", "left_leg": "Left leg",
    "right_leg": "Right leg", "torso": "Torso", "head": "Head",
}
PART_EMOJI = {
    "left_arm": "💪", "right_arm": "💪", "left_leg": "🦵", "right_leg": "🦵",
    "torso": "🕺", "head": "🙂",
}
TIER_WORDS = TIER_LABELS  # the game's words (results screen), so a child and a teacher read the same
# A move rated this or better is done, not one to practise.
PRACTISE_BELOW = Tier.GREAT


def session_points(s: SessionRow) -> int | None:
    """The points the game showed for a session; sessions from before points were stored
    get total x 100 (what the game shows for a finished song); None while unscored."""
    if s.points is not None:
        return int(s.points)
    if s.total is not None and s.completed:
        return int(round(s.total * POINTS_MAX / 100.0))
    return None


@dataclass(frozen=True)
class DanceProgress:
    """One child's finished plays of one dance at one difficulty, oldest first: the series
    progress is measured on (a different song, or the same one at another level, is not
    compared)."""

    choreography: str
    difficulty: str | None
    sessions: tuple[SessionRow, ...]

    @property
    def points(self) -> list[int]:
        return [p for p in (session_points(s) for s in self.sessions) if p is not None]

    @property
    def first_points(self) -> int | None:
        return self.points[0] if self.points else None

    @property
    def latest_points(self) -> int | None:
        return self.points[-1] if self.points else None

    @property
    def best_points(self) -> int | None:
        return max(self.points) if self.points else None

    @property
    def change(self) -> int | None:
        """Latest minus first points; None with fewer than two plays."""
        pts = self.points
        return pts[-1] - pts[0] if len(pts) >= 2 else None

    @property
    def label(self) -> str:
        return self.choreography + (f" ({self.difficulty})" if self.difficulty else "")


def dance_progress(sessions: Sequence[SessionRow]) -> list[DanceProgress]:
    """The finished sessions grouped by (dance, difficulty), each oldest first; most played first."""
    groups: dict[tuple[str, str | None], list[SessionRow]] = defaultdict(list)
    for s in sessions:
        if s.completed and session_points(s) is not None:
            groups[(s.choreography, s.difficulty)].append(s)
    out = [DanceProgress(c, d, tuple(ss)) for (c, d), ss in groups.items()]
    return sorted(out, key=lambda g: (-len(g.sessions), g.choreography.lower(), g.difficulty or ""))


def biggest_gain(series: Sequence[DanceProgress]) -> DanceProgress | None:
    """The series with the largest change (at least two plays), or None."""
    comparable = [g for g in series if g.change is not None]
    return max(comparable, key=lambda g: g.change, default=None)  # type: ignore[arg-type, return-value]


def points_words(points: float) -> str:
    from scoring.judge import format_points

    return format_points(points)


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
    practise = [m for m in weakest_by_name.values() if m.tier < PRACTISE_BELOW][:PRACTISE_COUNT]
    counts = Counter(m.tier for m in moves)
    # The timeline is the judgements' own (the record's samples); the samples table holds
    # only what older builds and imports recorded before judgements carried one.
    t, sim = samples_from_judgements(moves)
    if not t:
        t, sim = store.samples(s.id)
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
        headline=(f"A good start: {len(moves)} move{'s' * (len(moves) != 1)} danced — finish the song next time!"
                  if s.stopped else cheer(s.stars, s.total)),
    )


def samples_from_judgements(moves: list[JudgementRow]) -> tuple[list[float], list[float]]:
    """The similarity timeline (song time s, 0–100) from the per-move samples the scoring
    engine attaches to each judgement (``samples`` at ``sample_rate_hz`` from ``start_s``)."""
    t: list[float] = []
    sim: list[float] = []
    for m in sorted(moves, key=lambda m: m.start_s if m.start_s is not None else 0.0):
        values = m.samples
        rate = m.sample_rate_hz
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
    best_points: int | None = None


@dataclass(frozen=True)
class PracticeMove:
    """Practice of one move of one dance, and whether it helped.

    practice_s: seconds practised (a chained or section step's time is shared equally by
    its moves); sessions: practice sessions that judged it; loops: its judged loops;
    best_score: its best loop (0-100); speeds: the speeds used, slowest first.
    before_score: its match in the last full play before this practice began (None if it
    was never played); after_score: in the first full play after the latest practice
    (None: not played since). Full plays are the same dance, finished or stopped."""

    choreography: str
    move: str
    practice_s: float
    sessions: int
    loops: int
    best_score: float | None
    slowest_speed: float
    speeds: tuple[float, ...] = ()
    before_score: float | None = None
    after_score: float | None = None
    last_practised: str | None = None

    @property
    def change(self) -> float | None:
        """after - before (match points), when both exist."""
        if self.before_score is None or self.after_score is None:
            return None
        return self.after_score - self.before_score

    @property
    def improved(self) -> bool | None:
        """Better in the next full play than before the practice (None: cannot tell yet)."""
        c = self.change
        return None if c is None else c > 0


def _play_scores(store: SessionStore, plays: Sequence[SessionRow]) -> list[tuple[str, str, str, float]]:
    """(started_at, choreography, move, score) for every move judged in ``plays``."""
    out = []
    for s in plays:
        if not s.moves:
            continue
        for m in last_per_move(store.judgements(s.id)):
            out.append((s.started_at, s.choreography, m.move_name, float(m.score)))
    return out


def practice_by_move(store: SessionStore, name: str) -> list[PracticeMove]:
    """The player's practice per (dance, move), most practised first, with the move's match
    in the full play before the practice and in the next full play after it."""
    acc: dict[tuple[str, str], dict] = {}
    for s in store.sessions(player=name, kind="practice"):
        judged = store.judgements(s.id)
        if not judged:
            continue  # left during the first count-in: nothing was practised
        names = list(dict.fromkeys(j.move_name for j in judged))
        for move in names:
            mine = [j for j in judged if j.move_name == move]
            a = acc.setdefault((s.choreography, move), {"s": 0.0, "n": 0, "loops": 0, "best": None,
                                                        "speeds": set(), "first": s.started_at, "last": s.started_at})
            a["s"] += float(s.practice_s or 0.0) / len(names)
            a["n"] += 1
            a["loops"] += len(mine)
            best = max(j.score for j in mine)
            a["best"] = best if a["best"] is None else max(a["best"], best)
            a["speeds"].add(float(s.speed))
            a["last"] = max(a["last"], s.started_at)
    plays = _play_scores(store, store.sessions(player=name))  # kind "play": oldest first
    rows = []
    for (c, m), v in acc.items():
        # The practice "run" is what came after the last full play before the latest practice:
        # its before is that play, its after the first play once it was over.
        mine = [(t, sc) for t, pc, pm, sc in plays if pc == c and pm == m]
        after = next((sc for t, sc in mine if t > v["last"]), None)
        before_all = [(t, sc) for t, sc in mine if t < v["last"]]
        before = before_all[-1][1] if before_all else None
        speeds = tuple(sorted(v["speeds"]))
        rows.append(PracticeMove(c, m, v["s"], v["n"], v["loops"], v["best"], speeds[0], speeds,
                                 before_score=before, after_score=after, last_practised=v["last"]))
    return sorted(rows, key=lambda r: (-r.practice_s, r.choreography, r.move))


@dataclass(frozen=True)
class PracticeSession:
    """One stored practice session as a teacher reads it: when, the dance, the moves it
    practised in order (one: the move alone; two: a chain; more: a section), the speed,
    the loops judged, how many of them were GOOD or better, the best match, the seconds."""

    started_at: str
    choreography: str
    moves: tuple[str, ...]
    speed: float
    loops: int
    good_loops: int
    best_score: float | None
    practice_s: float

    @property
    def step(self) -> str:
        return "move" if len(self.moves) == 1 else ("chain" if len(self.moves) == 2 else "section")


def practice_sessions(store: SessionStore, name: str) -> list[PracticeSession]:
    """The player's practice sessions, newest first (those with a judged loop)."""
    out = []
    for s in store.sessions(player=name, kind="practice"):
        judged = store.judgements(s.id)
        if not judged:
            continue
        moves = tuple(dict.fromkeys(j.move_name for j in judged))
        # The store lists a session's judgements by move, each move's in time order: the
        # k-th judgement of every move is loop k. A loop was good when it judged every
        # move, each GOOD or better.
        per_move = [[j for j in judged if j.move_name == m] for m in moves]
        n_loops = max(len(js) for js in per_move)
        loops = [[js[k] for js in per_move if k < len(js)] for k in range(n_loops)]
        good = sum(1 for lp in loops if len(lp) == len(moves) and all(j.tier >= Tier.GOOD for j in lp))
        out.append(PracticeSession(s.started_at, s.choreography, moves, float(s.speed), len(loops), good,
                                   max(j.score for j in judged), float(s.practice_s or 0.0)))
    return out[::-1]


@dataclass(frozen=True)
class TrickyMove:
    """A move this child keeps missing: its dance (title and file, as stored), name, mean
    match (0-100) over its recent tries, and how many tries."""

    choreography: str
    choreography_path: str | None
    move_name: str
    mean_score: float
    tries: int


def tricky_moves(store: SessionStore, name: str) -> list[TrickyMove]:
    """The child's tricky moves over the latest RECENT_SESSIONS played sessions: tried at
    least twice, mean below WEAK_PART, lowest first, at most PRACTISE_COUNT. The player
    report lists these and "drill my tricky moves" practises them."""
    p = store.player(name)
    played = [s for s in store.sessions(player=p.name) if s.moves][-RECENT_SESSIONS:]
    scores: dict[tuple[str, str], list[float]] = defaultdict(list)
    paths: dict[tuple[str, str], str | None] = {}
    for s in played:
        for m in last_per_move(store.judgements(s.id)):
            key = (s.choreography, m.move_name)
            scores[key].append(m.score)
            paths[key] = s.choreography_path or paths.get(key)
    rows = [TrickyMove(c, paths[(c, n)], n, fmean(v), len(v)) for (c, n), v in scores.items()
            if len(v) >= 2 and fmean(v) < WEAK_PART]
    return sorted(rows, key=lambda r: (r.mean_score, r.move_name, r.choreography))[:PRACTISE_COUNT]


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
    improvement: int | None  # points: latest - first on the same dance and difficulty (the biggest such gain)
    headline: str
    tricky_moves: list[tuple[str, float, int]] = field(default_factory=list)  # (move, mean score, tries), recent
    drill: list["TrickyMove"] = field(default_factory=list)  # the same moves, with their dance: the practice playlist
    progress: list[DanceProgress] = field(default_factory=list)  # finished plays per dance and difficulty
    improvement_dance: str | None = None  # the series ``improvement`` is measured on
    practice: list[PracticeMove] = field(default_factory=list)  # practice time per move (not in the above)
    practice_sessions: list["PracticeSession"] = field(default_factory=list)  # newest first


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
            best_points=session_points(best) if best else None,
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
    series = dance_progress(sessions)
    gain = biggest_gain(series)
    improvement = gain.change if gain is not None else None
    # Moves that stay hard: tried at least twice recently, lowest mean first, below GOOD-ish.
    drill = tricky_moves(store, p.name)
    tricky = [(m.move_name, m.mean_score, m.tries) for m in drill]
    if improvement is not None and improvement > 0 and gain is not None:
        headline = f"{p.name} has improved by {points_words(improvement)} points on {gain.choreography} — fantastic!"
    elif finished:
        headline = f"{p.name} has danced {len(sessions)} time{'s' if len(sessions) != 1 else ''} — keep it up!"
    else:
        headline = f"{p.name} is just getting started!"
    return PlayerSummary(
        name=p.name, group=p.group, sessions=sessions, finished=finished, bests=bests,
        part_averages=averages, weakest_counts=dict(weakest), recurring_weak=recurring,
        improvement=improvement, headline=headline, tricky_moves=tricky, drill=drill,
        progress=series, improvement_dance=gain.label if gain is not None and improvement is not None else None,
        practice=practice_by_move(store, p.name), practice_sessions=practice_sessions(store, p.name),
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
    improvement: int | None  # points: the biggest latest - first on one dance and difficulty; None if none played twice
    latest_points: int | None = None
    best_points: int | None = None
    improvement_dance: str | None = None
    progress: tuple[DanceProgress, ...] = ()
    practice_s: float = 0.0  # seconds of practice (not in sessions, stars or progress)


@dataclass(frozen=True)
class ClassSummary:
    group: str | None
    rows: list[ClassRow]  # by name
    total_sessions: int
    players_active: int
    most_improved: list[ClassRow]  # ties share the prize; empty if nobody improved
    sessions_by_day: dict[str, int]  # local ISO date -> sessions
    hardest_moves: list["HardMove"] = field(default_factory=list)  # class-wide, hardest first
    practice: list[tuple[str, PracticeMove]] = field(default_factory=list)  # (child, move practised), by child


@dataclass(frozen=True)
class HardMove:
    """A move the class finds hard: its mean match (0–100) over every child's tries."""

    choreography: str
    move_name: str
    mean_score: float
    children: int
    tries: int


HARDEST_COUNT = 5


def hardest_moves(store: SessionStore, per_child: Mapping[str, Sequence[SessionRow]]) -> list[HardMove]:
    """Moves by mean match over the class (each child's judged tries, finished or stopped),
    hardest first; a move needs two tries in all, so one slip is not "hard"."""
    scores: dict[tuple[str, str], list[float]] = defaultdict(list)
    kids: dict[tuple[str, str], set[str]] = defaultdict(set)
    for name, ss in per_child.items():
        for s in ss:
            if not s.moves:
                continue
            for m in last_per_move(store.judgements(s.id)):
                key = (s.choreography, m.move_name)
                scores[key].append(m.score)
                kids[key].add(name)
    rows = [HardMove(c, n, fmean(v), len(kids[(c, n)]), len(v)) for (c, n), v in scores.items() if len(v) >= 2]
    rows = [r for r in rows if r.mean_score < STRONG_PART]
    return sorted(rows, key=lambda r: (r.mean_score, r.choreography, r.move_name))[:HARDEST_COUNT]


def summarise_class(store: SessionStore, group: str | None = None) -> ClassSummary:
    players = store.players(group=group)  # children only: the Guest profile is nobody
    rows: list[ClassRow] = []
    by_day: Counter[str] = Counter()
    per_child: dict[str, list[SessionRow]] = {}
    practice: list[tuple[str, PracticeMove]] = []
    for p in players:
        ss = store.sessions(player=p.name)
        practised = practice_by_move(store, p.name)
        practice.extend((p.name, m) for m in practised)
        per_child[p.name] = ss
        done = [s for s in ss if s.completed and s.total is not None]
        series = dance_progress(ss)
        gain = biggest_gain(series)
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
            improvement=gain.change if gain is not None else None,
            latest_points=session_points(latest) if latest else None,
            best_points=session_points(best) if best else None,
            improvement_dance=gain.label if gain is not None else None,
            progress=tuple(series),
            practice_s=sum(m.practice_s for m in practised),
        ))
    gains = [r for r in rows if r.improvement is not None and r.improvement > 0]
    top = max((r.improvement for r in gains), default=None)  # type: ignore[type-var]
    most = [r for r in gains if r.improvement is not None and top is not None and abs(r.improvement - top) < 1e-9]
    return ClassSummary(
        group=group, rows=rows, total_sessions=sum(r.sessions for r in rows),
        players_active=sum(1 for r in rows if r.sessions), most_improved=most,
        sessions_by_day=dict(sorted(by_day.items())), hardest_moves=hardest_moves(store, per_child),
        practice=practice,
    )
