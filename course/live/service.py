"""The live-session service: a Tornado app that JupyterHub starts and authenticates (`python -m course.live`).

Every request is authenticated by the hub with `jupyterhub.services.auth`: learners' kernels send their
server's `JUPYTERHUB_API_TOKEN`, the instructor's browser logs in through the hub's OAuth. A cookie-
authenticated request that changes anything must carry the `_xsrf` token (JupyterHub's own check);
token-authenticated requests need none. The JSON API, under the service's prefix (`/services/live/`):

    GET    api/me                       who you are, and whether you may open sessions
    GET    api/sessions?lesson=ID       open sessions for a lesson that you may join, with your membership
    POST   api/sessions                 open a session {"lessons": [...], "groups": [...]} (instructors; groups
                                        optional: only members of those hub groups see and join it; an open one
                                        for the same lessons and groups is returned again)
    GET    api/sessions/mine            your sessions (instructors)
    POST   api/join                     join an open session by its code {"code": "ABC234"}
    POST   api/sessions/ID/leave        stop sharing with a session
    POST   api/sessions/ID/answers      share one checked answer (a joined learner, an open session)
    GET    api/sessions/ID/results      the dashboard's counts (the session's instructor only)
    POST   api/sessions/ID/close        close the session; its join code stops working (a hub admin may close
                                        anyone's, e.g. one left open by an instructor who lost the role)
    GET    api/sessions/ID/report       the class report as HTML (closed sessions)
    GET    api/sessions/ID/exports      the export-shaped documents the report is made from (closed sessions)
    DELETE api/sessions/ID              delete the session and everything shared with it (hub admins too)

An instructor is a hub admin or a member of the instructors' group, checked on every instructor request (from
the hub's user model, which the hub authenticator caches for a minute), not only when the session opened.

Errors answer `{"error": "..."}` with a status: 400 malformed, 403 not allowed, 404 unknown, 409 closed or not
joined, 413 too large, 429 a learner's answers past the session's cap, 503 the database busy (with
`Retry-After`). The message is always the course's own and never repeats what was sent.

The database is only used from worker threads (`Live.read`, `Live.write`), so a slow query or another writer's
lock never stops the event loop; the HTTP server closes connections that send too slowly or sit idle.
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
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import sqlalchemy.exc
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.web import Application, HTTPError, RequestHandler

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated, UserNotAllowed

from course.live import DATA_ENV, DB_ENV, DEFAULT_GROUP, GROUP_ENV
from course.live import rules
from course.live.db import LiveStore, Session
from course.live.rules import Refused

log = logging.getLogger("course.live")
MAX_CONNECTION_BYTES = 64 * 1024  # anything larger is cut off by the HTTP server before a handler sees it
MAX_HEADER_BYTES = 16 * 1024      # a request's headers (the hub's cookies and a token take well under 2 KB)
IDLE_SECONDS = 15.0               # a connection with no request under way, or whose headers are not all in, is closed
BODY_SECONDS = 10.0               # a request body (at most 64 KB) must arrive within this
SPARE_FILES = 100                 # file descriptors kept free of connections, for the database and the hub's API
WORKERS = 4                       # threads that read the database (and write it, except SQLite: one writer)
MAX_WAITING_WRITES = 256          # writes queued behind a busy database; past this one is refused at once (503)
RETRY_AFTER = 2                   # seconds, in a 503's Retry-After
DB_FILE = "lead-manage-live.sqlite"
SECRET_FILE = "lead-manage-live-cookie-secret"
BUSY = "the live-session service is busy; try again in a moment"
# Errors raised by Tornado or the hub's authenticator carry their own text, which may quote the request: the
# client gets these words instead.
_PLAIN = {400: "the request is malformed", 403: "this request is not allowed", 404: "there is nothing here",
          405: "this method is not allowed here", 413: "the request is too large"}


class Live:
    """What every handler shares: the store, the threads that use it, and who counts as an instructor."""

    def __init__(self, store: LiveStore, group: str, workers: int = WORKERS):
        self.store = store
        self.group = group
        self.reads = ThreadPoolExecutor(workers, thread_name_prefix="live-read")
        self.writes = ThreadPoolExecutor(1 if store.one_writer else workers, thread_name_prefix="live-write")
        self.waiting_writes = 0
        self.busy_until = 0.0  # after a write found the database locked, the writes waiting are refused until then

    def is_instructor(self, user: dict) -> bool:
        """Tell whether a hub user may open sessions: a hub admin or a member of the instructors' group."""
        return bool(user.get("admin")) or self.group in (user.get("groups") or [])

    async def _run(self, pool: ThreadPoolExecutor, work, *args):
        try:
            return await IOLoop.current().run_in_executor(pool, work, *args)
        except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.TimeoutError) as exc:
            reason = getattr(exc, "orig", None) or exc
            log.warning("The database did not answer in time (%s: %.200s); answered 503", type(reason).__name__, reason)
            raise Refused(BUSY, 503) from None

    async def read(self, work, *args):
        """Run `work(*args)` (store reads, or counting) on a reading thread; a busy database raises Refused(503)."""
        return await self._run(self.reads, work, *args)

    async def write(self, work, *args):
        """Run `work(*args)` (store writes) on a writing thread; raise Refused(503) when the database is busy.

        Once a write found the database locked, the writes queued behind it are refused at once for `RETRY_AFTER`
        seconds instead of each waiting out the lock in turn; so is a write past `MAX_WAITING_WRITES` queued ones.
        """
        if self.waiting_writes >= MAX_WAITING_WRITES or time.monotonic() < self.busy_until:
            raise Refused(BUSY, 503)

        def unless_busy():
            if time.monotonic() < self.busy_until:
                raise Refused(BUSY, 503)
            try:
                return work(*args)
            except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.TimeoutError):
                self.busy_until = time.monotonic() + RETRY_AFTER  # set here, before the next queued write starts
                raise

        self.waiting_writes += 1
        try:
            return await self._run(self.writes, unless_busy)
        finally:
            self.waiting_writes -= 1

    def shutdown(self) -> None:
        """Stop the threads (work not yet started is dropped) and close the store."""
        for pool in (self.reads, self.writes):
            pool.shutdown(wait=True, cancel_futures=True)
        self.store.close()


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
                raise Refused("this hub account may not use the live-session service", 403) from None
        if user is not None and user.get("kind", "user") != "user":
            raise Refused("only hub users take part in live sessions", 403)
        self._hub_auth_user_cache = user
        self.current_user = user
        if user is None:
            if self.api or self.request.method != "GET":
                raise Refused("not authenticated by the hub", 403)
            self.redirect(self.get_login_url())

    def decode_argument(self, value: bytes, name: str | None = None) -> str:
        # Tornado's own message here would quote the bytes sent.
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("the address holds a character that is not UTF-8") from None

    def log_exception(self, typ, value, tb):
        if isinstance(value, Refused) or (isinstance(value, HTTPError) and value.status_code < 500):
            log.debug("%s %s %s: %s", getattr(value, "status", getattr(value, "status_code", "")),
                      self.request.method, self.request.path, value)
            return
        super().log_exception(typ, value, tb)

    @property
    def person(self) -> str:
        return self.current_user["name"]

    @property
    def hub_groups(self) -> list[str]:
        """The current user's hub groups, from the hub's user model."""
        return list(self.current_user.get("groups") or [])

    def write_error(self, status_code: int, **kwargs):
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, Refused):
            self.set_status(exc.status)
            message = str(exc)
            if exc.status == 503:
                self.set_header("Retry-After", str(RETRY_AFTER))
        else:
            message = _PLAIN.get(status_code, "the live-session service could not answer this request")
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps({"error": message}))

    def send(self, doc, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(doc))

    def body(self, schema: str) -> dict:
        return rules.parse_body(self.request.body, schema)

    def db_read(self, work, *args):
        """Await `work(*args)` on a reading thread (see `Live.read`)."""
        return self.live.read(work, *args)

    def db_write(self, work, *args):
        """Await `work(*args)` on a writing thread (see `Live.write`)."""
        return self.live.write(work, *args)

    async def owned(self, session_id: str, admins: bool = False) -> Session:
        """Return a session the current user opened and may still run; 403 if they are no longer an instructor or it
        is someone else's, 404 if there is none. With `admins`, a hub admin may act on anyone's session (closing or
        deleting one left open by an instructor who no longer has the role)."""
        self.instructor_only()
        session = await self.db_read(self.live.store.session, session_id)
        if session is None:
            raise Refused("no such session", 404)
        if session.instructor != self.person and not (admins and self.current_user.get("admin")):
            raise Refused("only the session's instructor sees or changes it", 403)
        return session

    def instructor_only(self) -> None:
        if not self.live.is_instructor(self.current_user):
            raise Refused(f"only hub admins and members of the group '{self.live.group}' run live sessions", 403)


