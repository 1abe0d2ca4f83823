"""The class server's web app: the teacher dashboard and the device sync API.

    create_app(engine) -> a FastAPI (ASGI) app; ``dance serve`` runs it under uvicorn.

Teacher pages (HTML, login required, every POST with the form's CSRF token):
    GET  /login, POST /login, POST /logout
    GET  /                        my classes (+ a form to add one)
    GET  /classes/{id}            the class: live sessions, roster, hardest moves, devices
    GET  /classes/{id}/feed       JSON: sessions newer than ?after= (the page polls it)
    GET  /classes/{id}/report     the class report (?download=1: the single HTML file)
    GET  /classes/{id}/export.csv one row per judged move
    GET  /children/{id}           the child's report;  GET /sessions/{id}: a session's report
    POST /classes, /classes/{id}/children, /classes/{id}/devices, /devices/{id}/revoke,
         /children/{id}/forget
Device API (JSON, ``Authorization: Bearer <device token>``):
    POST /api/v1/sessions         one session document; idempotent by its uid
    GET  /api/v1/roster           the class's children and the names forgotten on the server

Every error is a 4xx with a one-line message (JSON for the API, a page for a person);
an unexpected fault is a 500 that says only that, with the details in the server's log.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from server import auth, repo
from reports.html import human_date
from server.render import render_child_report, render_class_csv, render_class_report, render_session_report

log = logging.getLogger("dance.server")

MAX_BODY_BYTES = 2 * 1024 * 1024  # a 200-move session with its samples is ~150 KB
TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
# The dashboard runs only its own script; reports are inline CSS and SVG, no script.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


class Problem(Exception):
    """A request the server refuses: HTTP status + one line for the person or device."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _templates():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    from reports.html import human_date

    env.globals["date"] = human_date
    return env


