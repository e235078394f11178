"""The live-session service behind a real JupyterHub (from pip, with configurable-http-proxy from npm): who may
do what, what it takes, a flood of bad requests, and the kernel's client and widgets against it."""
from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import selectors
import signal
import socket
import sqlite3
import threading
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.hub import Hub, request

LESSON = "two-words"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    server = Hub(tmp_path_factory.mktemp("hub"), instructors=("ines", "ivan"))
    yield server
    server.stop()


def call(hub, method, path, body=None, token=None, **kwargs):
    return request(method, hub.service_url + path, body, token, **kwargs)


def answer(question="define-managing", value=0, correct=True, **extra) -> dict:
    return {"uid": uuid.uuid4().hex, "lesson": LESSON, "question": question, "answer": value, "correct": correct,
            "at": "2026-11-01T10:00:00+00:00", **extra}


def open_session(hub, who="ines", lessons=(LESSON,)) -> dict:
    status, doc = call(hub, "POST", "api/sessions", {"lessons": list(lessons)}, hub.user_token(who))
    assert status in (200, 201), doc
    return doc


def fresh_session(hub, who="ines") -> dict:
    """Open a session of its own for one test (closing the instructor's open one for the same lessons)."""
    doc = open_session(hub, who)
    call(hub, "POST", f"api/sessions/{doc['id']}/close", token=hub.user_token(who))
    return open_session(hub, who)


def results(hub, session, who="ines") -> dict:
    status, doc = call(hub, "GET", f"api/sessions/{session['id']}/results", token=hub.user_token(who))
    assert status == 200, doc
    return {q["question"]: q for q in doc["questions"]} | {"members": doc["members"]}


# -- who may do what ---------------------------------------------------------------------------------
def test_every_request_is_authenticated_by_the_hub(hub):
    assert call(hub, "GET", "api/me")[0] == 403
    assert call(hub, "GET", "api/me", token="not-a-token")[0] == 403
    no_access = hub.user_token("amy", scopes=("users:activity!user=amy",))  # a token without access to the service
    assert call(hub, "GET", "api/me", token=no_access)[0] == 403
    status, me = call(hub, "GET", "api/me", token=hub.user_token("amy"))
    assert status == 200 and me == {"name": "amy", "instructor": False, "group": "instructors", "groups": ["team-a"]}


def test_instructors_are_the_group_and_hub_admins(hub):
    assert call(hub, "GET", "api/me", token=hub.user_token("ines"))[1]["instructor"] is True
    assert call(hub, "GET", "api/me", token=hub.user_token("ada"))[1]["instructor"] is True  # admin, in no group
    status, doc = call(hub, "POST", "api/sessions", {"lessons": [LESSON]}, hub.user_token("amy"))
    assert status == 403 and "instructors" in doc["error"]
    assert call(hub, "GET", "api/sessions/mine", token=hub.user_token("amy"))[0] == 403


