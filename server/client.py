"""A game device's side of the class server: offline-first upload of its sessions.

The device's own SessionStore stays the source of truth. A small ledger beside it
(``DANCE_HOME/sync.db``) remembers, per session uid, how complete the copy on the server
is; ``SyncClient.sync_once()`` uploads every session whose server copy is missing or less
complete (a session being danced goes up as it grows, then once more when it ends), then
asks for the class roster and deletes locally every child the teacher forgot on the server.

The network may drop at any moment: an upload either lands whole on the server (one
transaction there) or not at all, the ledger is written only after the server's answer,
and a retry of a session the server already has is answered "duplicate". So nothing is
ever lost or doubled, however often sync is cut off and retried.

Only the standard library: the player install does not carry the server's packages.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pose.errors import DanceError
from pose.paths import dance_home

LEDGER = "sync.db"
ROSTER = "roster.json"
TIMEOUT_S = 10.0


class SyncError(DanceError):
    """The server refused the device (its token) or the URL is not a class server."""


@dataclass
class SyncReport:
    uploaded: list[str] = field(default_factory=list)
    duplicates: int = 0
    pending: int = 0
    forgotten: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _completeness(s) -> tuple[int, int, int]:
    return (int(bool(s.completed)), int(bool(s.finished_at)), int(s.moves))


class Ledger:
    """uid -> the completeness of the copy the server acknowledged."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS uploads (server TEXT NOT NULL, uid TEXT NOT NULL,"
                        " completed INTEGER, finished INTEGER, moves INTEGER, uploaded_at REAL,"
                        " PRIMARY KEY (server, uid))")
        self._lock = threading.Lock()

    def acknowledged(self, server: str) -> dict[str, tuple[int, int, int]]:
        with self._lock:
            return {r[0]: (r[1], r[2], r[3]) for r in self.db.execute(
                "SELECT uid, completed, finished, moves FROM uploads WHERE server = ?", (server,))}

    def record(self, server: str, uid: str, level: tuple[int, int, int]) -> None:
        with self._lock:
            self.db.execute("INSERT OR REPLACE INTO uploads VALUES (?, ?, ?, ?, ?, ?)",
                            (server, uid, *level, time.time()))

    def close(self) -> None:
        self.db.close()


