"""Practice playlists: what a practice dances, step by step.

``for_move`` is one move broken down (alone, chained, the section at full speed);
``tricky`` is "drill my tricky moves": the moves this child keeps missing in their recent
played sessions (reports.analysis.tricky_moves, the list the player report shows), each
as its own steps, in the order the report lists them (weakest first).
"""
from __future__ import annotations

from pathlib import Path

from game.practice.plan import STEP_KINDS, PracticeStep, programme
from pose.errors import DanceError


def for_move(choreo_path: Path, n_moves: int, move: int, speed: float, kinds: tuple[str, ...] = STEP_KINDS,
             max_loops: int | None = None) -> tuple[PracticeStep, ...]:
    return programme(str(choreo_path), n_moves, move, speed, kinds, max_loops)


def _find_move(paths: list[Path], title: str, stored_path: str | None, move_name: str):
    """(choreography path, move number) of a stored move: the stored file if it still has
    the move, else a known dance with that title; None when neither has it."""
    from content.loader import load_choreography

    candidates: list[Path] = []
    if stored_path:
        candidates.append(Path(stored_path))
    candidates.extend(paths)
    for p in candidates:
        try:
            if not p.is_file():
                continue
            c = load_choreography(p)
        except (DanceError, OSError):
            continue
        if p != Path(stored_path or "") and c.title != title:
            continue
        for i, m in enumerate(c.moves):
            if m.name == move_name:
                return p, i + 1, len(c.moves)
    return None


def tricky(player: str, store_path: Path | None, speed: float, kinds: tuple[str, ...] = ("move",),
           max_loops: int | None = None, known: list[Path] | None = None) -> tuple[PracticeStep, ...]:
    """The steps of drilling ``player``'s tricky moves. DanceError (one line) when the child
    is unknown or has none yet; a tricky move whose dance is gone is left out."""
    from game.scenes.context import find_choreographies
    from reports.analysis import tricky_moves
    from reports.store import SessionStore, StoreError

    try:
        with SessionStore.open(store_path, create=False) as store:
            moves = tricky_moves(store, player)
    except StoreError as e:
        raise DanceError(f"no tricky moves for {player!r}: {e}") from None
    if not moves:
        raise DanceError(f"{player} has no tricky moves yet: a move becomes tricky after two tries "
                         "that match less than 60 % (play a few dances first)")
    paths = list(known) if known is not None else find_choreographies()
    steps: list[PracticeStep] = []
    for m in moves:
        found = _find_move(paths, m.choreography, m.choreography_path, m.move_name)
        if found is None:
            continue
        path, number, n_moves = found
        steps.extend(programme(str(path), n_moves, number, speed, kinds, max_loops))
    if not steps:
        names = ", ".join(f"{m.move_name} ({m.choreography})" for m in moves)
        raise DanceError(f"{player}'s tricky moves ({names}) are in dances that are no longer here")
    return tuple(steps)