def create_app(engine: sa.Engine, *, secure_cookies: bool = True) -> FastAPI:
    app = FastAPI(title="DanceStudio class server", docs_url=None, redoc_url=None, openapi_url=None)
    env = _templates()
    limiter = auth.LoginLimiter()
    app.state.engine = engine
    app.state.limiter = limiter

    # ---- plumbing ------------------------------------------------------------------------
    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path.endswith((".csv", "/feed"))

    def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        html = env.get_template(name).render(login=getattr(request.state, "login", None), **ctx)
        return HTMLResponse(html, status_code=status)

    def problem_response(request: Request, status: int, message: str) -> Response:
        if wants_json(request):
            return JSONResponse({"error": message}, status_code=status)
        return page(request, "error.html.j2", status=status, status_code=status, message=message)

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem):
        return problem_response(request, exc.status, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        msg = {404: "There is no such page.", 405: "That method is not allowed here."}.get(exc.status_code, str(exc.detail))
        return problem_response(request, exc.status_code, msg)

    @app.exception_handler(Exception)
    async def _fault(request: Request, exc: Exception):
        log.exception("unexpected fault on %s %s", request.method, request.url.path)
        return problem_response(request, 500, "The server hit a fault; it is logged. Try again in a moment.")

    @app.middleware("http")
    async def _guard(request: Request, call_next):
        # Oversized bodies are refused before they are read.
        length = request.headers.get("content-length")
        if length is not None:
            try:
                n = int(length)
            except ValueError:
                return problem_response(request, 400, "Content-Length is not a number.")
            if n > MAX_BODY_BYTES:
                return problem_response(request, 413, f"The body is larger than {MAX_BODY_BYTES // 1024} KB.")
        elif request.method in ("POST", "PUT", "PATCH") and request.headers.get("transfer-encoding"):
            return problem_response(request, 411, "Send a Content-Length (chunked bodies are not accepted).")
        try:
            response = await call_next(request)
        except Exception:  # a fault in a streaming layer below the handlers
            log.exception("unexpected fault on %s %s", request.method, request.url.path)
            response = problem_response(request, 500, "The server hit a fault; it is logged.")
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def db() -> sa.Connection:
        return engine.begin()

    def current_login(request: Request) -> repo.Login:
        with engine.connect() as c:
            login = repo.web_session(c, request.cookies.get(auth.SESSION_COOKIE))
        if login is None:
            raise Problem(401, "Please log in.") if wants_json(request) else _LoginRedirect()
        request.state.login = login
        return login

    async def form(request: Request, login: repo.Login) -> dict[str, str]:
        ctype = request.headers.get("content-type", "")
        if not ctype.startswith("application/x-www-form-urlencoded"):
            raise Problem(415, "Send the form as application/x-www-form-urlencoded.")
        raw = (await request.body()).decode("utf-8", "replace")
        from urllib.parse import parse_qs

        data = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True, max_num_fields=20).items()}
        if not auth.same(data.get("csrf", ""), login.csrf_token):
            raise Problem(403, "This form has expired or did not come from this dashboard; reload the page and try again.")
        return data

    def int_id(value: str, what: str) -> int:
        try:
            v = int(value)
        except (TypeError, ValueError):
            raise Problem(404, f"There is no such {what}.") from None
        if not 0 < v < 2**31:
            raise Problem(404, f"There is no such {what}.")
        return v

    def own_class_or_404(c: sa.Connection, login: repo.Login, class_id: str):
        row = repo.own_class(c, login.teacher_id, int_id(class_id, "class"))
        if row is None:
            raise Problem(404, "There is no such class among yours.")
        return row

    @app.exception_handler(_LoginRedirect)
    async def _to_login(request: Request, exc: "_LoginRedirect"):
        return RedirectResponse("/login", status_code=303)

    # ---- login -----------------------------------------------------------------------------
    @app.get("/login")
    async def login_page(request: Request):
        return page(request, "login.html.j2", error=None)

    @app.post("/login")
    async def login_post(request: Request):
        ctype = request.headers.get("content-type", "")
        if not ctype.startswith("application/x-www-form-urlencoded"):
            raise Problem(415, "Send the form as application/x-www-form-urlencoded.")
        from urllib.parse import parse_qs

        data = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace"),
                                               max_num_fields=10).items()}
        username = " ".join(str(data.get("username", "")).split())[:64]
        password = str(data.get("password", ""))[:1024]
        client = request.client.host if request.client else "?"
        keys = (f"ip:{client}", f"user:{client}:{username.lower()}")
        wait = limiter.blocked_for_s(*keys)
        if wait > 0:
            return page(request, "login.html.j2", status=429,
                        error=f"Too many failed tries. Wait {int(wait) // 60 + 1} minutes and try again.")
        with engine.begin() as c:
            t = repo.teacher_by_username(c, username) if username else None
            if t is None:
                auth.burn_time(password)
                ok = False
            else:
                ok = auth.verify_password(t.password_hash, password)
            if not ok:
                limiter.failed(*keys)
                return page(request, "login.html.j2", status=401, error="That username and password do not match.")
            limiter.succeeded(*keys)
            if auth.needs_rehash(t.password_hash):
                from server.db import teachers

                c.execute(teachers.update().where(teachers.c.id == t.id)
                          .values(password_hash=auth.hash_password(password)))
            token, _csrf = repo.start_web_session(c, t.id)
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(auth.SESSION_COOKIE, token, max_age=int(auth.SESSION_TTL.total_seconds()),
                        httponly=True, secure=secure_cookies, samesite="strict", path="/")
        return resp

    @app.post("/logout")
    async def logout(request: Request):
        login = current_login(request)
        await form(request, login)
        with db() as c:
            repo.end_web_session(c, request.cookies.get(auth.SESSION_COOKIE))
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(auth.SESSION_COOKIE, path="/")
        return resp

    # ---- dashboard -------------------------------------------------------------------------
    @app.get("/")
    async def home(request: Request):
        login = current_login(request)
        with engine.connect() as c:
            rows = repo.teacher_classes(c, login.teacher_id)
        return page(request, "home.html.j2", classes=rows, error=None)

    @app.post("/classes")
    async def add_class(request: Request):
        login = current_login(request)
        data = await form(request, login)
        try:
            with db() as c:
                cid = repo.add_class(c, login.teacher_id, data.get("name", ""))
        except repo.InputError as e:
            with engine.connect() as c:
                rows = repo.teacher_classes(c, login.teacher_id)
            return page(request, "home.html.j2", status=400, classes=rows, error=str(e))
        return RedirectResponse(f"/classes/{cid}", status_code=303)

    def class_page(request: Request, login: repo.Login, class_id: str, status: int = 200,
                   error: str | None = None, new_token: str | None = None):
        with engine.connect() as c:
            cls = own_class_or_404(c, login, class_id)
            return page(request, "class.html.j2", status=status, cls=cls,
                        sessions=repo.class_sessions(c, cls.id, limit=50),
                        children=repo.roster(c, cls.id), hardest=repo.hardest_moves(c, cls.id),
                        devices=repo.class_devices(c, cls.id), error=error, new_token=new_token)

    @app.get("/classes/{class_id}")
    async def class_view(request: Request, class_id: str):
        return class_page(request, current_login(request), class_id)

    @app.get("/classes/{class_id}/feed")
    async def class_feed(request: Request, class_id: str, after: str = "0"):
        login = current_login(request)
        try:
            after_id = max(0, int(after))
        except ValueError:
            raise Problem(400, "after must be a session number") from None
        with engine.connect() as c:
            cls = own_class_or_404(c, login, class_id)
            rows = repo.class_sessions(c, cls.id, after_id=after_id, limit=100)
        return JSONResponse({"sessions": [
            {"id": r.id, "child": r.child, "child_id": r.child_id, "choreography": r.choreography,
             "mode": r.mode or "dance", "kind": r.kind, "speed": r.speed, "difficulty": r.difficulty, "started_at": r.started_at,
             "started": human_date(r.started_at), "points": r.points, "stars": r.stars,
             "status": "finished" if r.completed else ("stopped" if r.finished_at else "playing"),
             "moves": r.judged_moves} for r in reversed(rows)]})

    @app.post("/classes/{class_id}/children")
    async def add_child(request: Request, class_id: str):
        login = current_login(request)
        data = await form(request, login)
        try:
            with db() as c:
                cls = own_class_or_404(c, login, class_id)
                repo.add_child(c, cls.id, data.get("name", ""))
        except repo.InputError as e:
            return class_page(request, login, class_id, status=400, error=str(e))
        return RedirectResponse(f"/classes/{int(class_id)}", status_code=303)

    @app.post("/classes/{class_id}/devices")
    async def add_device(request: Request, class_id: str):
        login = current_login(request)
        data = await form(request, login)
        try:
            with db() as c:
                cls = own_class_or_404(c, login, class_id)
                token = repo.add_device(c, cls.id, data.get("name", ""))
        except repo.InputError as e:
            return class_page(request, login, class_id, status=400, error=str(e))
        # The token is shown once, on this page; it is not stored.
        return class_page(request, login, class_id, new_token=token)

    @app.post("/devices/{device_id}/revoke")
    async def revoke_device(request: Request, device_id: str):
        login = current_login(request)
        await form(request, login)
        with db() as c:
            ok = repo.revoke_device(c, login.teacher_id, int_id(device_id, "device"))
            if not ok:
                raise Problem(404, "There is no such device among your classes.")
            from server.db import devices

            class_id = c.execute(sa.select(devices.c.class_id).where(devices.c.id == int(device_id))).scalar_one()
        return RedirectResponse(f"/classes/{class_id}", status_code=303)

    @app.post("/children/{child_id}/forget")
    async def forget_child(request: Request, child_id: str):
        login = current_login(request)
        await form(request, login)
        with db() as c:
            child = repo.own_child(c, login.teacher_id, int_id(child_id, "child"))
            if child is None:
                raise Problem(404, "There is no such child in your classes.")
            repo.forget_child(c, child.class_id, child.name)
        return RedirectResponse(f"/classes/{child.class_id}", status_code=303)

    def report_response(html: str, filename: str, download: str | None, back: str = "/") -> HTMLResponse:
        if download:
            resp = HTMLResponse(html)
            resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
            return resp
        # In the dashboard a report gets a way back and a download link; the file itself
        # (``?download=1``) stays exactly what ``dance report`` writes.
        bar = ('<nav style="font:15px system-ui,sans-serif;padding:.5rem 1rem;background:#7b2ff7">'
               f'<a style="color:#fff;margin-right:1.2rem" href="{back}">&larr; Back to the class</a>'
               '<a style="color:#fff" href="?download=1">Download this report</a></nav>')
        i = html.find("<body")
        j = html.find(">", i) + 1 if i >= 0 else 0
        return HTMLResponse(html[:j] + bar + html[j:])

    @app.get("/classes/{class_id}/report")
    async def class_report(request: Request, class_id: str, download: str | None = None):
        login = current_login(request)
        with engine.connect() as c:
            cls = own_class_or_404(c, login, class_id)
            docs = repo.payloads(c, cls.id)
            names = [r.name for r in repo.roster(c, cls.id)]
        return report_response(render_class_report(cls.name, docs, names), f"class-{cls.id}.html", download,
                               back=f"/classes/{cls.id}")

    @app.get("/classes/{class_id}/export.csv")
    async def class_csv(request: Request, class_id: str):
        login = current_login(request)
        with engine.connect() as c:
            cls = own_class_or_404(c, login, class_id)
            docs = repo.payloads(c, cls.id)
        return Response(render_class_csv(cls.name, docs), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="class-{cls.id}.csv"'})

    @app.get("/children/{child_id}")
    async def child_report(request: Request, child_id: str, download: str | None = None):
        login = current_login(request)
        with engine.connect() as c:
            child = repo.own_child(c, login.teacher_id, int_id(child_id, "child"))
            if child is None:
                raise Problem(404, "There is no such child in your classes.")
            docs = repo.payloads(c, child.class_id, child.id)
            partners = repo.partner_payloads(c, child.class_id, docs)
        if not docs:
            return page(request, "error.html.j2", status=200, status_code=200,
                        message=f"{child.name} has not danced yet: their report appears after their first song.")
        return report_response(render_child_report(child.name, child.class_name, docs, partners),
                               f"child-{child.id}.html", download, back=f"/classes/{child.class_id}")

    @app.get("/sessions/{session_id}")
    async def session_report(request: Request, session_id: str, download: str | None = None):
        login = current_login(request)
        with engine.connect() as c:
            s = repo.own_session(c, login.teacher_id, int_id(session_id, "session"))
            doc = json.loads(s.payload) if s is not None else None
            partners = repo.partner_payloads(c, s.class_id, [doc]) if s is not None else []
        if s is None:
            raise Problem(404, "There is no such session in your classes.")
        return report_response(render_session_report(doc, s.class_name, partners),
                               f"session-{s.id}.html", download, back=f"/classes/{s.class_id}")

    @app.get("/static/dashboard.js")
    async def dashboard_js():
        return Response((STATIC / "dashboard.js").read_text(), media_type="text/javascript",
                        headers={"Cache-Control": "max-age=300"})

    @app.get("/healthz")
    async def health():
        with engine.connect() as c:
            c.execute(sa.text("SELECT 1"))
        return PlainTextResponse("ok")

    # ---- device API ------------------------------------------------------------------------
    def device_or_401(request: Request):
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Problem(401, "Send the device token as 'Authorization: Bearer TOKEN' (a teacher makes one in the dashboard).")
        with engine.begin() as c:
            dev = repo.device_by_token(c, token.strip())
            if dev is None:
                raise Problem(401, "This device token is unknown or was revoked; ask the teacher for a new one.")
            repo.touch_device(c, dev.id)
        return dev

    def ingest(request: Request, body: bytes):
        """Runs on a worker thread: the database work must not stall the event loop."""
        dev = device_or_401(request)
        if not request.headers.get("content-type", "").startswith("application/json"):
            raise Problem(415, "Send the session as application/json.")
        if len(body) > MAX_BODY_BYTES:
            raise Problem(413, f"The body is larger than {MAX_BODY_BYTES // 1024} KB.")
        try:
            doc = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise Problem(400, f"The body is not JSON ({str(e).splitlines()[0][:120]}).") from None
        try:
            doc = repo.validate_session(doc)
        except repo.InputError as e:
            raise Problem(422, str(e)) from None
        for attempt in range(3):
            try:
                with engine.begin() as c:
                    status = repo.store_session(c, dev, doc)
                break
            except repo.InputError as e:
                raise Problem(422, str(e)) from None
            except (sa.exc.IntegrityError, sa.exc.OperationalError):
                # A concurrent upload of the same session (or a lock) got there first:
                # try again, so the answer is about what is now on the server.
                if attempt == 2:
                    raise Problem(503, "The server is busy; the device will upload this session again.") from None
        return JSONResponse({"uid": doc["uid"], "status": status}, status_code=201 if status == "created" else 200)

    @app.post("/api/v1/sessions")
    async def upload_session(request: Request):
        body = await request.body()
        return await run_in_threadpool(ingest, request, body)

    @app.get("/api/v1/roster")
    def device_roster(request: Request):
        dev = device_or_401(request)
        with engine.connect() as c:
            from server.db import classes

            name = c.execute(sa.select(classes.c.name).where(classes.c.id == dev.class_id)).scalar_one()
            kids = [r.name for r in repo.roster(c, dev.class_id)]
            gone = repo.forgotten_names(c, dev.class_id)
        return JSONResponse({"class": name, "children": kids, "forgotten": gone})

    return app


class _LoginRedirect(Exception):
    """A page asked for without a login: go to /login."""
