"""The live-session service: a Tornado app that JupyterHub starts and authenticates (`python -m course.live`).

Every request is authenticated by the hub with `jupyterhub.services.auth`: learners' kernels send their
server's `JUPYTERHUB_API_TOKEN`, the instructor's browser logs in through the hub's OAuth. A cookie-
authenticated request that changes anything must carry the `_xsrf` token (JupyterHub's own check);
token-authenticated requests need none. The JSON API, under the service's prefix (`/services/live/`):

    GET    api/me                       who you are, and whether you may open sessions
    GET    api/sessions?lesson=ID       open sessions for a lesson, with your membership (learners)
    POST   api/sessions                 open a session {"lessons": [...]} (instructors; an open one for the
                                        same lessons is returned again)
    GET    api/sessions/mine            your sessions (instructors)
    POST   api/join                     join an open session by its code {"code": "ABC234"}
    POST   api/sessions/ID/leave        stop sharing with a session
    POST   api/sessions/ID/answers      share one checked answer (a joined learner, an open session)
    GET    api/sessions/ID/results      the dashboard's counts (the session's instructor only)
    POST   api/sessions/ID/close        close the session; its join code stops working
    GET    api/sessions/ID/report       the class report as HTML (closed sessions)
    GET    api/sessions/ID/exports      the export-shaped documents the report is made from (closed sessions)
    DELETE api/sessions/ID              delete the session and everything shared with it

Errors answer `{"error": "..."}` with a status: 400 malformed, 403 not allowed, 404 unknown, 409 closed or not
joined, 413 too large. The message never repeats what was sent.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import signal
import sys
from pathlib import Path
from urllib.parse import urlparse

from tornado.httpserver import HTTPServer
from tornado.web import Application, HTTPError, RequestHandler

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated, UserNotAllowed

from course.live import DATA_ENV, DB_ENV, DEFAULT_GROUP, GROUP_ENV
from course.live import rules
from course.live.db import LiveStore, Session
from course.live.rules import Refused

log = logging.getLogger("course.live")
MAX_CONNECTION_BYTES = 64 * 1024  # anything larger is cut off by the HTTP server before a handler sees it
DB_FILE = "lead-manage-live.sqlite"
SECRET_FILE = "lead-manage-live-cookie-secret"


class Live:
    """What every handler shares: the store, the hub authenticator and who counts as an instructor."""

    def __init__(self, store: LiveStore, group: str):
        self.store = store
        self.group = group

    def is_instructor(self, user: dict) -> bool:
        """Tell whether a hub user may open sessions: a hub admin or a member of the instructors' group."""
        return bool(user.get("admin")) or self.group in (user.get("groups") or [])


class Handler(HubOAuthenticated, RequestHandler):
    """A request authenticated by the hub before anything else runs."""

    api = True

    def initialize(self, live: Live):
        self.live = live

    def set_default_headers(self):
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Security-Policy",
                        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'")

    async def prepare(self):
        # The hub is asked without blocking the loop (the mixin's own get_current_user would wait on it).
        model = await self.hub_auth.get_user(self, sync=False)
        user = None
        if model:
            try:
                user = self.check_hub_user(model)
            except UserNotAllowed:
                raise HTTPError(403, "this hub account may not use the live-session service") from None
        if user is not None and user.get("kind", "user") != "user":
            raise HTTPError(403, "only hub users take part in live sessions")
        self._hub_auth_user_cache = user
        self.current_user = user
        if user is None:
            if self.api or self.request.method != "GET":
                raise HTTPError(403, "not authenticated by the hub")
            self.redirect(self.get_login_url())

    def log_exception(self, typ, value, tb):
        if isinstance(value, HTTPError) and value.status_code < 500:
            log.debug("%d %s %s: %s", value.status_code, self.request.method, self.request.path, value.log_message)
            return
        super().log_exception(typ, value, tb)

    @property
    def person(self) -> str:
        return self.current_user["name"]

    def write_error(self, status_code: int, **kwargs):
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = exc.log_message if isinstance(exc, HTTPError) and exc.log_message else self._reason
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps({"error": message}))

    def send(self, doc, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(doc))

    def body(self, schema: str) -> dict:
        try:
            return rules.parse_body(self.request.body, schema)
        except Refused as exc:
            raise HTTPError(exc.status, str(exc)) from None

    def owned(self, session_id: str) -> Session:
        """Return a session the current user opened; 404 if there is none, 403 if it is someone else's."""
        session = self.live.store.session(session_id)
        if session is None:
            raise HTTPError(404, "no such session")
        if session.instructor != self.person:
            raise HTTPError(403, "only the session's instructor sees or changes it")
        return session

    def instructor_only(self) -> None:
        if not self.live.is_instructor(self.current_user):
            raise HTTPError(403, f"only hub admins and members of the group '{self.live.group}' open live sessions")