def test_a_session_from_open_to_report(hub):
    session = fresh_session(hub)
    amy, bob, cy = (hub.user_token(name) for name in ("amy", "bob", "cy"))
    again = open_session(hub)  # a re-run cell finds the same open session
    assert again["id"] == session["id"] and again["code"] == session["code"]
    listed = call(hub, "GET", f"api/sessions?lesson={LESSON}", token=amy)[1]["sessions"]
    assert [s["code"] for s in listed if s["id"] == session["id"]] == [session["code"]]
    elsewhere = call(hub, "GET", "api/sessions?lesson=frameworks", token=amy)[1]["sessions"]
    assert all(s["id"] != session["id"] for s in elsewhere)  # offered only in the session's own lessons
    status, joined = call(hub, "POST", "api/join", {"code": session["code"].lower()}, amy)
    assert status == 200 and joined["joined"] and joined["pseudonym"]
    assert call(hub, "POST", "api/join", {"code": session["code"]}, bob)[0] == 200
    assert call(hub, "POST", f"api/sessions/{session['id']}/answers", answer(value=1, correct=False), amy)[0] == 201
    assert call(hub, "POST", f"api/sessions/{session['id']}/answers", answer(), amy)[0] == 201
    retry = answer()
    assert call(hub, "POST", f"api/sessions/{session['id']}/answers", retry, bob)[1] == {"stored": True}
    assert call(hub, "POST", f"api/sessions/{session['id']}/answers", retry, bob) == (200, {"stored": False})
    assert call(hub, "POST", f"api/sessions/{session['id']}/answers", answer(), cy)[0] == 409  # never joined
    counts = results(hub, session)
    first = counts["define-managing"]
    assert (first["answered"], first["first_right"]) == (2, 1)
    assert [b["count"] for b in first["bars"]] == [1, 1, 0, 0]
    assert counts["members"] == {"joined": 2, "sharing": 2}
    for token in (amy, bob):  # learners never read or change the session
        for method, path in (("GET", "results"), ("GET", "report"), ("GET", "exports"), ("POST", "close")):
            assert call(hub, method, f"api/sessions/{session['id']}/{path}", token=token)[0] == 403
        assert call(hub, "DELETE", f"api/sessions/{session['id']}", token=token)[0] == 403
    assert call(hub, "GET", f"api/sessions/{session['id']}/results", token=hub.user_token("ivan"))[0] == 403
    assert call(hub, "GET", f"api/sessions/{session['id']}/report", token=hub.user_token("ines"))[0] == 409  # open
    # Leaving stops the writes; the answers already shared stay.
    assert call(hub, "POST", f"api/sessions/{session['id']}/leave", token=bob)[0] == 200
    assert call(hub, "POST", f"api/sessions/{session['id']}/answers", answer(), bob)[0] == 409
    assert results(hub, session)["members"] == {"joined": 2, "sharing": 1}
    # Closing: the code stops working at once, and nothing more is taken.
    status, closed = call(hub, "POST", f"api/sessions/{session['id']}/close", token=hub.user_token("ines"))
    assert status == 200 and closed["open"] is False and closed["code"] is None
    assert call(hub, "POST", "api/join", {"code": session["code"]}, cy)[0] == 404
    assert call(hub, "POST", f"api/sessions/{session['id']}/answers", answer(), amy)[0] == 409
    assert all(s["id"] != session["id"] for s in call(hub, "GET", f"api/sessions?lesson={LESSON}", token=amy)[1]["sessions"])
    status, exports = call(hub, "GET", f"api/sessions/{session['id']}/exports", token=hub.user_token("ines"))
    assert status == 200 and len(exports["exports"]) == 2
    assert "amy" not in json.dumps(exports) and "bob" not in json.dumps(exports)
    status, html = call(hub, "GET", f"api/sessions/{session['id']}/report", token=hub.user_token("ines"), timeout=60)
    assert status == 200 and "<html" in html.lower() and "define-managing" in html
    assert call(hub, "DELETE", f"api/sessions/{session['id']}", token=hub.user_token("ines"))[0] == 200
    assert call(hub, "GET", f"api/sessions/{session['id']}/results", token=hub.user_token("ines"))[0] == 404


def test_a_learner_writes_only_their_own_answers(hub):
    session = fresh_session(hub)
    amy, bob = hub.user_token("amy"), hub.user_token("bob")
    call(hub, "POST", "api/join", {"code": session["code"]}, amy)
    for extra in ({"person": "bob"}, {"user": "bob"}, {"pseudonym": "Someone"}, {"name": "Bob"}, {"text": "a reflection"}):
        assert call(hub, "POST", f"api/sessions/{session['id']}/answers", answer(**extra), amy)[0] == 400
    assert call(hub, "POST", f"api/sessions/{session['id']}/answers", answer(), bob)[0] == 409  # bob never joined
    assert call(hub, "POST", f"api/sessions/{uuid.uuid4().hex}/answers", answer(), amy)[0] == 404
    assert call(hub, "POST", f"api/sessions/{session['id']}/leave", token=bob)[0] == 404
    assert results(hub, session)["define-managing"]["answered"] == 0


def test_an_instructor_has_at_most_ten_sessions_open(hub):
    ivan = hub.user_token("ivan")
    opened = []
    lessons = ["start-here", "two-words", "frameworks", "vision-goals", "change-stability", "time-horizon",
               "decisions-risk", "people-tasks", "influence-power", "overlap-critics", "skills-toolkit"]
    try:
        for n in range(10):
            status, doc = call(hub, "POST", "api/sessions", {"lessons": [lessons[n]]}, ivan)
            assert status == 201
            opened.append(doc["id"])
        status, doc = call(hub, "POST", "api/sessions", {"lessons": [lessons[10]]}, ivan)
        assert status == 409 and "at most 10" in doc["error"]
    finally:
        for session_id in opened:
            call(hub, "POST", f"api/sessions/{session_id}/close", token=ivan)


def test_cookie_requests_that_change_data_need_the_xsrf_token(hub):
    # A browser carrying only a cookie (no token, no _xsrf) is not authenticated for a POST.
    status, _ = call(hub, "POST", "api/sessions", {"lessons": [LESSON]},
                     headers={"Cookie": "live=anything", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "cross-site"})
    assert status == 403


