"""Recording: the screen to an MP4 (``--record``) and every judgement to the session store.

``ScreenRecorder`` pipes RGB frames into the ffmpeg binary that ships with imageio-ffmpeg
(H.264, ultrafast preset: encoding runs in its own process, so the game thread only copies
bytes). ``SessionRecorder`` writes each judgement as it happens — to ``reports.store``'s
SQLite store, or, when that store cannot be used, to a JSON-lines file per session under
``DANCE_HOME/sessions/`` — so a crash loses at most the move in progress.
"""
from __future__ import annotations

import json
import re
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from pose.errors import DanceError, VideoError
from pose.paths import dance_home
from scoring.events import Judgement


class ScreenRecorder:
    """Writes drawn frames to ``path`` at ``fps``; the app draws at ``source_fps``.

    When the app draws faster than the recording rate, every n-th frame is kept, so the
    file plays at true speed. frames_written counts frames sent to the encoder.
    """

    def __init__(self, path: str | Path, size_px: tuple[int, int], *, fps: float = 30.0,
                 source_fps: float = 60.0) -> None:
        import imageio_ffmpeg

        self.path = Path(path)
        if self.path.suffix.lower() not in (".mp4", ".mkv", ".mov", ".avi"):
            raise VideoError(f"{self.path}: --record wants a video file name such as out.mp4")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.size_px = (int(size_px[0]), int(size_px[1]))
        self.fps = float(fps)
        self.keep_every = max(1, int(round(source_fps / fps)))
        self.frames_seen = 0
        self.frames_written = 0
        self._gen = imageio_ffmpeg.write_frames(
            str(self.path), self.size_px, fps=self.fps, codec="libx264", macro_block_size=8,
            output_params=["-preset", "ultrafast", "-crf", "26"], ffmpeg_log_level="error",
        )
        try:
            self._gen.send(None)  # starts the ffmpeg process
        except (OSError, RuntimeError) as e:
            raise VideoError(f"{self.path}: cannot start the video encoder ({e})") from None
        self._closed = False

    def write(self, surface) -> None:
        import pygame

        self.frames_seen += 1
        if (self.frames_seen - 1) % self.keep_every:
            return
        if surface.get_size() != self.size_px:
            surface = pygame.transform.smoothscale(surface, self.size_px)
        self._gen.send(pygame.image.tobytes(surface, "RGB"))
        self.frames_written += 1

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                self._gen.close()
            except (OSError, RuntimeError) as e:
                raise VideoError(f"{self.path}: the video encoder failed ({e})") from None


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:40] or "player"


class SessionRecorder:
    """One play session: ``record(judgement)`` as they come, ``finish(total, stars, points)``
    at the end or ``stop(...)`` when the song was stopped early. player None: nobody chose a
    name (the store's Guest profile, never counted as a child).

    backend: "store" (reports.store SessionStore) or "jsonl" (fallback file ``path``).
    rows: judgements written so far.
    """

    def __init__(self, player: str | None, choreography: str, choreography_path: str | None,
                 difficulty: str | None, latency_s: float | None, *, store_path: Path | None = None,
                 use_store: bool = True, mode: str = "dance", kind: str = "play", speed: float = 1.0) -> None:
        self.player = player
        self.rows = 0
        self.backend = "jsonl"
        self.path: Path
        self.session_id: int | None = None
        self._store = None
        self._fh = None
        if use_store:
            try:
                from reports.store import SessionStore

                self._store = SessionStore.open(store_path)
                self.session_id = self._store.start_session(
                    player=player, choreography=choreography, choreography_path=choreography_path,
                    difficulty=difficulty, latency_s=latency_s, mode=mode, kind=kind, speed=speed)
                self.backend = "store"
                self.path = Path(self._store.path)
            except ImportError:
                self._store = None
            except DanceError as e:
                # A broken sessions.db must not stop a child dancing: keep the moves in a file.
                print(f"dance play: warning: session store unusable ({e}); writing JSON lines instead",
                      file=sys.stderr)
                self._store = None
        if self._store is None:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
            folder = dance_home() / "sessions"
            folder.mkdir(parents=True, exist_ok=True)
            self.path = folder / f"{stamp}-{_slug(player or 'guest')}-{int(time.time() * 1000) % 1000:03d}.jsonl"
            self._fh = open(self.path, "a", encoding="utf-8")
            self._write_line({"event": "start", "player": player, "choreography": choreography,
                              "choreography_path": choreography_path, "difficulty": difficulty,
                              "latency_s": latency_s, "mode": mode, "kind": kind, "speed": speed,
                              "started_at": datetime.now(timezone.utc).isoformat()})

    def _write_line(self, obj: dict) -> None:
        self._fh.write(json.dumps(obj) + "\n")
        self._fh.flush()  # one line per judgement, on disk at once

    def link(self, other: "SessionRecorder") -> None:
        """This session and ``other`` are one battle (one session per child, each naming the
        other). With the JSON-lines fallback the link is a line in each file."""
        if self._store is not None and other._store is not None:
            self._store.link_partners(self.session_id, other.session_id)
            return
        for me, them in ((self, other), (other, self)):
            if me._fh is not None:
                me._write_line({"event": "partner", "player": them.player, "path": str(them.path)})

    def record(self, j: Judgement) -> None:
        if self._store is not None:
            self._store.record_judgement(self.session_id, j)
        else:
            self._write_line({"event": "judgement", **j.to_dict()})
        self.rows += 1

    def finish(self, total: float, stars: int, points: int | None = None) -> None:
        if self._store is not None:
            self._store.finish_session(self.session_id, total=total, stars=stars, points=points)
        elif self._fh is not None:
            self._write_line({"event": "finish", "total": round(float(total), 2), "stars": int(stars),
                              "points": None if points is None else int(points)})

    def finish_practice(self, best_score: float | None, practice_s: float) -> None:
        """A practice session ends: its best move score and the seconds practised."""
        if self._store is not None:
            self._store.finish_practice(self.session_id, best_score, practice_s)
        elif self._fh is not None:
            self._write_line({"event": "practice", "best_score": best_score, "practice_s": round(float(practice_s), 2)})

    def stop(self, total: float, stars: int, points: int, stopped_at_s: float) -> None:
        """The song was stopped at song time stopped_at_s: stored as stopped, not finished."""
        if self._store is not None:
            self._store.stop_session(self.session_id, total=total, stars=stars, points=points,
                                     stopped_at_s=stopped_at_s)
        elif self._fh is not None:
            self._write_line({"event": "stop", "total": round(float(total), 2), "stars": int(stars),
                              "points": int(points), "stopped_at_s": round(float(stopped_at_s), 3)})

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def best_stars(choreography_paths: list[str], store_path: Path | None = None,
               player: str | None = None) -> dict[str, int]:
    """Best stars so far per choreography path (for the picker), of one child when
    ``player`` is given (a new child starts with none), else of everyone; {} when there is
    no store."""
    try:
        from reports.store import SessionStore

        store = SessionStore.open(store_path, create=False)
    except (ImportError, DanceError, TypeError):
        return {}
    try:
        out: dict[str, int] = {}
        wanted = set(choreography_paths)
        try:
            mine = store.sessions(player=player, completed_only=True) if player else store.sessions(completed_only=True)
        except DanceError:
            return {}  # a child with no sessions yet
        for s in mine:
            if s.choreography_path in wanted and s.stars is not None:
                out[s.choreography_path] = max(out.get(s.choreography_path, 0), int(s.stars))
        return out
    except DanceError:
        return {}
    finally:
        store.close()