class MeHandler(Handler):
    def get(self):
        self.send({"name": self.person, "instructor": self.live.is_instructor(self.current_user),
                   "group": self.live.group, "groups": self.hub_groups})


class SessionsHandler(Handler):
    async def get(self):
        lesson, person, groups, store = self.get_query_argument("lesson", ""), self.person, self.hub_groups, self.live.store

        def offered():
            found = [s for s in store.open_sessions() if lesson in s.lessons and rules.may_take_part(s.groups, groups)]
            return found, store.memberships(person, [s.id for s in found])

        found, mine = await self.db_read(offered)
        out = []
        for s in found:
            member = mine.get(s.id)
            out.append({**s.as_json(), "joined": bool(member and member.active),
                        "pseudonym": member.pseudonym if member else None})
        self.send({"sessions": out})

    async def post(self):
        self.instructor_only()
        doc = self.body("open")
        lessons = await self.db_read(rules.lesson_ids, doc["lessons"])
        groups = rules.group_names(doc.get("groups", []))
        session, opened = await self.db_write(self.live.store.open_or_again, self.person, lessons, groups)
        self.send(session.as_json(), 201 if opened else 200)


class MineHandler(Handler):
    async def get(self):
        self.instructor_only()
        found = await self.db_read(self.live.store.sessions_of, self.person)
        self.send({"sessions": [s.as_json() for s in found]})