class SyncClient:
    """Uploads one device store's sessions to a class server with a device token."""

    def __init__(self, url: str, token: str, store_path: Path | None = None, home: Path | None = None,
                 timeout_s: float = TIMEOUT_S):
        url = url.strip().rstrip("/")
        if not (url.startswith("http://") or url.startswith("https://")):
            raise SyncError(f"--server must be an http:// or https:// URL, got {url!r}")
        if not token or not token.strip():
            raise SyncError("--device-token is empty: a teacher makes one in the class server's dashboard")
        self.url = url
        self.token = token.strip()
        self.home = home or dance_home()
        self.store_path = store_path
        self.timeout_s = timeout_s
        self.ledger = Ledger(self.home / LEDGER)

    # ---- HTTP ------------------------------------------------------------------------------
    def _request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, dict]:
        req = urllib.request.Request(self.url + path, data=body, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
            "Accept": "application/json", "User-Agent": "DanceStudio-device"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            try:
                detail = json.loads(e.read() or b"{}").get("error", "")
            except (ValueError, AttributeError):
                detail = ""
            if e.code == 401:
                raise SyncError(detail or "the class server refused this device's token") from None
            return e.code, {"error": detail or e.reason}

    # ---- one pass --------------------------------------------------------------------------
    def _store(self):
        from reports.store import SessionStore

        return SessionStore.open(self.store_path) if self.store_path else SessionStore.open()

    def _documents(self, store, rows) -> list[dict]:
        from reports.export import export_json

        by_player: dict[str, list] = {}
        for s in rows:
            by_player.setdefault(s.player, []).append(s.uid)
        docs = []
        for player, uids in by_player.items():
            wanted = set(uids)
            doc = json.loads(export_json(store, player=player))
            docs += [d for d in doc["sessions"] if d["uid"] in wanted]
        return docs

    def sync_once(self) -> SyncReport:
        """Upload what the server lacks, then apply the roster's forgotten names. Network
        trouble ends the pass early with ``error`` set; the next pass resumes."""
        rep = SyncReport()
        store = self._store()
        try:
            # The roster first: a child the teacher forgot is deleted here before any of
            # their sessions could be uploaded again.
            try:
                status, roster = self._request("GET", "/api/v1/roster")
            except (urllib.error.URLError, OSError, TimeoutError) as e:
                rep.pending = sum(1 for _ in self._todo(store))
                rep.error = f"class server not reachable ({_reason(e)}); sessions stay queued"
                return rep
            if status == 200:
                self._apply_roster(store, roster, rep)
            todo = self._todo(store)
            rep.pending = len(todo)
            levels = {s.uid: _completeness(s) for s in todo}
            for doc in self._documents(store, todo):
                try:
                    status, answer = self._request("POST", "/api/v1/sessions",
                                                   json.dumps(doc, ensure_ascii=False).encode("utf-8"))
                except (urllib.error.URLError, OSError, TimeoutError) as e:
                    rep.error = f"class server not reachable ({_reason(e)}); sessions stay queued"
                    return rep
                if status in (200, 201):
                    self.ledger.record(self.url, doc["uid"], levels[doc["uid"]])
                    rep.pending -= 1
                    if answer.get("status") == "duplicate":
                        rep.duplicates += 1
                    else:
                        rep.uploaded.append(doc["uid"])
                elif 400 <= status < 500:
                    # The server will never take this one as it is: say so, keep the rest going.
                    rep.error = f"the server refused session {doc['uid']}: {answer.get('error', status)}"
                else:
                    rep.error = f"the class server answered {status}; sessions stay queued"
                    return rep
            if rep.uploaded:  # new children may be on the roster now
                try:
                    status, roster = self._request("GET", "/api/v1/roster")
                    if status == 200:
                        self._apply_roster(store, roster, SyncReport())
                except (urllib.error.URLError, OSError, TimeoutError):
                    pass  # the next pass fetches it
        finally:
            store.close()
        return rep

    def _todo(self, store) -> list:
        acked = self.ledger.acknowledged(self.url)
        # A guest is nobody: their dances stay on this device and never reach the class.
        return [s for s in store.sessions(kind=None) if not getattr(s, "guest", False)
                and acked.get(s.uid, (-1, -1, -1)) < _completeness(s)]

    def _apply_roster(self, store, roster: dict, rep: SyncReport) -> None:
        from reports.store import StoreError

        for name in roster.get("forgotten", []):
            try:
                store.forget(name)
                rep.forgotten.append(name)
            except StoreError:
                pass  # not on this device
        path = self.home / ROSTER
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"server": self.url, "class": roster.get("class"),
                                   "children": roster.get("children", [])}, ensure_ascii=False))
        tmp.replace(path)

    def close(self) -> None:
        self.ledger.close()


def _reason(e: BaseException) -> str:
    r = getattr(e, "reason", None) or e
    return str(r).strip() or type(e).__name__


def cached_roster(home: Path | None = None) -> list[str]:
    """The children of the class this device is enrolled in, as last fetched (for the
    game's child picker); [] when the device is not enrolled or never reached the server."""
    try:
        data = json.loads(((home or dance_home()) / ROSTER).read_text())
        return [n for n in data.get("children", []) if isinstance(n, str)]
    except (OSError, ValueError, AttributeError):
        return []


class BackgroundSync:
    """Runs ``sync_once`` every ``interval_s`` on a daemon thread, never blocking the game;
    backs off to ``max_interval_s`` while the server is unreachable."""

    def __init__(self, client: SyncClient, interval_s: float = 5.0, max_interval_s: float = 60.0,
                 on_report: Callable[[SyncReport], None] | None = None):
        self.client = client
        self.interval_s = interval_s
        self.max_interval_s = max_interval_s
        self.on_report = on_report
        self.last: SyncReport | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name="dance-sync", daemon=True)

    def start(self) -> "BackgroundSync":
        self._thread.start()
        return self

    def poke(self) -> None:
        """Sync soon (a session just ended)."""
        self._wake.set()

    def _main(self) -> None:
        wait = self.interval_s
        while not self._stop.is_set():
            try:
                self.last = self.client.sync_once()
            except DanceError as e:
                self.last = SyncReport(error=str(e))
            except Exception as e:  # the game must go on whatever sync meets
                self.last = SyncReport(error=f"sync failed: {type(e).__name__}: {e}")
            if self.on_report:
                self.on_report(self.last)
            wait = self.interval_s if self.last.ok else min(self.max_interval_s, wait * 2)
            self._wake.wait(wait)
            self._wake.clear()

    def stop(self, final_sync: bool = True, timeout_s: float = 10.0) -> SyncReport | None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout_s)
        if final_sync:
            try:
                self.last = self.client.sync_once()
            except DanceError as e:
                self.last = SyncReport(error=str(e))
        return self.last