def test_an_instructor_no_longer_in_the_group_no_longer_runs_their_sessions(hub):
    ivan = hub.user_token("ivan")
    status, session = call(hub, "POST", "api/sessions", {"lessons": ["frameworks"]}, ivan)
    assert status in (200, 201)
    path = f"api/sessions/{session['id']}/results"
    hub.api("DELETE", "/hub/api/groups/instructors/users", {"users": ["ivan"]})
    try:
        demoted = hub.new_token("ivan")  # a token the service has not seen: the hub's answer is not cached yet
        for method, where in (("GET", path), ("POST", f"api/sessions/{session['id']}/close"),
                              ("GET", f"api/sessions/{session['id']}"), ("DELETE", f"api/sessions/{session['id']}")):
            status, doc = call(hub, method, where, token=demoted)
            assert status == 403 and "instructors" in doc["error"], (method, where)
    finally:
        hub.api("POST", "/hub/api/groups/instructors/users", {"users": ["ivan"]})
    again = hub.new_token("ivan")
    assert call(hub, "GET", path, token=again)[0] == 200  # back in the group: the session is theirs again
    assert call(hub, "POST", f"api/sessions/{session['id']}/close", token=again)[0] == 200


def test_a_hub_admin_closes_and_deletes_a_session_its_instructor_can_no_longer_run(hub):
    ivan = hub.user_token("ivan")
    status, session = call(hub, "POST", "api/sessions", {"lessons": ["vision-goals"]}, ivan)
    assert status in (200, 201) and session["open"]
    where = f"api/sessions/{session['id']}"
    other, admin = hub.user_token("ines"), hub.user_token("ada")  # another instructor; a hub admin in no group
    hub.api("DELETE", "/hub/api/groups/instructors/users", {"users": ["ivan"]})
    try:
        assert call(hub, "POST", f"{where}/close", token=hub.new_token("ivan"))[0] == 403  # orphaned: still open
        assert call(hub, "POST", f"{where}/close", token=other)[0] == 403  # another instructor may not
        assert call(hub, "DELETE", where, token=other)[0] == 403
        assert call(hub, "GET", f"{where}/results", token=admin)[0] == 403  # an admin closes, but does not read
        status, closed = call(hub, "POST", f"{where}/close", token=admin)
        assert status == 200 and not closed["open"] and closed["code"] is None
        assert call(hub, "POST", "api/join", {"code": session["code"]}, hub.user_token("amy"))[0] == 404
        assert call(hub, "DELETE", where, token=admin)[0] == 200
    finally:
        hub.api("POST", "/hub/api/groups/instructors/users", {"users": ["ivan"]})
    assert call(hub, "GET", where, token=hub.new_token("ivan"))[0] == 404  # gone for its instructor too


def test_a_session_for_hub_groups_is_offered_to_and_joined_by_their_members_only(hub, monkeypatch):
    from course.live.client import Service

    import widgets

    amy, bob = hub.user_token("amy"), hub.user_token("bob")  # amy is in team-a, bob in no group
    everyone = fresh_session(hub)
    teacher = Service(hub.service_url, hub.user_token("ines"))
    team = teacher.open_session([LESSON], ["team-a"])
    try:
        assert team["groups"] == ["team-a"] and everyone["groups"] == [] and team["id"] != everyone["id"]
        assert teacher.open_session([LESSON], ["team-a"])["id"] == team["id"]  # a re-run cell finds it again
        offered = lambda token: {s["id"] for s in call(hub, "GET", f"api/sessions?lesson={LESSON}", token=token)[1]["sessions"]}  # noqa: E731
        assert {everyone["id"], team["id"]} <= offered(amy)
        assert everyone["id"] in offered(bob) and team["id"] not in offered(bob)
        assert call(hub, "POST", "api/join", {"code": team["code"]}, bob) == (404, {"error": "no open session has this code"})
        assert call(hub, "POST", "api/join", {"code": everyone["code"]}, bob)[0] == 200  # open to all: one click
        assert call(hub, "POST", "api/join", {"code": team["code"]}, amy)[0] == 200
        assert call(hub, "POST", f"api/sessions/{team['id']}/answers", answer(), amy)[0] == 201
        assert call(hub, "POST", f"api/sessions/{team['id']}/answers", answer(), bob)[0] == 403
        assert results(hub, team)["define-managing"]["answered"] == 1
        # From a notebook: live_session(..., groups=[...]) opens (or finds) it and says whom it is for.
        monkeypatch.setenv("LEAD_MANAGE_LIVE_URL", hub.service_url)
        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", hub.user_token("ines"))
        board = widgets.live_session(LESSON, groups="team-a")
        try:
            assert board.session_id == team["id"] and "open to members of team-a" in board.head.value
        finally:
            widgets.close_views()
    finally:
        teacher.close(team["id"])