def refusing(method):
    """Answer a `Refused` raised by the store with its status and reason."""
    async def run(self, *args):
        try:
            result = method(self, *args)
            if asyncio.iscoroutine(result):
                await result
        except Refused as exc:
            raise HTTPError(exc.status, str(exc)) from None
    run.__name__ = method.__name__
    return run


class MeHandler(Handler):
    def get(self):
        self.send({"name": self.person, "instructor": self.live.is_instructor(self.current_user), "group": self.live.group})


class SessionsHandler(Handler):
    def get(self):
        lesson = self.get_query_argument("lesson", "")
        found = [s for s in self.live.store.open_sessions() if lesson in s.lessons]
        mine = self.live.store.memberships(self.person, [s.id for s in found])
        out = []
        for s in found:
            member = mine.get(s.id)
            out.append({**s.as_json(), "joined": bool(member and member.active),
                        "pseudonym": member.pseudonym if member else None})
        self.send({"sessions": out})

    @refusing
    def post(self):
        self.instructor_only()
        lessons = self.body("open")["lessons"]
        lessons = rules.lesson_ids(lessons)
        for s in self.live.store.sessions_of(self.person):
            if s.open and s.lessons == lessons:  # a re-run cell or a restarted kernel finds its session again
                return self.send(s.as_json())
        self.send(self.live.store.open_session(self.person, lessons).as_json(), 201)


class MineHandler(Handler):
    def get(self):
        self.instructor_only()
        self.send({"sessions": [s.as_json() for s in self.live.store.sessions_of(self.person)]})


class JoinHandler(Handler):
    @refusing
    def post(self):
        code = rules.normal_code(self.body("join")["code"])
        session = self.live.store.by_code(code) if code else None
        if session is None:
            raise HTTPError(404, "no open session has this code")
        member = self.live.store.join(session, self.person)
        self.send({**session.as_json(), "joined": True, "pseudonym": member.pseudonym})


class LeaveHandler(Handler):
    def post(self, session_id):
        if not self.live.store.leave(session_id, self.person):
            raise HTTPError(404, "you have not joined this session")
        self.send({"left": True})


class AnswersHandler(Handler):
    @refusing
    def post(self, session_id):
        session = self.live.store.session(session_id)
        if session is None:
            raise HTTPError(404, "no such session")
        doc = self.body("answer")
        if not session.open:
            raise HTTPError(409, "the session is closed")
        member = self.live.store.membership(session_id, self.person)
        if member is None or not member.active:
            raise HTTPError(409, "join the session before sharing answers with it")
        answer = rules.check_answer(doc, session.lessons)
        stored = self.live.store.add_answer(session_id, self.person, answer)
        self.send({"stored": stored}, 201 if stored else 200)


class ResultsHandler(Handler):
    def get(self, session_id):
        session = self.owned(session_id)
        counts = rules.tally(session.lessons, self.live.store.answer_rows(session_id))
        self.send({"session": session.as_json(), "members": self.live.store.member_count(session_id),
                   "questions": [t.as_json() for t in counts]})


