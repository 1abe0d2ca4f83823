"""Alignment: exact banded DTW against a brute-force DTW, the live subsequence DTW against a
brute-force search of its step pattern, and the fastdtw baseline."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from scoring.align import banded_dtw, fastdtw_baseline, subsequence_dtw


def brute_dtw(x: np.ndarray, y: np.ndarray) -> float:
    d = np.linalg.norm(x[:, None] - y[None], axis=2)
    n, m = d.shape
    D = np.full((n + 1, m + 1), np.inf)
    D[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            D[i, j] = d[i - 1, j - 1] + min(D[i - 1, j], D[i, j - 1], D[i - 1, j - 1])
    return float(D[n, m])


@pytest.mark.parametrize("n,m,d", [(1, 1, 2), (1, 7, 3), (9, 1, 2), (40, 40, 3), (57, 33, 4), (33, 57, 5)])
def test_banded_dtw_with_full_band_equals_brute_force(n, m, d):
    rng = np.random.default_rng(n * 100 + m)
    x, y = rng.normal(size=(n, d)), rng.normal(size=(m, d))
    assert banded_dtw(x, y, radius=max(n, m)).cost == pytest.approx(brute_dtw(x, y), rel=1e-12)


def test_banded_dtw_path_is_valid_and_its_cost_is_the_reported_cost():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(80, 3)), rng.normal(size=(70, 3))
    res = banded_dtw(x, y, radius=12, return_path=True)
    p = res.path
    assert tuple(p[0]) == (0, 0) and tuple(p[-1]) == (79, 69)
    steps = np.diff(p, axis=0)
    assert set(map(tuple, steps)) <= {(0, 1), (1, 0), (1, 1)}
    along = np.linalg.norm(x[p[:, 0]] - y[p[:, 1]], axis=1).sum()
    assert along == pytest.approx(res.cost, rel=1e-9)


def test_narrower_band_never_finds_a_cheaper_path():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(120, 4)), rng.normal(size=(120, 4))
    costs = [banded_dtw(x, y, r).cost for r in (0, 3, 10, 30, 120)]
    assert all(a >= b - 1e-9 for a, b in zip(costs, costs[1:]))
    # radius 0 on equal lengths is the diagonal: the plain sum of distances.
    assert costs[0] == pytest.approx(np.linalg.norm(x - y, axis=1).sum())


def test_time_warped_copy_costs_nothing_inside_the_band():
    t = np.linspace(0, 4 * np.pi, 200)
    x = np.stack([np.sin(t), np.cos(2 * t)], axis=1)
    warped_t = np.linspace(0, 4 * np.pi, 200) ** 1.05 / (4 * np.pi) ** 0.05
    y = np.stack([np.sin(warped_t), np.cos(2 * warped_t)], axis=1)
    exact = banded_dtw(x, y, radius=20).cost
    assert exact < 0.2 * np.linalg.norm(x - y, axis=1).sum()


def test_fastdtw_baseline_is_never_better_than_exact_dtw():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(60, 3)), rng.normal(size=(50, 3))
    exact = banded_dtw(x, y, radius=60).cost
    approx = fastdtw_baseline(x, y, radius=1).cost
    assert approx >= exact - 1e-9


@pytest.mark.parametrize("bad", [np.zeros((0, 3)), np.full((4, 3), np.nan)])
def test_banded_dtw_rejects_empty_or_non_finite(bad):
    with pytest.raises(ValueError):
        banded_dtw(bad, np.zeros((4, 3)), radius=2)


def _valid_cols(cols: tuple[int, ...]) -> bool:
    """The step pattern of subsequence_dtw, parsed from the row -> column sequence."""
    diffs = np.diff(cols)
    i = 0
    if len(diffs) and diffs[0] == 0:
        i = 1  # start: two reference rows on the first player sample
    while i < len(diffs):
        if diffs[i] == 2:
            i += 1
        elif diffs[i] == 1:
            i += 2 if i + 1 < len(diffs) and diffs[i + 1] == 0 else 1
        else:
            return False
    return True


@pytest.mark.parametrize("seed", range(6))
def test_subsequence_dtw_equals_exhaustive_search(seed):
    rng = np.random.default_rng(seed)
    n, m = 5, 8
    c = rng.random((n, m))
    best = min(
        (sum(c[i, j] for i, j in enumerate(cols)), cols)
        for cols in itertools.product(range(m), repeat=n)
        if all(0 <= b - a <= 2 for a, b in zip(cols, cols[1:])) and _valid_cols(cols)
    )
    res = subsequence_dtw(c)
    assert res.cost == pytest.approx(best[0])
    assert sum(c[i, j] for i, j in enumerate(res.cols)) == pytest.approx(res.cost)
    assert _valid_cols(tuple(res.cols))


@pytest.mark.parametrize("offset,stretch", [(0, 1.0), (7, 1.0), (12, 1.1), (4, 0.9)])
def test_subsequence_dtw_finds_a_delayed_and_stretched_copy(offset, stretch):
    rng = np.random.default_rng(offset)
    ref = np.cumsum(rng.normal(size=(15, 3)), axis=0)
    m = 40
    # The player shows ref row r at column offset + r * stretch.
    player = np.full((m, 3), 50.0)
    for j in range(m):
        r = (j - offset) / stretch
        if 0 <= r <= 14:
            player[j] = ref[int(round(r))]
    cost = np.linalg.norm(ref[:, None] - player[None], axis=2)
    res = subsequence_dtw(cost)
    assert res.mean_cost < 0.5
    assert abs(res.cols[0] - offset) <= 1
    assert abs((res.cols[-1] - res.cols[0]) / 14 - stretch) < 0.15


def test_subsequence_dtw_rejects_bad_costs():
    with pytest.raises(ValueError):
        subsequence_dtw(np.zeros((0, 4)))
    with pytest.raises(ValueError):
        subsequence_dtw(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="too short"):
        subsequence_dtw(np.zeros((10, 3)))


def test_step_penalty_prefers_a_steady_path_and_reports_the_plain_cost():
    rng = np.random.default_rng(9)
    c = rng.random((12, 30)) * 0.1
    free = subsequence_dtw(c)
    steady = subsequence_dtw(c, step_penalty=10.0)
    assert (np.diff(steady.cols) == 1).all()  # only diagonal steps left
    assert steady.cost == pytest.approx(sum(c[i, j] for i, j in enumerate(steady.cols)))
    assert steady.cost >= free.cost


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402

_costs = st.integers(2, 12).flatmap(
    lambda n: st.integers((n + 1) // 2 + 1, 20).flatmap(
        lambda m: arrays(np.float64, (n, m), elements=st.floats(0, 10, allow_nan=False))
    )
)


@settings(max_examples=60, deadline=None)
@given(_costs)
def test_subsequence_dtw_is_never_worse_than_any_diagonal_path(c):
    res = subsequence_dtw(c)
    n, m = c.shape
    diagonals = [c[np.arange(n), np.arange(n) + s].sum() for s in range(m - n + 1)]
    if diagonals:
        assert res.cost <= min(diagonals) + 1e-9
    assert _valid_cols(tuple(res.cols)) and res.cols[0] >= 0 and res.cols[-1] < m


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 25), st.integers(1, 25), st.integers(0, 30), st.integers(0, 2**31))
def test_banded_dtw_is_bounded_by_the_full_dtw(n, m, radius, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(n, 2)), rng.normal(size=(m, 2))
    banded = banded_dtw(x, y, radius).cost
    assert np.isfinite(banded)
    assert banded >= brute_dtw(x, y) - 1e-9