def test_exported_learner_ids_are_random_and_stable(hub):
    session = fresh_session(hub)
    names = ("amy", "bob")
    for name in names:
        call(hub, "POST", "api/join", {"code": session["code"]}, hub.user_token(name))
        call(hub, "POST", f"api/sessions/{session['id']}/answers", answer(), hub.user_token(name))
    teacher = hub.user_token("ines")
    call(hub, "POST", f"api/sessions/{session['id']}/close", token=teacher)
    first = call(hub, "GET", f"api/sessions/{session['id']}/exports", token=teacher)[1]["exports"]
    again = call(hub, "GET", f"api/sessions/{session['id']}/exports", token=teacher)[1]["exports"]
    ids = [doc["learner_id"] for doc in first]
    assert ids == [doc["learner_id"] for doc in again] and len(set(ids)) == 2
    assert all(re.fullmatch("[0-9a-f]{32}", x) for x in ids)
    candidates = ["amy", "bob", "cy", "eve", "ines", "ivan", "ada"]  # the class list an instructor has
    for recipe in ("{sid}\0{name}", "{name}", "{sid}{name}", "{name}\0{sid}"):
        hashed = {hashlib.sha256(recipe.format(sid=session["id"], name=name).encode()).hexdigest()[:32]
                  for name in candidates}
        assert not hashed & set(ids), recipe
    call(hub, "DELETE", f"api/sessions/{session['id']}", token=teacher)


def test_a_locked_database_answers_503_and_nothing_else_waits(hub):
    from course.live.client import Sender, Service
    from course.store import ProgressStore

    session = fresh_session(hub)
    amy = hub.user_token("amy")
    call(hub, "POST", "api/join", {"code": session["code"]}, amy)
    target = urlparse(hub.direct_url)
    doc = answer()
    locker = sqlite3.connect(hub.workdir / "live" / "lead-manage-live.sqlite", isolation_level=None, timeout=10,
                             check_same_thread=False)
    locker.execute("BEGIN IMMEDIATE")  # another writer (a backup, an admin's sqlite3 shell) holds the lock
    try:
        quick = []

        def ping():
            for _ in range(5):
                t = time.monotonic()
                quick.append((call(hub, "GET", "api/me", token=amy)[0], time.monotonic() - t))
                time.sleep(0.2)

        pinger = threading.Thread(target=ping)
        pinger.start()
        started = time.monotonic()
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        conn.request("POST", target.path + f"api/sessions/{session['id']}/answers", body=json.dumps(doc),
                     headers={"Authorization": f"token {amy}", "Content-Type": "application/json"})
        response = conn.getresponse()
        refused = json.loads(response.read())
        took = time.monotonic() - started
        conn.close()
        pinger.join()
        assert response.status == 503 and response.getheader("Retry-After") == "2" and "busy" in refused["error"]
        assert took < 5
        assert [status for status, _ in quick] == [200] * 5 and max(t for _, t in quick) < 1.0
        assert results(hub, session)["define-managing"]["answered"] == 0  # reads go on meanwhile
    finally:
        locker.execute("ROLLBACK")
    time.sleep(2.1)  # the Retry-After
    assert call(hub, "POST", f"api/sessions/{session['id']}/answers", doc, amy) == (201, {"stored": True})
    # The kernel's sender waits as a busy service asks, then tries again: the answer arrives.
    store = ProgressStore(hub.workdir / "amy-progress.sqlite3")
    sender = Sender(Service(hub.service_url, amy), session["id"], [LESSON], store)
    try:
        locker.execute("BEGIN IMMEDIATE")
        threading.Timer(2.5, lambda: locker.execute("ROLLBACK")).start()
        store.record_attempt(LESSON, "define-managing", 1, False, 0.0)
        assert sender.wait_idle(20) and (sender.sent, sender.dropped) == (1, 0)
    finally:
        sender.stop()
        store.close()
    time.sleep(0.1)
    locker.close()
    assert results(hub, session)["define-managing"]["answered"] == 1
    log = hub.log_text()
    assert "database is locked" in log and "Traceback" not in log and "live ERROR" not in log


