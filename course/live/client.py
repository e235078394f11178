"""The kernel's side of a live session: find the service, join or leave, and send checked answers in the background.

The service is found from the environment a JupyterHub server gives its kernels: `JUPYTERHUB_API_TOKEN`
(the server's token, which the hub admin lets reach the service) and the course's own setting
`LEAD_MANAGE_LIVE_URL` (the service's address, e.g. https://hub.example.org/services/live/), since no hub
variable gives it. Without both, `Service.from_env()` is None and nothing here does anything.

Sharing never delays Check: the store calls `Sender` (through `ProgressStore.on_attempt`), which only puts the
answer in a queue; a background thread sends it with a short timeout, tries again a few times, then drops it
and leaves a quiet note. The learner's own store stays their record; what is sent is a copy.
"""
from __future__ import annotations

import http.client
import json
import logging
import os
import queue
import re
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from course.live import URL_ENV

log = logging.getLogger(__name__)
# In a kernel a problem in a background thread is logged, and never printed into a cell, even after something
# called `logging.basicConfig()`: the kernel-side loggers keep their records off the root logger's handlers.
log.addHandler(logging.NullHandler())
log.propagate = False
TIMEOUT = 2.0             # seconds one request to the service may take, start to end
TRIES = 3                 # attempts to send one answer before it is dropped
BACKOFF = (0.5, 1.5)      # seconds to wait before the second and third attempt
MOST_RETRY_AFTER = 5.0    # seconds: a busy service's Retry-After is followed up to this
QUEUE_SIZE = 500          # answers waiting to be sent; past this the oldest waiting one is dropped
MAX_REPLY_BYTES = 32 * 1024 * 1024  # a reply larger than this is not read (a closed session's report is far smaller)
SHARED_FIELDS = ("question", "answer", "correct", "time")  # what the learner is told is shared, with a pseudonym
_SESSION_ID = re.compile(r"[0-9a-f]{32}")


