"""Teachers' passwords, web sessions, CSRF tokens, device tokens and the login rate limit.

- Passwords: argon2id (argon2-cffi's defaults), re-hashed on login when the parameters age.
- Web sessions: a random 256-bit token in an HttpOnly, SameSite=Strict, Secure cookie; the
  database keeps only its SHA-256, so a copy of the database logs nobody in.
- CSRF: every web session has its own random token; each form carries it and every POST
  is refused without it (compared in constant time).
- Device tokens: random 256-bit, shown once to the teacher; the database keeps the SHA-256.
- Login: at most ``MAX_FAILURES`` failed attempts per username from one client address,
  and ``MAX_FAILURES_PER_IP`` per address for all usernames, in ``WINDOW_S``; then 429
  until the window passes (even for the right password).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

SESSION_COOKIE = "dance_session"
SESSION_TTL = timedelta(hours=12)
MAX_FAILURES = 5          # per username from one address
MAX_FAILURES_PER_IP = 30  # per address over all usernames (a school shares one NAT address)
WINDOW_S = 300.0
MIN_PASSWORD_LEN = 10

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


# A hash of a random password: a login for an unknown username does the same work as a
# wrong password, so response times do not tell which usernames exist.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def burn_time(password: str) -> None:
    verify_password(_DUMMY_HASH, password)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def expires_iso(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return (now + SESSION_TTL).isoformat(timespec="seconds")


def check_password_strength(password: str) -> str | None:
    """None if acceptable, else what is wrong (for the CLI that creates teachers)."""
    if len(password) < MIN_PASSWORD_LEN:
        return f"the password must have at least {MIN_PASSWORD_LEN} characters"
    return None


class LoginLimiter:
    """Failed logins per key (client address, username) in a sliding window."""

    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S,
                 max_per_ip: int = MAX_FAILURES_PER_IP):
        self.max_failures = max_failures
        self.max_per_ip = max_per_ip
        self.window_s = window_s
        self._fails: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        q = self._fails[key]
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def blocked_for_s(self, *keys: str) -> float:
        """Seconds until a login may be tried again (0 = allowed now)."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for k in keys:
                q = self._prune(k, now)
                limit = self.max_per_ip if k.startswith("ip:") else self.max_failures
                if len(q) >= limit:
                    wait = max(wait, self.window_s - (now - q[0]))
        return wait

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._prune(k, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._fails.pop(k, None)