class CloseHandler(Handler):
    def post(self, session_id):
        self.owned(session_id)
        self.send(self.live.store.close_session(session_id).as_json())


class SessionHandler(Handler):
    def get(self, session_id):
        session = self.owned(session_id)
        self.send({**session.as_json(), "members": self.live.store.member_count(session_id),
                   "answers": self.live.store.answer_count(session_id)})

    def delete(self, session_id):
        self.owned(session_id)
        self.live.store.delete_session(session_id)
        self.send({"deleted": True})


class ExportHandler(Handler):
    async def get(self, session_id, what):
        session = self.owned(session_id)
        if session.open:
            raise HTTPError(409, "close the session before exporting its results")
        docs = rules.export_docs(session.id, session.closed_at, self.live.store.answers_with_names(session_id))
        if what == "exports":
            return self.send({"session": session.as_json(), "exports": docs})
        # Drawing the charts takes a while: off the loop, so answers keep arriving meanwhile.
        html = await asyncio.get_running_loop().run_in_executor(None, rules.report_html, docs)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Content-Disposition", f'attachment; filename="live-session-{session.opened_at[:10]}.html"')
        self.finish(html)


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Live class sessions</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse}td,th{padding:.3rem .8rem .3rem 0;text-align:left;border-bottom:1px solid #ccc}
code{font-size:1.2em;letter-spacing:.1em}</style></head><body>
<h1>Live class sessions</h1>
<p>Signed in as <b>{{ name }}</b>.</p>
{% if instructor %}
<p>Open a session from a notebook with <code>live_session("lesson-id")</code>; its dashboard shows the room's answers.
Closed sessions' reports can be downloaded here.</p>
{% if sessions %}<table><tr><th>Opened</th><th>Lessons</th><th>Join code</th><th>State</th><th>Report</th></tr>
{% for s in sessions %}<tr><td>{{ s.opened_at[:16].replace("T", " ") }}</td><td>{{ s.lessons|join(", ") }}</td>
<td>{% if s.open %}<code>{{ s.code }}</code>{% endif %}</td><td>{{ "open" if s.open else "closed" }}</td>
<td>{% if not s.open %}<a href="{{ prefix }}api/sessions/{{ s.id }}/report">HTML report</a>{% endif %}</td></tr>{% endfor %}
</table>{% else %}<p>No sessions yet.</p>{% endif %}
{% else %}
<p>When your instructor opens a live session, the lesson's quiz offers to share your answers with it.
Nothing is shared unless you turn it on.</p>
{% endif %}
</body></html>"""


class PageHandler(Handler):
    api = False

    def get(self):
        if self.current_user is None:
            return  # redirected to the hub's login
        import jinja2

        instructor = self.live.is_instructor(self.current_user)
        sessions = self.live.store.sessions_of(self.person) if instructor else []
        page = jinja2.Environment(autoescape=True).from_string(_PAGE)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(page.render(name=self.person, instructor=instructor, sessions=sessions,
                                prefix=self.settings["live_prefix"]))


def _log_request(handler) -> None:
    # Refused requests are expected (a flood of them is tested): they go to the debug log, not the warnings.
    status = handler.get_status()
    level = logging.ERROR if status >= 500 else logging.DEBUG if status >= 400 else logging.INFO
    log.log(level, "%d %s %s %.1fms", status, handler.request.method, handler.request.path,
            1000 * handler.request.request_time())


def make_app(store: LiveStore, prefix: str = "/services/live/", group: str = DEFAULT_GROUP,
             cookie_secret: bytes | None = None) -> Application:
    """Build the Tornado application.

    Parameters
    ----------
    store:
        Where sessions live.
    prefix:
        The service's URL prefix on the hub (`JUPYTERHUB_SERVICE_PREFIX`), ending in "/".
    group:
        The hub group whose members may open sessions (hub admins always may).
    cookie_secret:
        Signs the OAuth login cookie; random when not given (logins then end when the service restarts).
    """
    prefix = prefix if prefix.endswith("/") else prefix + "/"
    live = Live(store, group)
    sid = r"([0-9a-f]{32})"
    routes = [
        (prefix, PageHandler), (prefix + "api/me", MeHandler), (prefix + "api/sessions", SessionsHandler),
        (prefix + "api/sessions/mine", MineHandler), (prefix + "api/join", JoinHandler),
        (prefix + f"api/sessions/{sid}", SessionHandler), (prefix + f"api/sessions/{sid}/leave", LeaveHandler),
        (prefix + f"api/sessions/{sid}/answers", AnswersHandler),
        (prefix + f"api/sessions/{sid}/results", ResultsHandler), (prefix + f"api/sessions/{sid}/close", CloseHandler),
        (prefix + f"api/sessions/{sid}/(report|exports)", ExportHandler),
    ]
    handlers = [(path, cls, {"live": live}) for path, cls in routes]
    handlers.append((prefix + "oauth_callback", HubOAuthCallbackHandler))
    return Application(handlers, cookie_secret=cookie_secret or secrets.token_bytes(32), log_function=_log_request,
                       live_prefix=prefix, live=live)


def _secret(folder: Path) -> bytes:
    """Return the cookie secret kept in the data folder, making it (readable by the service's user only) once."""
    path = folder / SECRET_FILE
    try:
        return bytes.fromhex(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        value = secrets.token_bytes(32)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(handle, "w") as out:
            out.write(value.hex())
        return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m course.live",
                                description="The Lead & Manage live-session service, run by JupyterHub as a managed service.")
    p.add_argument("--db-url", default=os.environ.get(DB_ENV),
                   help=f"database URL in SQLAlchemy form (default: ${DB_ENV}, else sqlite in the data folder)")
    p.add_argument("--data-dir", type=Path, default=Path(os.environ.get(DATA_ENV) or "."),
                   help=f"folder for the default database and the cookie secret (default: ${DATA_ENV}, else the "
                        "working directory)")
    p.add_argument("--group", default=os.environ.get(GROUP_ENV) or DEFAULT_GROUP,
                   help=f"hub group whose members may open sessions (default: ${GROUP_ENV}, else '{DEFAULT_GROUP}')")
    p.add_argument("--ip", default=None, help="address to listen on (default: from $JUPYTERHUB_SERVICE_URL)")
    p.add_argument("--port", type=int, default=None, help="port to listen on (default: from $JUPYTERHUB_SERVICE_URL)")
    return p


async def serve(args: argparse.Namespace) -> None:
    """Serve until SIGINT or SIGTERM (the hub stops a managed service with SIGINT), then close cleanly."""
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", ""))
    ip, port = args.ip or url.hostname or "127.0.0.1", args.port or url.port
    if not port:
        raise SystemExit("no port: run this as a JupyterHub service (it sets $JUPYTERHUB_SERVICE_URL) or give --port")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    db_url = args.db_url or f"sqlite:///{(args.data_dir / DB_FILE).resolve()}"
    store = LiveStore(db_url)
    HubOAuth.instance(cache_max_age=60)  # a revoked token stops working within a minute
    app = make_app(store, os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/live/"), args.group,
                   _secret(args.data_dir))
    server = HTTPServer(app, max_body_size=MAX_CONNECTION_BYTES, max_buffer_size=MAX_CONNECTION_BYTES, xheaders=True)
    server.listen(port, ip)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.warning("Live sessions on %s:%s, data in %s", ip, port, db_url.split("@")[-1])
    await stop.wait()
    server.stop()
    try:
        await asyncio.wait_for(server.close_all_connections(), 2)
    except asyncio.TimeoutError:
        pass
    store.close()


def main(argv: list[str] | None = None) -> int:
    """Run the service (see `parser` for the options)."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="[live %(levelname)s %(asctime)s] %(message)s")
    asyncio.run(serve(args))
    return 0
