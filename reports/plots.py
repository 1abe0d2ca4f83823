"""Report charts drawn with matplotlib and returned as inline SVG text.

SVG (not PNG) because it stays sharp when printed or zoomed on a phone and is small; text
is kept as <text> elements (``svg.fonttype = none``) so the page's own font is used and
labels can be found in the page. The width/height attributes are dropped so the chart
scales to its container (the viewBox keeps its shape).
"""
from __future__ import annotations

import io
import math
import re
from datetime import datetime
from typing import Mapping, Sequence

from reports.store import JudgementRow, SessionRow
from scoring.events import Tier

INK = "#3d2c4e"
MUTED = "#8a7a96"
GRID = "#f1e4d8"
PALETTE = ["#ff7a59", "#2ec4b6", "#8e7dff", "#ffb400", "#ff6f91", "#4da8ff", "#6bcb77"]
TIER_COLOURS = {
    Tier.PERFECT: "#8e7dff",
    Tier.GREAT: "#2ec4b6",
    Tier.GOOD: "#4da8ff",
    Tier.OK: "#ffc845",
    Tier.MISS: "#ff9a8b",
}
GOLD = "#e0a100"
FONT = ["DejaVu Sans"]  # ships with matplotlib, so layout never depends on system fonts


def _figure(width_in: float, height_in: float):
    # Imported here: matplotlib costs ~0.3 s to import and `dance --help` must stay fast.
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "svg.fonttype": "none",
        "font.family": FONT,
        "font.size": 11,
        "axes.edgecolor": GRID,
        "axes.labelcolor": INK,
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "axes.spines.top": False,
        "axes.spines.right": False,
    })
    fig, ax = plt.subplots(figsize=(width_in, height_in), dpi=96)
    fig.patch.set_alpha(0.0)
    ax.set_facecolor("none")
    ax.grid(True, axis="y", color=GRID, linewidth=1.0)
    ax.set_axisbelow(True)
    return plt, fig, ax


def _svg(plt, fig, element_id: str, title: str) -> str:
    buf = io.StringIO()
    # A fixed salt per chart keeps the output deterministic and ids distinct between charts.
    with plt.rc_context({"svg.hashsalt": element_id}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML prolog and DOCTYPE: it is inline HTML
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
                 rf'<svg\1 id="{element_id}" class="chart" role="img" aria-label="{_attr(title)}"'
                 r' preserveAspectRatio="xMidYMid meet"',
                 svg, count=1)
    return svg


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def timeline(
    moves: Sequence[JudgementRow],
    samples_t_s: Sequence[float] = (),
    samples_similarity: Sequence[float] = (),
    element_id: str = "timeline",
) -> str:
    """Similarity across the song: each move a bar over its [start_s, end_s] as high as its
    score, coloured by tier (gold moves outlined), with the per-frame similarity line on top
    when samples were recorded. Moves without times are spaced evenly."""
    plt, fig, ax = _figure(10.0, 3.4)
    spans = []
    for k, m in enumerate(moves):
        if m.start_s is not None and m.end_s is not None and m.end_s > m.start_s:
            spans.append((m.start_s, m.end_s))
        else:
            spans.append((2.0 * k, 2.0 * k + 1.8))
    label_names = len(moves) <= 10
    for (a, b), m in zip(spans, moves):
        ax.bar(a, max(m.score, 1.5), width=(b - a) * 0.94, align="edge",
               color=TIER_COLOURS.get(m.tier, PALETTE[0]), alpha=0.9,
               edgecolor=GOLD if m.gold else "none", linewidth=2.2 if m.gold else 0)
        label = m.move_name if label_names else str(m.move_index + 1)
        ax.text((a + b) / 2, max(m.score, 1.5) + 2.5, label, ha="center", va="bottom",
                fontsize=9 if label_names else 8, color=INK, rotation=0 if not label_names or len(label) < 9 else 25)
    if len(samples_t_s) >= 2:
        line_t, line_v = _smoothed_line(samples_t_s, samples_similarity)
        ax.plot(line_t, line_v, color=INK, linewidth=1.6, alpha=0.8, label="how close you were")
        # Above the bars (the y axis runs to 118), never over them.
        ax.legend(loc="upper right", frameon=False, fontsize=9, labelcolor=INK)
    if spans:
        ax.set_xlim(min(a for a, _ in spans) - 0.5, max(b for _, b in spans) + 0.5)
    ax.set_ylim(0, 118)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.set_xlabel("time in the song (seconds)" if not label_names or moves else "")
    ax.set_ylabel("match (%)")
    return _svg(plt, fig, element_id, "How well each move matched, across the song")


