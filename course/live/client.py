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

import json
import logging
import os
import queue
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from course.live import URL_ENV

log = logging.getLogger(__name__)
TIMEOUT = 2.0             # seconds one request to the service may take
TRIES = 3                 # attempts to send one answer before it is dropped
BACKOFF = (0.5, 1.5)      # seconds to wait before the second and third attempt
QUEUE_SIZE = 500          # answers waiting to be sent; past this the oldest waiting one is dropped
SHARED_FIELDS = ("question", "answer", "correct", "time")  # what the learner is told is shared, with a pseudonym


class LiveError(Exception):
    """The service refused a request or could not be reached; `status` is the HTTP status (0: not reached)."""

    def __init__(self, message: str, status: int = 0):
        super().__init__(message)
        self.status = status


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

    def call(self, method: str, path: str, body: dict | None = None, timeout: float = TIMEOUT) -> Any:
        """Send one request to the service's API and return its JSON (or text) answer.

        Raises
        ------
        LiveError
            With the service's status and reason for a refusal, or status 0 when it was not reached in time.
        """
        data = json.dumps(body).encode("utf-8") if body is not None else (b"" if method != "GET" else None)
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the service is on the hub itself
        try:
            with opener.open(request, timeout=timeout) as response:
                payload, kind = response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            try:
                reason = json.loads(exc.read().decode("utf-8", "replace")).get("error") or exc.reason
            except (ValueError, AttributeError, OSError):
                reason = exc.reason
            raise LiveError(str(reason), exc.code) from None
        except (OSError, ValueError) as exc:  # refused, reset, timed out, or an address that is no URL
            raise LiveError(f"the live-session service did not answer ({exc.__class__.__name__})") from None
        text = payload.decode("utf-8", "replace")
        return json.loads(text) if "json" in kind else text

    # -- what learners do --------------------------------------------------------------------
    def open_sessions(self, lesson: str) -> list[dict]:
        """Return the open sessions that cover a lesson, each with `joined` and `pseudonym` for this learner."""
        return self.call("GET", f"api/sessions?lesson={urllib.parse.quote(lesson)}")["sessions"]

    def join(self, code: str) -> dict:
        """Join an open session by its code; return it with this learner's `pseudonym`."""
        return self.call("POST", "api/join", {"code": code})

    def leave(self, session_id: str) -> None:
        """Stop sharing with a session."""
        self.call("POST", f"api/sessions/{session_id}/leave")

    def send_answer(self, session_id: str, doc: dict, timeout: float = TIMEOUT) -> None:
        """Share one checked answer (see `answer_doc`) with a session."""
        self.call("POST", f"api/sessions/{session_id}/answers", doc, timeout)

    # -- what instructors do -----------------------------------------------------------------
    def me(self) -> dict:
        """Return who the token belongs to and whether they may open sessions."""
        return self.call("GET", "api/me")

    def open_session(self, lessons: list[str]) -> dict:
        """Open a session for these lessons (or find this instructor's open one for the same lessons)."""
        return self.call("POST", "api/sessions", {"lessons": list(lessons)}, timeout=5)

    def results(self, session_id: str) -> dict:
        """Return the dashboard's counts: `session`, `members` and `questions` (see `course.live.rules.tally`)."""
        return self.call("GET", f"api/sessions/{session_id}/results", timeout=5)

    def close(self, session_id: str) -> dict:
        """Close a session; its join code stops working."""
        return self.call("POST", f"api/sessions/{session_id}/close", timeout=5)

    def report(self, session_id: str) -> str:
        """Return a closed session's class report as HTML."""
        return self.call("GET", f"api/sessions/{session_id}/report", timeout=60)

    def exports(self, session_id: str) -> list[dict]:
        """Return a closed session's export-shaped documents (the input of `course.class_results`)."""
        return self.call("GET", f"api/sessions/{session_id}/exports", timeout=30)["exports"]

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
    """

    def __init__(self, service: Service, session_id: str, lessons, store, on_note: Callable[[str], None] | None = None,
                 tries: int = TRIES, backoff: tuple[float, ...] = BACKOFF, timeout: float = TIMEOUT):
        self.service, self.session_id, self.lessons = service, session_id, frozenset(lessons)
        self.tries, self.backoff, self.timeout = tries, backoff, timeout
        self.on_note = on_note
        self.sent = 0
        self.dropped = 0
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
                log.exception("A live-session note could not be shown")

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                doc = self._queue.get(timeout=0.5)
            except queue.Empty:
                self._idle.set()
                continue
            self._deliver(doc)
            if self._queue.empty():
                self._idle.set()
        self._idle.set()

    def _deliver(self, doc: dict) -> None:
        for attempt in range(self.tries):
            try:
                self.service.send_answer(self.session_id, doc, self.timeout)
                self.sent += 1
                return
            except LiveError as exc:
                if exc.status == 409:  # the session closed, or this learner left it from elsewhere
                    self._say("The class session has ended; nothing more is shared.")
                    self.stop()
                    return
                if 400 <= exc.status < 500 and exc.status not in (408, 429):
                    self._dropped("An answer was not taken by the class session.")
                    return
            if attempt < self.tries - 1 and self._stopped.wait(self.backoff[min(attempt, len(self.backoff) - 1)]):
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
                log.exception("A live-session note could not be shown")

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


def stop_all() -> None:
    """Stop every sender in this kernel (tests)."""
    with _senders_lock:
        found = list(_senders.values())
        _senders.clear()
        _holders.clear()
    for sender in found:
        sender.stop()
