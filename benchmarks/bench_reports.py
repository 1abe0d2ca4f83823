"""Reports: judgement commit latency on the game's thread, and report build times.

Figures (each with its ratio to the target it names):
- record_judgement latency p50/p99 (ms), WAL + synchronous=NORMAL (what the store uses):
  the game calls it on its own thread at the end of each move. Target p99 <= 4 ms, a
  quarter of a 60 fps frame.
- the same with synchronous=FULL (an fsync per judgement), for comparison: why NORMAL.
- session / player / class report build time (s) for a class of 25 children with 20
  sessions each of 30 moves (15,000 judgements). Target 2 s each (a teacher clicks, waits).
- forget (delete + VACUUM) time on that store (s). Target 2 s.

Usage: python benchmarks/bench_reports.py [--quick]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "reports"))

TARGET_COMMIT_P99_MS = 4.0
TARGET_REPORT_S = 2.0
TARGET_FORGET_S = 2.0


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def commit_latency(folder: Path, synchronous: str, n: int) -> list[float]:
    from reports.store import SessionStore
    from reports_kit import make_judgement

    store = SessionStore.open(folder / f"commit-{synchronous}.db")
    store._db.execute(f"PRAGMA synchronous={synchronous}")  # the benchmark's one knob
    sid = store.start_session(player="Bench", choreography="Bench")
    js = [make_judgement(i, 50.0 + i % 50) for i in range(n)]
    out = []
    for j in js:
        t0 = time.perf_counter()
        store.record_judgement(sid, j)
        out.append((time.perf_counter() - t0) * 1000)
    store.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    from reports import html
    from reports.store import SessionStore
    from reports_kit import play

    n_commit = 200 if args.quick else 1000
    kids, sessions_each, moves = (10, 8, 30) if args.quick else (25, 20, 30)
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        folder = Path(tmp)
        for sync in ("NORMAL", "FULL"):
            lat = commit_latency(folder, sync, n_commit)
            p50, p99 = statistics.median(lat), pct(lat, 99)
            print(f"record_judgement synchronous={sync:<6} n={n_commit}: p50 {p50:.3f} ms, p99 {p99:.3f} ms "
                  f"(target p99 <= {TARGET_COMMIT_P99_MS} ms: ratio {p99 / TARGET_COMMIT_P99_MS:.2f})")
        store = SessionStore.open(folder / "class.db")
        rng = random.Random(1)
        t0 = time.perf_counter()
        for d in range(sessions_each):
            for k in range(kids):
                play(store, f"Kid{k:02d}", [min(100.0, max(0.0, rng.gauss(50 + d, 15))) for _ in range(moves)],
                     group="Robins" if k % 2 else "Owls", started_at=f"2026-{1 + d // 28:02d}-{1 + d % 28:02d}T10:00:00Z")
        fill_s = time.perf_counter() - t0
        n_j = kids * sessions_each * moves
        print(f"filled {kids} children x {sessions_each} sessions x {moves} moves = {n_j} judgements "
              f"in {fill_s:.2f} s ({fill_s / n_j * 1000:.3f} ms per judgement incl. sessions)")
        html.session_html(store, "latest")  # warm: imports (matplotlib, jinja2) are not the report's cost
        for label, fn in (("session", lambda: html.session_html(store, "latest")),
                          ("player", lambda: html.player_html(store, "Kid03")),
                          ("class", lambda: html.class_html(store)),
                          ("class csv", lambda: html.class_csv(store))):
            t0 = time.perf_counter()
            page = fn()
            dt = time.perf_counter() - t0
            print(f"{label:<9} report: {dt:.3f} s, {len(page) / 1024:.0f} KiB "
                  f"(target {TARGET_REPORT_S} s: ratio {dt / TARGET_REPORT_S:.2f})")
        size_before = (folder / "class.db").stat().st_size
        t0 = time.perf_counter()
        store.forget("Kid03")
        dt = time.perf_counter() - t0
        print(f"forget 1 of {kids} children + VACUUM: {dt:.3f} s, db {size_before / 1e6:.1f} -> "
              f"{(folder / 'class.db').stat().st_size / 1e6:.1f} MB (target {TARGET_FORGET_S} s: ratio {dt / TARGET_FORGET_S:.2f})")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