def _smoothed_line(t_s: Sequence[float], values: Sequence[float], window_s: float = 0.3,
                   gap_s: float = 0.5) -> tuple[list[float], list[float]]:
    """A centred moving average over window_s (frame-level similarity flickers; a teacher
    wants the trend), with the line broken (NaN) where samples are more than gap_s apart,
    so the stretch between two moves is not drawn as if it were measured."""
    import numpy as np

    t = np.asarray(t_s, dtype=float)
    v = np.asarray(values, dtype=float)
    order = np.argsort(t, kind="stable")
    t, v = t[order], v[order]
    lo = np.searchsorted(t, t - window_s / 2, side="left")
    hi = np.searchsorted(t, t + window_s / 2, side="right")
    csum = np.concatenate([[0.0], np.cumsum(v)])
    smooth = (csum[hi] - csum[lo]) / np.maximum(hi - lo, 1)
    out_t: list[float] = []
    out_v: list[float] = []
    for i in range(len(t)):
        if i and t[i] - t[i - 1] > gap_s:
            out_t.append(float("nan"))
            out_v.append(float("nan"))
        out_t.append(float(t[i]))
        out_v.append(float(smooth[i]))
    return out_t, out_v


def part_bars(parts: Mapping[str, float], labels: Mapping[str, str], element_id: str = "parts") -> str:
    """Horizontal bars: body part -> 0–100, best at the top, warm colours."""
    plt, fig, ax = _figure(5.2, 0.42 * max(len(parts), 1) + 0.7)
    items = sorted(parts.items(), key=lambda kv: kv[1])
    names = [labels.get(k, k) for k, _ in items]
    values = [v for _, v in items]
    colours = [TIER_COLOURS[Tier.GREAT] if v >= 75 else TIER_COLOURS[Tier.OK] if v >= 60 else PALETTE[0]
               for v in values]
    ax.barh(names, values, color=colours, height=0.62)
    for y, v in enumerate(values):
        ax.text(min(v + 1.5, 92), y, f"{v:.0f}", va="center", fontsize=10, color=INK)
    ax.set_xlim(0, 100)
    ax.grid(True, axis="x", color=GRID)
    ax.grid(False, axis="y")
    ax.tick_params(axis="y", colors=INK, length=0)
    return _svg(plt, fig, element_id, "Body parts")


def progress(series: Sequence, element_id: str = "progress") -> str:
    """Points per finished session over time, one line per dance and difficulty
    (analysis.DanceProgress): a line joins only plays of the same dance, so the eye compares
    like with like."""
    from reports.analysis import session_points
    from scoring.judge import POINTS_MAX

    plt, fig, ax = _figure(9.0, 3.4)
    sessions = sorted((s for g in series for s in g.sessions), key=lambda s: (s.started_at, s.id))
    x_of = {s.id: i + 1 for i, s in enumerate(sessions)}
    xs = list(range(1, len(sessions) + 1))
    for i, g in enumerate(series):
        pts = [(x_of[s.id], session_points(s)) for s in g.sessions]
        colour = PALETTE[i % len(PALETTE)]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], color=colour, linewidth=2.0, alpha=0.6, zorder=1)
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=70, color=colour, label=g.label,
                   zorder=2, edgecolors="white", linewidths=1.5)
    titles = [g.label for g in series]
    ax.set_xticks(xs, when_labels([s.started_at for s in sessions]),
                  rotation=30 if len(xs) > 6 else 0, ha="right" if len(xs) > 6 else "center")
    if len(xs) > 14:  # keep dates legible: every k-th
        k = math.ceil(len(xs) / 14)
        for i, lab in enumerate(ax.get_xticklabels()):
            lab.set_visible(i % k == 0 or i == len(xs) - 1)
    ax.set_ylim(0, POINTS_MAX * 1.05)
    ax.yaxis.set_major_formatter(_thousands())
    ax.set_xlim(0.5, len(xs) + 0.5)
    ax.set_ylabel("points")
    if titles:
        ax.legend(loc="lower right", frameon=False, fontsize=9, ncol=min(3, len(titles)), labelcolor=INK)
    return _svg(plt, fig, element_id, "Progress over sessions")