class JoinHandler(Handler):
    async def post(self):
        code = rules.normal_code(self.body("join")["code"])
        person, groups, store = self.person, self.hub_groups, self.live.store

        def join():
            session = store.by_code(code) if code else None
            if session is None or not rules.may_take_part(session.groups, groups):
                raise Refused("no open session has this code", 404)  # a session for other groups is not shown either
            return session, store.join(session, person)

        session, member = await self.db_write(join)
        self.send({**session.as_json(), "joined": True, "pseudonym": member.pseudonym})


class LeaveHandler(Handler):
    async def post(self, session_id):
        if not await self.db_write(self.live.store.leave, session_id, self.person):
            raise Refused("you have not joined this session", 404)
        self.send({"left": True})


class AnswersHandler(Handler):
    async def post(self, session_id):
        person, groups, store = self.person, self.hub_groups, self.live.store
        doc = self.body("answer")

        def checked():
            session = store.session(session_id)
            if session is None:
                raise Refused("no such session", 404)
            if not session.open:
                raise Refused("the session is closed", 409)
            if not rules.may_take_part(session.groups, groups):
                raise Refused("this session is for members of other hub groups", 403)
            member = store.membership(session_id, person)
            if member is None or not member.active:
                raise Refused("join the session before sharing answers with it", 409)
            return rules.check_answer(doc, session.lessons), rules.answer_cap(session.lessons)

        answer, cap = await self.db_read(checked)
        stored = await self.db_write(store.add_answer, session_id, person, answer, cap)
        self.send({"stored": stored}, 201 if stored else 200)


class ResultsHandler(Handler):
    async def get(self, session_id):
        session = await self.owned(session_id)
        store = self.live.store

        def counted():
            firsts, right_now = store.counts(session_id)
            return {"session": session.as_json(), "members": store.member_count(session_id),
                    "questions": [t.as_json() for t in rules.tally(session.lessons, firsts, right_now)]}

        self.send(await self.db_read(counted))


class CloseHandler(Handler):
    async def post(self, session_id):
        await self.owned(session_id, admins=True)
        self.send((await self.db_write(self.live.store.close_session, session_id)).as_json())


class SessionHandler(Handler):
    async def get(self, session_id):
        session = await self.owned(session_id)
        store = self.live.store
        members, answers = await self.db_read(lambda: (store.member_count(session_id), store.answer_count(session_id)))
        self.send({**session.as_json(), "members": members, "answers": answers})

    async def delete(self, session_id):
        await self.owned(session_id, admins=True)
        await self.db_write(self.live.store.delete_session, session_id)
        self.send({"deleted": True})


class ExportHandler(Handler):
    async def get(self, session_id, what):
        session = await self.owned(session_id)
        if session.open:
            raise Refused("close the session before exporting its results", 409)
        store = self.live.store

        def documents():
            return rules.export_docs(session.closed_at, store.export_rows(session_id))

        if what == "exports":
            text = await self.db_read(lambda: json.dumps({"session": session.as_json(), "exports": documents()}))
            self.set_header("Content-Type", "application/json; charset=UTF-8")
            return self.finish(text)
        # Drawing the charts takes a while: off the loop (as is everything else), so answers keep arriving meanwhile.
        docs = await self.db_read(documents)
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

    async def get(self):
        if self.current_user is None:
            return  # redirected to the hub's login
        import jinja2

        instructor = self.live.is_instructor(self.current_user)
        sessions = await self.db_read(self.live.store.sessions_of, self.person) if instructor else []
        page = jinja2.Environment(autoescape=True).from_string(_PAGE)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(page.render(name=self.person, instructor=instructor, sessions=sessions,
                                prefix=self.settings["live_prefix"]))