def test_the_answer_cap_over_http_and_the_kernel_keeps_sharing(hub):
    from course.live.client import Sender, Service
    from course.store import ProgressStore

    session = fresh_session(hub)
    eve = hub.user_token("eve")
    call(hub, "POST", "api/join", {"code": session["code"]}, eve)
    path = f"api/sessions/{session['id']}/answers"
    sent = [answer() for _ in range(70)]  # lesson 01 has 7 questions: 10 answers each
    assert {call(hub, "POST", path, doc, eve)[0] for doc in sent} == {201}
    status, doc = call(hub, "POST", path, answer(), eve)
    assert status == 429 and "at most 70" in doc["error"]
    assert call(hub, "POST", path, sent[0], eve) == (200, {"stored": False})  # a retry is not refused
    notes = []
    store = ProgressStore(hub.workdir / "eve-progress.sqlite3")
    sender = Sender(Service(hub.service_url, eve), session["id"], [LESSON], store, notes.append)
    try:
        store.record_attempt(LESSON, "define-managing", 0, True, 1.0)
        store.record_attempt(LESSON, "define-managing", 0, True, 1.0)
        assert sender.wait_idle(10) and (sender.sent, sender.dropped) == (0, 2)
        assert sender.running and len(notes) == 1 and "ended" not in notes[0]
    finally:
        sender.stop()
        store.close()