class LiveError(Exception):
    """The service refused a request, could not be reached in time, or answered with something that is not its API.

    `status` is the HTTP status (0: not reached, or a reply of the wrong shape); `retry_after` the seconds a busy
    service asked to wait (503), or None.
    """

    def __init__(self, message: str, status: int = 0, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def _wrong_shape() -> LiveError:
    return LiveError("the live-session service gave a reply of the wrong shape")


def _expect(ok: bool) -> None:
    if not ok:
        raise _wrong_shape()


def _is_text(value, none: bool = False) -> bool:
    return isinstance(value, str) or (none and value is None)


def _session(doc: Any) -> dict:
    """Check a session as the service describes it (`id`, `lessons`, `code`, and for learners `joined`, `pseudonym`)."""
    _expect(isinstance(doc, dict) and isinstance(doc.get("id"), str) and bool(_SESSION_ID.fullmatch(doc["id"])))
    _expect(isinstance(doc.get("lessons"), list) and all(isinstance(x, str) for x in doc["lessons"]))
    _expect(_is_text(doc.get("code"), none=True) and isinstance(doc.get("open", True), bool))
    _expect(isinstance(doc.get("joined", False), bool) and _is_text(doc.get("pseudonym"), none=True))
    _expect(isinstance(doc.get("groups", []), list))
    return doc


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:  # an HTTP date: not worth parsing, the usual backoff applies
        return None


@dataclass(frozen=True)
class Service:
    """Where the live service is and the token that reaches it."""

    url: str    # ends in "/"
    token: str = field(repr=False)

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "Service | None":
        """Return the service named by the environment, or None outside a hub or without the course's setting."""
        env = os.environ if environ is None else environ
        url, token = (env.get(URL_ENV) or "").strip(), (env.get("JUPYTERHUB_API_TOKEN") or "").strip()
        if not url or not token or not url.startswith(("http://", "https://")):
            return None
        return cls(url if url.endswith("/") else url + "/", token)

    def call(self, method: str, path: str, body: dict | None = None, timeout: float = TIMEOUT, text: bool = False) -> Any:
        """Send one request to the service's API and return its JSON object (or, with `text`, its text).

        The whole request, from connecting to the last byte of the reply, takes at most `timeout` seconds. A
        redirect is never followed (the token goes only to the address configured), and a reply that is not the
        JSON object the API gives is refused.

        Raises
        ------
        LiveError
            With the service's status and reason for a refusal (and `retry_after` for a busy service), or status 0
            when it was not reached in time or its reply is not the service's.
        """
        deadline = time.monotonic() + timeout
        data = json.dumps(body).encode("utf-8") if body is not None else (b"" if method != "GET" else None)
        try:
            status, headers, payload = self._exchange(method, path, data, deadline)
        except LiveError:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:  # refused, reset, timed out, a broken reply
            raise LiveError(f"the live-session service did not answer ({exc.__class__.__name__})") from None
        kind = headers.get("Content-Type", "")
        if 300 <= status < 400:
            raise LiveError("the live-session service's address sends requests elsewhere; the hub admin's "
                            f"{URL_ENV} may be wrong", status)
        if status >= 400 or status < 200:
            reason = http.client.responses.get(status, "refused")
            try:
                found = json.loads(payload.decode("utf-8")).get("error")
                reason = found[:200] if isinstance(found, str) and found else reason
            except (ValueError, AttributeError):
                pass
            raise LiveError(reason, status, _retry_after(headers.get("Retry-After")) if status == 503 else None)
        if text:
            _expect("text/" in kind)
            return payload.decode("utf-8", "replace")
        try:
            _expect("json" in kind)
            doc = json.loads(payload.decode("utf-8"))
        except ValueError:
            raise _wrong_shape() from None
        _expect(isinstance(doc, dict))
        return doc

    def _exchange(self, method: str, path: str, data: bytes | None, deadline: float) -> tuple[int, Any, bytes]:
        target = urllib.parse.urlsplit(self.url + path)
        if target.scheme not in ("http", "https") or not target.hostname:
            raise ValueError("not an http(s) address")
        kind = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection

        def left() -> float:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the request took too long")
            return remaining

        # The service is on the hub itself: no proxy. Every step waits only for what is left of the deadline.
        conn = kind(target.hostname, target.port, timeout=left())
        try:
            conn.connect()
            sock = conn.sock
            conn.request(method, target.path + (f"?{target.query}" if target.query else ""), body=data,
                         headers={"Authorization": f"token {self.token}", "Content-Type": "application/json",
                                  "Accept": "application/json"})
            sock.settimeout(left())
            response = conn.getresponse()
            chunks, size = [], 0
            while True:
                sock.settimeout(left())
                chunk = response.read1(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_REPLY_BYTES:
                    raise LiveError("the live-session service's reply is too large")
                chunks.append(chunk)
            return response.status, response.headers, b"".join(chunks)
        finally:
            conn.close()

    # -- what learners do --------------------------------------------------------------------
    def open_sessions(self, lesson: str) -> list[dict]:
        """Return the open sessions that cover a lesson, each with `joined` and `pseudonym` for this learner."""
        found = self.call("GET", f"api/sessions?lesson={urllib.parse.quote(lesson)}").get("sessions")
        _expect(isinstance(found, list))
        return [_session(doc) for doc in found]

    def join(self, code: str) -> dict:
        """Join an open session by its code; return it with this learner's `pseudonym`."""
        doc = _session(self.call("POST", "api/join", {"code": code}))
        _expect(isinstance(doc.get("pseudonym"), str))
        return doc

    def leave(self, session_id: str) -> None:
        """Stop sharing with a session."""
        self.call("POST", f"api/sessions/{session_id}/leave")

    def send_answer(self, session_id: str, doc: dict, timeout: float = TIMEOUT) -> bool:
        """Share one checked answer (see `answer_doc`) with a session; return whether it was new (False: a retry)."""
        reply = self.call("POST", f"api/sessions/{session_id}/answers", doc, timeout)
        _expect(isinstance(reply.get("stored"), bool))
        return reply["stored"]

    # -- what instructors do -----------------------------------------------------------------
    def me(self) -> dict:
        """Return who the token belongs to and whether they may open sessions."""
        doc = self.call("GET", "api/me")
        _expect(isinstance(doc.get("name"), str) and isinstance(doc.get("instructor"), bool))
        return doc

    def open_session(self, lessons: list[str], groups: list[str] | tuple[str, ...] = ()) -> dict:
        """Open a session for these lessons (or find this instructor's open one for the same lessons and groups).

        `groups` restricts it to members of those hub groups; none: every hub user may see and join it.
        """
        body: dict = {"lessons": list(lessons)}
        if groups:
            body["groups"] = list(groups)
        doc = _session(self.call("POST", "api/sessions", body, timeout=5))
        _expect(isinstance(doc.get("code"), str))
        return doc

    def results(self, session_id: str) -> dict:
        """Return the dashboard's counts: `session` (a dict), `members` ({"joined", "sharing"}) and `questions` (a list
        of `course.live.rules.QuestionTally`)."""
        from course.live.rules import QuestionTally

        doc = self.call("GET", f"api/sessions/{session_id}/results", timeout=5)
        session, members, questions = doc.get("session"), doc.get("members"), doc.get("questions")
        _session(session)
        _expect(isinstance(members, dict) and all(isinstance(members.get(k), int) for k in ("joined", "sharing")))
        _expect(isinstance(questions, list))
        try:
            tallies = [QuestionTally.from_json(q) for q in questions]
        except (KeyError, TypeError, ValueError, AttributeError):
            raise _wrong_shape() from None
        return {"session": session, "members": members, "questions": tallies}

    def close(self, session_id: str) -> dict:
        """Close a session; its join code stops working."""
        return _session(self.call("POST", f"api/sessions/{session_id}/close", timeout=5))

    def report(self, session_id: str) -> str:
        """Return a closed session's class report as HTML."""
        return self.call("GET", f"api/sessions/{session_id}/report", timeout=60, text=True)

    def exports(self, session_id: str) -> list[dict]:
        """Return a closed session's export-shaped documents (the input of `course.class_results`)."""
        found = self.call("GET", f"api/sessions/{session_id}/exports", timeout=30).get("exports")
        _expect(isinstance(found, list) and all(isinstance(doc, dict) for doc in found))
        return found

    def delete(self, session_id: str) -> None:
        """Delete a session and every answer shared with it."""
        self.call("DELETE", f"api/sessions/{session_id}", timeout=5)


def answer_doc(lesson: str, question: str, answer: Any, correct: bool, at: str | None = None) -> dict:
    """Return what is shared for one checked answer: a fresh id, the question, the answer, whether it was right, the time."""
    return {"uid": uuid.uuid4().hex, "lesson": lesson, "question": question, "answer": answer, "correct": bool(correct),
            "at": at or datetime.now(timezone.utc).isoformat(timespec="seconds")}


class Sender:
    """Send a joined learner's checked answers for a session's lessons, in the background, until stopped.

    Parameters
    ----------
    service, session_id, lessons:
        Where to send, and which lessons' answers belong to the session.
    store:
        The learner's progress store; its `on_attempt` calls feed the queue.
    on_note:
        Called (from the sending thread) with a short sentence when an answer is dropped or the session ends.

    An answer the session refuses for good (a 3xx or 4xx reply) is dropped at once; one past the learner's cap in
    the session (429) is dropped with a single note, and sharing goes on; a busy (503, after its Retry-After, at
    most `MOST_RETRY_AFTER` s) or unreachable service is tried `tries` times. Whatever a reply holds, the sending
    thread carries on: an unforeseen error drops that answer and is logged, never raised into the notebook.
    """

    def __init__(self, service: Service, session_id: str, lessons, store, on_note: Callable[[str], None] | None = None,
                 tries: int = TRIES, backoff: tuple[float, ...] = BACKOFF, timeout: float = TIMEOUT):
        self.service, self.session_id, self.lessons = service, session_id, frozenset(lessons)
        self.tries, self.backoff, self.timeout = tries, backoff, timeout
        self.on_note = on_note
        self.sent = 0
        self.dropped = 0
        self.capped = 0
        self.note = ""
        self._queue: queue.Queue = queue.Queue(QUEUE_SIZE)
        self._stopped = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._stop_listening = store.on_attempt(self._on_attempt)
        self._thread = threading.Thread(target=self._run, name="lead-manage-live-sender", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        """Tell whether answers are still being shared."""
        return not self._stopped.is_set()

    def _on_attempt(self, lesson: str, question: str, answer: Any, correct: bool) -> None:
        if lesson not in self.lessons or self._stopped.is_set():
            return
        self._idle.clear()
        doc = answer_doc(lesson, question, answer, correct)
        try:
            self._queue.put_nowait(doc)
        except queue.Full:  # the service has been away a long time: the oldest waiting answer gives way
            try:
                self._queue.get_nowait()
                self._dropped("An answer waited too long and was not shared.")
            except queue.Empty:
                pass
            self._queue.put_nowait(doc)

    def _dropped(self, sentence: str) -> None:
        self.dropped += 1
        self._say(f"{sentence} Your own record keeps it.")

    def _say(self, sentence: str) -> None:
        self.note = sentence
        if self.on_note is not None:
            try:
                self.on_note(sentence)
            except Exception:  # a closed view must not stop the sending
                log.warning("A live-session note could not be shown", exc_info=True)

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                doc = self._queue.get(timeout=0.5)
            except queue.Empty:
                self._idle.set()
                continue
            try:
                self._deliver(doc)
            except Exception:  # a reply nobody foresaw: that answer is lost, the sharing is not
                log.warning("An answer could not be shared with the live session", exc_info=True)
                self._dropped("An answer could not be shared.")
            if self._queue.empty():
                self._idle.set()
        self._idle.set()

    def _deliver(self, doc: dict) -> None:
        for attempt in range(self.tries):
            wait = self.backoff[min(attempt, len(self.backoff) - 1)] if self.backoff else 0.0
            try:
                self.service.send_answer(self.session_id, doc, self.timeout)
                self.sent += 1
                return
            except LiveError as exc:
                if exc.status == 409:  # the session closed, or this learner left it from elsewhere
                    self._say("The class session has ended; nothing more is shared.")
                    self.stop()
                    return
                if exc.status == 429:  # past this learner's cap in the session: this answer stays home
                    self.dropped += 1
                    self.capped += 1
                    if self.capped == 1:
                        self._say("The class session has all the answers it takes from you; your own record "
                                  "keeps the rest.")
                    return
                if 300 <= exc.status < 500 and exc.status != 408:
                    self._dropped("An answer was not taken by the class session.")
                    return
                if exc.retry_after is not None:
                    wait = max(wait, min(exc.retry_after, MOST_RETRY_AFTER))
            if attempt < self.tries - 1 and self._stopped.wait(wait):
                return
        self._dropped("An answer could not be shared: the class session did not answer.")

    def wait_idle(self, timeout: float = 10) -> bool:
        """Wait until every queued answer is sent or dropped; return whether that happened in time (tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.empty() and self._idle.wait(0.05):
                return True
        return False

    def stop(self) -> None:
        """Stop listening and sending; answers still waiting are not sent."""
        self._stop_listening()
        self._stopped.set()


# One sender per session, hub account and store in this kernel. Each lesson's sharing state that joined the session
# holds it (`start_sharing(..., holder=)`); it runs until its last holder lets go (`release_sharing`) or the learner
# leaves (`stop_sharing`), so quizzes of two lessons in one kernel never send an answer twice. The account and the
# store in the key keep tests of several learners in one process apart.
_Key = tuple[str, str, int]
_senders: dict[_Key, Sender] = {}
_holders: dict[_Key, dict[object, Callable[[str], None] | None]] = {}
_senders_lock = threading.Lock()


def _key(service: Service, session_id: str, store) -> _Key:
    return (session_id, service.token, id(store))


def _tell_holders(key: _Key) -> Callable[[str], None]:
    def tell(sentence: str) -> None:
        with _senders_lock:
            notes = [note for note in _holders.get(key, {}).values() if note is not None]
        for note in notes:
            try:
                note(sentence)
            except Exception:  # one closed view must not keep the note from the others
                log.warning("A live-session note could not be shown", exc_info=True)

    return tell


def sender_for(service: Service, session_id: str, store) -> Sender | None:
    """Return the running sender of a session for this store in this kernel, or None."""
    with _senders_lock:
        found = _senders.get(_key(service, session_id, store))
        return found if found is not None and found.running else None


def start_sharing(service: Service, session: dict, store, on_note: Callable[[str], None] | None = None,
                  holder: object = None) -> Sender:
    """Start (or return the running) sender for a joined session (a dict from the service with `id` and `lessons`).

    `holder` (any object; None is one too) keeps the sender running until it calls `release_sharing`; `on_note`
    is called, with every other holder's, when an answer is dropped or the session ends.
    """
    key = _key(service, session["id"], store)
    with _senders_lock:
        _holders.setdefault(key, {})[holder] = on_note
        found = _senders.get(key)
        if found is not None and found.running:
            return found
        _senders[key] = created = Sender(service, session["id"], session["lessons"], store, _tell_holders(key))
        return created


def release_sharing(service: Service, session_id: str, store, holder: object = None) -> None:
    """Let go of a session's sender for one holder; it stops (and stops listening to the store) when none is left."""
    key = _key(service, session_id, store)
    with _senders_lock:
        held = _holders.get(key, {})
        held.pop(holder, None)
        if held:
            return
        _holders.pop(key, None)
        found = _senders.pop(key, None)
    if found is not None:
        found.stop()


def stop_sharing(service: Service, session_id: str, store) -> None:
    """Stop this kernel's sender for a session whoever holds it (the learner left, or the session ended)."""
    key = _key(service, session_id, store)
    with _senders_lock:
        _holders.pop(key, None)
        found = _senders.pop(key, None)
    if found is not None:
        found.stop()


# The sessions this kernel's learner left (unticked Share), per hub account and store: a look that finds the service
# still counting them as joined (the leave did not reach it) never resumes sharing with them; only a tick does.
_left: set[_Key] = set()
_leaving: dict[_Key, tuple[threading.Thread, threading.Event]] = {}  # background leaves, each with its stop
_left_lock = threading.Lock()     # guards `_left` and `_leaving`
_leave_turn = threading.Lock()    # a background leave and a join never cross: the join's tick wins
LEAVE_BACKOFF = (2.0, 5.0, 15.0, 30.0, 60.0)  # seconds before each background retry of a leave that failed


def has_left(service: Service, session_id: str, store) -> bool:
    """Tell whether the learner left this session in this kernel (and has not ticked Share for it since)."""
    with _left_lock:
        return _key(service, session_id, store) in _left


def mark_left(service: Service, session_id: str, store) -> None:
    """Record that the learner left this session: nothing resumes sharing with it but an explicit join."""
    with _left_lock:
        _left.add(_key(service, session_id, store))


def forget_left(service: Service, session_id: str, store) -> None:
    """Clear the record of a leave (the learner ticked Share for this session again); a leave still retrying stops."""
    key = _key(service, session_id, store)
    with _leave_turn, _left_lock:
        _left.discard(key)
        running = _leaving.get(key)
    if running is not None:
        running[1].set()


def leave_in_background(service: Service, session_id: str, store, backoff: tuple[float, ...] | None = None) -> None:
    """Tell the service again, in the background and with `backoff` waits (seconds; None: `LEAVE_BACKOFF`), that the
    learner left a session.

    One thread per session at a time; it gives up after the last wait, or as soon as the learner joins again
    (`forget_left`). Nothing it meets is raised; a failure is logged at DEBUG.
    """
    key = _key(service, session_id, store)
    stop = threading.Event()

    def retry() -> None:
        try:
            for wait in (LEAVE_BACKOFF if backoff is None else backoff):
                if stop.wait(wait):
                    return
                with _leave_turn:
                    if not has_left(service, session_id, store):
                        return
                    try:
                        service.leave(session_id)
                        return
                    except LiveError as exc:
                        if 400 <= exc.status < 500 and exc.status not in (408, 429):  # not a member (any more)
                            return
                        log.debug("Leaving a live session failed again: %s", exc)
        except Exception:  # a reply nobody foresaw: the next look starts another try
            log.debug("Leaving a live session failed", exc_info=True)
        finally:
            with _left_lock:
                if _leaving.get(key, (None,))[0] is threading.current_thread():
                    del _leaving[key]

    with _left_lock:
        running = _leaving.get(key)
        if running is not None and running[0].is_alive():
            return
        thread = threading.Thread(target=retry, name="lead-manage-live-leave", daemon=True)
        _leaving[key] = (thread, stop)
    thread.start()


def stop_all() -> None:
    """Stop every sender in this kernel and forget every leave (tests)."""
    with _senders_lock:
        found = list(_senders.values())
        _senders.clear()
        _holders.clear()
    with _left_lock:
        _left.clear()
        leaving = list(_leaving.values())
    for _thread, stop in leaving:
        stop.set()
    for sender in found:
        sender.stop()