def _log_request(handler) -> None:
    # Refused requests are expected (a flood of them is tested): they go to the debug log, not the warnings. A busy
    # database (503) was already reported once by `Live.read` or `Live.write`.
    status = handler.get_status()
    level = (logging.WARNING if status == 503 else logging.ERROR if status >= 500
             else logging.DEBUG if status >= 400 else logging.INFO)
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

    The application's `live` setting holds the `Live` its handlers share (`Live.shutdown()` stops its threads).
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
    p.add_argument("--data-dir", type=Path, default=Path(os.environ[DATA_ENV]) if os.environ.get(DATA_ENV) else None,
                   help=f"folder for the default database and the cookie secret, kept to the service's user (mode "
                        f"0700); default: ${DATA_ENV}, else the working directory, whose mode is left alone")
    p.add_argument("--group", default=os.environ.get(GROUP_ENV) or DEFAULT_GROUP,
                   help=f"hub group whose members may open sessions (default: ${GROUP_ENV}, else '{DEFAULT_GROUP}')")
    p.add_argument("--ip", default=None, help="address to listen on (default: from $JUPYTERHUB_SERVICE_URL)")
    p.add_argument("--port", type=int, default=None, help="port to listen on (default: from $JUPYTERHUB_SERVICE_URL)")
    return p


class LiveServer(HTTPServer):
    """Tornado's HTTP server that turns connections away at once while only `SPARE_FILES` file descriptors are left,
    so that a crowd of slow clients never leaves the service unable to open its database or reach the hub."""

    def initialize(self, *args, **kwargs):
        super().initialize(*args, **kwargs)
        self.connections = 0

    def handle_stream(self, stream, address):
        if self.connections >= _file_limit() - SPARE_FILES:
            stream.close()
            return
        self.connections += 1
        super().handle_stream(stream, address)

    def on_close(self, server_conn):
        self.connections -= 1
        super().on_close(server_conn)


def _file_limit() -> int:
    try:
        import resource
    except ImportError:  # not a POSIX system
        return 1 << 20
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return (1 << 20) if soft == resource.RLIM_INFINITY else soft


def more_files() -> int:
    """Raise this process's soft limit of open files to its hard limit (systemd starts services at 1024); return it."""
    try:
        import resource
    except ImportError:
        return _file_limit()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = (1 << 20) if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            log.warning("The limit of open files stays at %d", soft)
    return _file_limit()


class FewRepeats(logging.Filter):
    """Let the same message through at most `most` times a minute, so that a fault repeated in a tight loop (an
    accept that keeps failing) leaves a few lines in the hub's log instead of flooding it."""

    def __init__(self, most: int = 10, window: float = 60.0):
        super().__init__()
        self.most, self.window = most, window
        self._seen: dict[tuple, list] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, str(record.msg)[:200])
        now = time.monotonic()
        seen = self._seen.get(key)
        if seen is None or now - seen[0] > self.window:
            if len(self._seen) > 1000:
                self._seen.clear()
            seen = self._seen[key] = [now, 0]
        seen[1] += 1
        if seen[1] == self.most + 1:
            record.msg = f"{record.msg} (repeats of this message are left out for a minute)"
            return True
        return seen[1] <= self.most


def private_folder(folder: Path) -> None:
    """Make the data folder (if needed) and keep it to the service's own user: mode 0700, its database files 0600."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        os.chmod(folder, 0o700)
        for path in folder.glob(DB_FILE + "*"):
            os.chmod(path, 0o600)
    except PermissionError:
        log.warning("The data folder %s is not the service's own: its mode stays as it is", folder)


async def serve(args: argparse.Namespace) -> None:
    """Serve until SIGINT or SIGTERM (the hub stops a managed service with SIGINT), then close cleanly."""
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", ""))
    ip, port = args.ip or url.hostname or "127.0.0.1", args.port or url.port
    if not port:
        raise SystemExit("no port: run this as a JupyterHub service (it sets $JUPYTERHUB_SERVICE_URL) or give --port")
    os.umask(0o077)  # the database, its log and the cookie secret are the service's alone
    more_files()
    folder = args.data_dir or Path(".")
    if args.data_dir is not None:  # a folder of its own; the working directory may be shared with the hub
        private_folder(folder)
    db_url = args.db_url or f"sqlite:///{(folder / DB_FILE).resolve()}"
    store = LiveStore(db_url)
    HubOAuth.instance(cache_max_age=60)  # a revoked token, or a changed group, counts within a minute
    app = make_app(store, os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/live/"), args.group,
                   _secret(folder))
    server = LiveServer(app, max_body_size=MAX_CONNECTION_BYTES, max_buffer_size=MAX_CONNECTION_BYTES,
                        max_header_size=MAX_HEADER_BYTES, idle_connection_timeout=IDLE_SECONDS,
                        body_timeout=BODY_SECONDS, xheaders=True)
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
    app.settings["live"].shutdown()


def main(argv: list[str] | None = None) -> int:
    """Run the service (see `parser` for the options)."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="[live %(levelname)s %(asctime)s] %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(FewRepeats())
    asyncio.run(serve(args))
    return 0