def class_chart(names: Sequence[str], latest: Sequence[float | None], best: Sequence[float | None],
                sessions: Sequence[int], element_id: str = "class-chart") -> str:
    """Per child: best (light) and latest (strong) points side by side, and sessions played."""
    from scoring.judge import POINTS_MAX

    plt, fig, ax = _figure(9.0, 3.4)
    xs = list(range(len(names)))
    w = 0.38 if len(names) > 3 else 0.22  # slim bars for a small class, not a wall of colour
    ax.bar([x - w / 2 for x in xs], [b or 0 for b in best], width=w, color="#ffd9a8", label="best")
    ax.bar([x + w / 2 for x in xs], [v or 0 for v in latest], width=w, color=PALETTE[0], label="latest")
    for x, n in zip(xs, sessions):
        ax.text(x, POINTS_MAX * 1.02, f"{n}×", ha="center", fontsize=8, color=MUTED)
    ax.set_xticks(xs, names, rotation=30 if len(names) > 6 else 0, ha="right" if len(names) > 6 else "center")
    ax.tick_params(axis="x", colors=INK)
    ax.set_ylim(0, POINTS_MAX * 1.1)
    ax.yaxis.set_major_formatter(_thousands())
    ax.set_ylabel("points")
    ax.set_xlim(-0.6, len(names) - 0.4)
    ax.legend(loc="upper left", bbox_to_anchor=(0, 1.16), frameon=False, ncol=2, fontsize=9, labelcolor=INK)
    return _svg(plt, fig, element_id, "Latest and best scores")


def _thousands():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: f"{int(round(v)):,}")


def when_labels(isos: Sequence[str]) -> list[str]:
    """Axis labels for session start times: the day ('2 Dec'), with the local time added
    ('2 Dec 10:15') wherever two sessions share a day, so the labels tell them apart."""
    from collections import Counter

    from reports.store import local_day, local_time

    per_day = Counter(local_day(i) for i in isos)
    out = []
    for iso in isos:
        label = _short_date(iso)
        if per_day[local_day(iso)] > 1:
            try:
                label += local_time(iso).strftime(" %H:%M")
            except ValueError:
                pass
        out.append(label)
    return out


def _short_date(iso: str) -> str:
    from reports.store import local_time

    try:
        d = datetime.fromisoformat(iso) if len(iso) == 10 else local_time(iso)
    except ValueError:
        return iso[:10]
    return f"{d.day} {d.strftime('%b')}"


def participation(sessions_by_day: Mapping[str, int], element_id: str = "participation") -> str:
    """Sessions danced per day (ISO date -> count)."""
    plt, fig, ax = _figure(9.0, 2.4)
    days = list(sessions_by_day)
    xs = list(range(len(days)))
    ax.bar(xs, [sessions_by_day[d] for d in days], width=0.6, color=PALETTE[1])
    ax.set_xticks(xs, [_short_date(d) for d in days], rotation=30 if len(days) > 10 else 0,
                  ha="right" if len(days) > 10 else "center")
    if len(days) > 20:
        k = math.ceil(len(days) / 20)
        for i, lab in enumerate(ax.get_xticklabels()):
            lab.set_visible(i % k == 0)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("dances")
    return _svg(plt, fig, element_id, "Dances per day")