def test_slow_clients_are_cut_off_and_the_service_keeps_answering(hub):
    pid = hub.service_pid()
    limits = Path(f"/proc/{pid}/limits").read_text()
    soft, hard = re.search(r"Max open files\s+(\d+)\s+(\d+)", limits).groups()
    assert soft == hard  # raised to the hard limit at start-up
    target = urlparse(hub.direct_url)
    amy = hub.user_token("amy")
    held = {}
    started = time.monotonic()
    for n in range(300):
        sock = socket.create_connection((target.hostname, target.port), timeout=5)
        if n % 3 == 0:  # headers sent, the body never comes
            sock.sendall(f"POST {target.path}api/join HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n".encode())
            held[sock] = "body"
        elif n % 3 == 1:  # headers begun, never finished
            sock.sendall(f"GET {target.path}api/me HTTP/1.1\r\nHost: x\r\n".encode())
            held[sock] = "headers"
        else:  # connected, silent
            held[sock] = "idle"
    # A client slow but within the limits is served: its body comes 3 s after its headers.
    patient = socket.create_connection((target.hostname, target.port), timeout=20)
    body = b'{"code": "AAAAAA"}'
    patient.sendall(f"POST {target.path}api/join HTTP/1.1\r\nHost: x\r\nAuthorization: token {amy}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode())
    meanwhile = []
    for _ in range(3):
        t = time.monotonic()
        meanwhile.append((request("GET", hub.direct_url + "api/me", token=amy, timeout=5)[0], time.monotonic() - t))
        meanwhile.append((call(hub, "GET", "api/me", token=amy, timeout=5)[0], time.monotonic() - t))
        time.sleep(1)
    patient.sendall(body)
    assert patient.recv(100).startswith(b"HTTP/1.1 404")
    patient.close()
    assert all(status == 200 for status, _ in meanwhile) and max(t for _, t in meanwhile) < 2, meanwhile
    closed_at: dict[str, list[float]] = {"body": [], "headers": [], "idle": []}
    selector = selectors.DefaultSelector()
    for sock in held:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    while selector.get_map() and time.monotonic() - started < 25:
        for key, _ in selector.select(timeout=1):
            try:
                data = key.fileobj.recv(4096)
            except (ConnectionResetError, BlockingIOError):
                data = b""
            if not data:
                closed_at[held[key.fileobj]].append(time.monotonic() - started)
                selector.unregister(key.fileobj)
                key.fileobj.close()
    left = len(selector.get_map())
    for key in list(selector.get_map().values()):
        key.fileobj.close()
    assert left == 0, f"{left} slow connections still open after 25 s"
    assert all(len(v) == 100 for v in closed_at.values())
    assert 9 < min(closed_at["body"]) and max(closed_at["body"]) < 10 + 6  # the body timeout, 10 s
    for kind in ("headers", "idle"):  # the idle timeout, 15 s (it also bounds the time to send the headers)
        assert 14 < min(closed_at[kind]) and max(closed_at[kind]) < 15 + 6
    assert call(hub, "GET", "api/me", token=amy)[0] == 200
    assert "Traceback" not in hub.log_text()


def test_errors_never_repeat_what_was_sent(hub):
    amy = hub.user_token("amy")
    for path, method in (("api/sessions?lesson=%ff%fe%3Cb%3E", "GET"), ("api/me", "PUT"),
                         ("api/sessions?lesson=" + "%ff" * 30, "GET")):
        status, doc = call(hub, method, path, token=amy, raw=b"{}" if method == "PUT" else None)
        assert 400 <= status < 500 and isinstance(doc, dict) and set(doc) == {"error"}, (path, status, doc)
        assert "xff" not in doc["error"] and "b'" not in doc["error"] and "<b>" not in doc["error"]
    assert call(hub, "GET", "api/sessions?lesson=%ff", token=amy)[1] == \
        {"error": "the address holds a character that is not UTF-8"}


def test_a_deleted_session_leaves_nothing_in_the_services_files(hub):
    marker = f"zzmarker{uuid.uuid4().hex[:8]}"
    hub.api("POST", f"/hub/api/users/{marker}")
    token = hub.new_token(marker)
    session = fresh_session(hub)
    assert call(hub, "POST", "api/join", {"code": session["code"]}, token)[0] == 200
    assert call(hub, "POST", f"api/sessions/{session['id']}/answers", answer(), token)[0] == 201
    folder = hub.workdir / "live"
    data = lambda: b"".join(p.read_bytes() for p in folder.glob("lead-manage-live.sqlite*"))  # noqa: E731
    assert marker.encode() in data()
    teacher = hub.user_token("ines")
    call(hub, "POST", f"api/sessions/{session['id']}/close", token=teacher)
    assert call(hub, "DELETE", f"api/sessions/{session['id']}", token=teacher) == (200, {"deleted": True})
    assert marker.encode() not in data() and session["id"].encode() not in data()
    assert folder.stat().st_mode & 0o777 == 0o700
    assert {p.name: p.stat().st_mode & 0o777 for p in folder.iterdir()} == \
        {p.name: 0o600 for p in folder.iterdir()}  # the database, its log and the cookie secret


# -- untrusted input ---------------------------------------------------------------------------------
def test_validation_over_http(hub):
    session = fresh_session(hub)
    amy = hub.user_token("amy")
    call(hub, "POST", "api/join", {"code": session["code"]}, amy)
    path = f"api/sessions/{session['id']}/answers"
    ok = json.dumps(answer()).encode()
    at_limit = ok[:-1] + b" " * (4096 - len(ok)) + b"}"
    assert call(hub, "POST", path, raw=at_limit, token=amy)[0] == 201
    assert call(hub, "POST", path, raw=at_limit[:-1] + b" }", token=amy)[0] == 413
    assert call(hub, "POST", path, raw=b"{" * 5000, token=amy)[0] == 413
    assert call(hub, "POST", path, raw=b"[" * 4000, token=amy)[0] == 400
    assert call(hub, "POST", path, answer(question="<script>alert(1)</script>"), amy)[1]["error"] == \
        "the answer is for a question the lesson does not have"
    assert call(hub, "POST", "api/join", {"code": "<b>x</b>"}, amy)[0] == 404
    assert call(hub, "POST", "api/sessions", {"lessons": ["<img src=x onerror=alert(1)>"]}, hub.user_token("ines"))[0] == 400
    assert results(hub, session)["define-managing"]["answered"] == 1


def _flood_bodies(session_id: str, good_token: str, other_token: str):
    """Yield (method, path, body, token) for malformed, oversized, misdirected and unauthenticated requests."""
    path = f"api/sessions/{session_id}/answers"
    big = json.dumps(answer(question="x" * 5000)).encode()
    cases = [
        ("POST", path, b"", good_token), ("POST", path, b"{", good_token), ("POST", path, b"null", good_token),
        ("POST", path, b"\xff" * 64, good_token), ("POST", path, b'{"a": Infinity}', good_token),
        ("POST", path, big, good_token), ("POST", path, b" " * 4097, good_token),
        ("POST", path, b"[" * 3000 + b"]" * 3000, good_token),
        ("POST", path, json.dumps(answer(value=9)).encode(), good_token),
        ("POST", path, json.dumps(answer(correct=False)).encode(), good_token),
        ("POST", path, json.dumps(answer(question="nope")).encode(), good_token),
        ("POST", path, json.dumps(answer(person="someone-else")).encode(), good_token),
        ("POST", path, json.dumps({**answer(), "lesson": "frameworks"}).encode(), good_token),
        ("POST", path, json.dumps(answer(at="2026-02-30T10:00:00")).encode(), good_token),
        ("POST", path, json.dumps(answer()).encode(), other_token),  # not joined
        ("POST", path, json.dumps(answer()).encode(), None),  # no token
        ("POST", path, json.dumps(answer()).encode(), "0" * 32),  # a token the hub does not know
        ("POST", f"api/sessions/{uuid.uuid4().hex}/answers", json.dumps(answer()).encode(), good_token),
        ("POST", "api/sessions/../../hub/api/users/answers", json.dumps(answer()).encode(), good_token),
        ("POST", "api/join", b'{"code": "' + b"A" * 5000 + b'"}', good_token),
        ("GET", f"api/sessions/{session_id}/results", None, good_token),
        ("DELETE", f"api/sessions/{session_id}", None, good_token),
        ("PUT", path, json.dumps(answer()).encode(), good_token),
        ("POST", path, b"x" * 70_000, good_token),  # past what the HTTP server reads at all
    ]
    n = 0
    while True:
        yield cases[n % len(cases)]
        n += 1


def test_a_flood_of_bad_requests_is_refused_and_the_service_keeps_answering(hub):
    session = fresh_session(hub)
    amy, bob = hub.user_token("amy"), hub.user_token("bob")
    call(hub, "POST", "api/join", {"code": session["code"]}, amy)
    before = results(hub, session)
    target = urlparse(hub.direct_url)
    bodies = _flood_bodies(session["id"], amy, bob)
    work = [next(bodies) for _ in range(10_000)]
    chunks = [work[i::8] for i in range(8)]

    def send(chunk):
        statuses = []
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        for method, path, raw, token in chunk:
            headers = {"Content-Type": "application/json"}
            if token:
                headers["Authorization"] = f"token {token}"
            try:
                conn.request(method, target.path + path, body=raw, headers=headers)
                response = conn.getresponse()
                response.read()
                statuses.append(response.status)
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (http.client.HTTPException, OSError):
                statuses.append(0)  # the server cut an oversized request off
                conn.close()
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        conn.close()
        return statuses

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        statuses = [s for part in pool.map(send, chunks) for s in part]
    took = time.monotonic() - started
    assert len(statuses) == 10_000
    accepted = [s for s in statuses if 200 <= s < 300]
    # Only the instructor-only reads answer 2xx, and never to this learner: nothing at all is accepted.
    assert accepted == [], sorted(set(statuses))
    assert not [s for s in statuses if s >= 500]
    after = results(hub, session)
    assert after["define-managing"]["answered"] == before["define-managing"]["answered"] == 0
    assert sum(q["answered"] for k, q in after.items() if k != "members") == 0
    assert call(hub, "GET", "api/me", token=amy)[0] == 200
    log = hub.log_text()
    assert log.count("Live sessions on") == 1 and "Traceback" not in log and "live ERROR" not in log
    print(f"\n10,000 bad requests refused in {took:.1f} s ({10_000 / took:.0f} per second)")


# -- the kernel's side, against the real service ---------------------------------------------------------
def test_client_and_widgets_end_to_end(hub, tmp_path, monkeypatch):
    """Learners' quizzes, built as a lesson builds them on the hub, share through the bar inside them."""
    from course.bank import lesson
    from course.live.client import Service, stop_all
    from course.store import ProgressStore
    from widgets.live_views import LiveDashboard
    from widgets.quiz_view import Quiz

    instructor = Service(hub.service_url, hub.user_token("ines"))
    fresh_session(hub)
    session = instructor.open_session([LESSON])
    board = LiveDashboard(instructor, [lesson(LESSON)], session, refresh=0)
    two_words = lesson(LESSON)
    names = ("amy", "bob", "cy")
    stores = {name: ProgressStore(tmp_path / f"{name}.sqlite3") for name in names}
    monkeypatch.setenv("LEAD_MANAGE_LIVE_URL", hub.service_url)  # what the hub admin sets for every server
    quizzes = {}
    for name in names:  # each learner's server has a token of its own
        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", hub.user_token(name))
        quizzes[name] = [Quiz(two_words, [two_words.question(q)], stores[name]) for q in ("define-managing", "faq-reframed")]
    bars = {name: [quiz.share_bar for quiz in quizzes[name]] for name in names}

    def check(name, answer, which=0):
        view = quizzes[name][which].views[0]
        view.set_answer(answer)
        view.check_button.click()

    try:
        for name in names:
            assert bars[name][0].lesson_sharing is bars[name][1].lesson_sharing
            for bar in bars[name]:
                deadline = time.monotonic() + 10
                while not bar.available and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert bar.available and not bar.sharing and bar.code == session["code"]
                assert "Sharing is off" in bar.details.value and bar.layout.display == ""
        for name in ("amy", "bob"):
            bars[name][0].toggle.value = True
            bars[name][0].settle()
            for bar in bars[name]:  # one click in one quiz: every quiz of the lesson shows it
                assert bar.sharing and bar.toggle.value and bar.pseudonym
                assert "Never your name, reflections or ratings" in bar.details.value
        assert bars["amy"][0].pseudonym != bars["bob"][0].pseudonym
        check("amy", 0)
        check("bob", 2)
        check("bob", 0)
        check("cy", 3)  # cy did not join: not counted
        stores["amy"].save_reflection(LESSON, "first-thoughts", "private words")
        for name in ("amy", "bob"):
            assert bars[name][0].sender.wait_idle(10)
        assert board.refresh_now() and board.joined == 2 and board.answers == 2
        counts = board.counts[(LESSON, "define-managing")]
        assert [b.count for b in counts.bars] == [1, 0, 1, 0] and counts.first_right == 1
        assert "2</b> answered" in board.stage.value and "1 (50%)" in board.stage.value
        assert "Key" not in board.stage.value
        board.revealed = True
        assert "✔ Key" in board.stage.value and "Discussion" not in board.stage.value
        # Leaving takes one click, in any quiz of the lesson, and the next answers stay home.
        bars["bob"][1].toggle.value = False
        bars["bob"][1].settle()
        assert not bars["bob"][0].sharing and not bars["bob"][0].toggle.value
        check("bob", 1, which=1)
        board.refresh_now()
        assert board.joined == 1 and board.counts[(LESSON, "faq-reframed")].answered == 0
        assert board.close_session() and board.closed and board.export_button.disabled is False
        bars["amy"][0].look()
        for bar in bars["amy"]:
            assert not bar.available and bar.layout.display == "none" and not bar.sharing
        assert bars["amy"][0].sender is None
        report = board.export()
        assert report and "define-managing" in report and "private words" not in report
        assert "data:text/html;base64," in board.download.value
        tables = board.results()
        assert tables.learners == 2
        assert board.delete()
        assert all(s["id"] != session["id"] for s in instructor.call("GET", "api/sessions/mine")["sessions"])
    finally:
        board.close()
        for quiz in (q for qs in quizzes.values() for q in qs):
            quiz.close()
        stop_all()
        for store in stores.values():
            store.close()


def test_the_service_stops_at_once_on_sigint_and_sigterm(tmp_path):
    from tests.jupyterlab import free_port

    shared = tmp_path / "working-directory"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    for sig, where in ((signal.SIGINT, ["--data-dir", str(tmp_path)]), (signal.SIGTERM, [])):
        port = free_port()
        env = {**os.environ, "JUPYTERHUB_API_TOKEN": "x", "JUPYTERHUB_CLIENT_ID": "service-live",
               "JUPYTERHUB_API_URL": "http://127.0.0.1:1/hub/api", "JUPYTERHUB_SERVICE_PREFIX": "/services/live/"}
        env.pop("LEAD_MANAGE_LIVE_DATA", None)
        proc = subprocess.Popen([sys.executable, "-m", "course.live", "--port", str(port), *where], cwd=shared,
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if request("GET", f"http://127.0.0.1:{port}/services/live/api/me", timeout=1)[0] == 403:
                    break
            except OSError:
                time.sleep(0.1)
        proc.send_signal(sig)
        started = time.monotonic()
        assert proc.wait(timeout=5) == 0, proc.stderr.read().decode()
        assert time.monotonic() - started < 3
        proc.stderr.close()
    secret = tmp_path / "lead-manage-live-cookie-secret"
    assert secret.exists() and (secret.stat().st_mode & 0o777) == 0o600
    assert (tmp_path / "lead-manage-live.sqlite").stat().st_mode & 0o777 == 0o600
    assert tmp_path.stat().st_mode & 0o777 == 0o700  # the data folder named is the service's alone
    # Without one, the working directory (which may be the hub's own) keeps its mode; the files are still private.
    assert shared.stat().st_mode & 0o777 == 0o755
    assert {p.name: p.stat().st_mode & 0o777 for p in shared.iterdir()} == {p.name: 0o600 for p in shared.iterdir()}
    assert (shared / "lead-manage-live.sqlite").exists()
