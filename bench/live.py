"""Load on the live-session service: simulated learners check answers against one service on a real JupyterHub.

    .venv/bin/python bench/live.py [--learners 300] [--answers 20] [--seconds 60] [--large 1000] [--check]

Each learner is an authenticated HTTP client with a real hub token of its own (kernels replaced by clients),
which joins the session and sends its answers spread over the given time, through the hub's proxy as a
kernel does. Meanwhile the instructor's dashboard refresh (the results request) is timed every 2 s, next to
a baseline measured in the same run: the trivial authenticated GET `api/me` on the same service. Prints the
figures; with --check, exits 1 when an answer is lost or the refresh's 95th percentile reaches 1 s.

With --large N, a second session is then filled to the brim: N learners, each with as many answers as the
session takes from one learner (10 per question), written through the service's own store
(`LiveStore.add_answers`, the rows that many HTTP answers make). The refresh is timed on it, and so is the
export after closing it, with `api/me` timed meanwhile (it must not wait for the export).
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LESSONS = ["two-words", "frameworks", "vision-goals"]
REFRESH_TARGET = 1.0  # seconds: the dashboard's refresh stays under this (95th percentile)


def _answers(n: int, rng: random.Random) -> list[dict]:
    """Return n answers a learner might check, right or wrong, over the session's lessons' questions."""
    from course.bank import lesson
    from course.kinds import kind_of

    questions = [(lesson_id, q) for lesson_id in LESSONS for q in lesson(lesson_id).questions]
    out = []
    for i in range(n):
        lesson_id, q = questions[(i + rng.randrange(len(questions))) % len(questions)]
        kind = kind_of(q)
        value = kind.normalise(q, kind.sample(q, rng, rng.random() < 0.6))
        if not kind.is_complete(q, value):
            value = kind.normalise(q, kind.sample(q, rng, True))
        out.append({"uid": uuid.uuid4().hex, "lesson": lesson_id, "question": q.id, "answer": value,
                    "correct": bool(kind.score(q, value).correct), "at": "2026-11-01T10:00:00+00:00"})
    return out


async def _run(hub, learners: int, answers: int, seconds: float) -> dict:
    import aiohttp

    base = hub.service_url
    teacher = {"Authorization": f"token {hub.user_token('ines')}"}
    names = [f"learner{n:04d}" for n in range(learners)]
    hub.api("POST", "/hub/api/users", {"usernames": names})
    tokens = {name: hub.user_token(name) for name in names}
    connector = aiohttp.TCPConnector(limit=200)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        async with http.post(base + "api/sessions", json={"lessons": LESSONS}, headers=teacher) as r:
            session = await r.json()
        sid = session["id"]

        async def join(name):
            async with http.post(base + "api/join", json={"code": session["code"]},
                                 headers={"Authorization": f"token {tokens[name]}"}) as r:
                assert r.status == 200, await r.text()

        await asyncio.gather(*(join(name) for name in names))
        statuses: list[int] = []
        late: list[float] = []

        async def learner(name: str, seed: int):
            rng = random.Random(seed)
            headers = {"Authorization": f"token {tokens[name]}"}
            plan = sorted(rng.uniform(0, seconds * 0.95) for _ in range(answers))
            for at, doc in zip(plan, _answers(answers, rng)):
                delay = started + at - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                sent = time.monotonic()
                for _attempt in range(3):  # as the kernel's sender does: a few tries, then drop
                    try:
                        async with http.post(f"{base}api/sessions/{sid}/answers", json=doc, headers=headers) as r:
                            await r.read()
                            statuses.append(r.status)
                            break
                    except (aiohttp.ClientError, asyncio.TimeoutError):
                        await asyncio.sleep(0.5)
                else:
                    statuses.append(0)
                late.append(time.monotonic() - sent)

        async def timed(path: str) -> float:
            t = time.perf_counter()
            async with http.get(base + path, headers=teacher) as r:
                await r.read()
                assert r.status == 200
            return time.perf_counter() - t

        refresh, baseline = [], []

        async def dashboard():
            while not done.is_set():
                baseline.append(await timed("api/me"))
                refresh.append(await timed(f"api/sessions/{sid}/results"))
                try:
                    await asyncio.wait_for(done.wait(), 2.0)
                except asyncio.TimeoutError:
                    pass

        done = asyncio.Event()
        started = time.monotonic()
        board = asyncio.create_task(dashboard())
        await asyncio.gather(*(learner(name, n) for n, name in enumerate(names)))
        took = time.monotonic() - started
        done.set()
        await board
        async with http.get(f"{base}api/sessions/{sid}", headers=teacher) as r:
            stored = (await r.json())["answers"]
        final = await timed(f"api/sessions/{sid}/results")
    return {"sent": len(statuses), "accepted": sum(200 <= s < 300 for s in statuses), "stored": stored,
            "failed": sum(not 200 <= s < 300 for s in statuses), "took": took, "refresh": refresh,
            "baseline": baseline, "final_refresh": final, "send_time": late}


async def _large(hub, learners: int) -> dict:
    """Fill a second session with `learners` x the cap of answers, then time its refresh and its export."""
    import aiohttp

    from course.live import rules
    from course.live.db import LiveStore

    base = hub.service_url
    teacher = {"Authorization": f"token {hub.user_token('ines')}"}
    pinger = {"Authorization": f"token {hub.user_token('learner0000')}"}
    cap = rules.answer_cap(LESSONS)
    store = LiveStore(f"sqlite:///{hub.workdir / 'live' / 'lead-manage-live.sqlite'}", busy_timeout=30)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as http:
        async def timed(method: str, path: str, headers: dict) -> float:
            t = time.perf_counter()
            async with http.request(method, base + path, headers=headers) as r:
                await r.read()
                assert r.status == 200, r.status
            return time.perf_counter() - t

        async with http.post(base + "api/sessions", json={"lessons": LESSONS, "groups": ["bench"]}, headers=teacher) as r:
            session = await r.json()
        sid = session["id"]
        filled = time.monotonic()

        def fill():
            found = store.session(sid)
            rng = random.Random(7)
            for n in range(learners):
                person = f"bulk{n:05d}"
                store.join(found, person)
                batch = [rules.check_answer(doc, LESSONS) for doc in _answers(cap, rng)]
                store.add_answers(sid, person, batch, cap)
            return store.answer_count(sid)

        stored = await asyncio.get_running_loop().run_in_executor(None, fill)
        filled = time.monotonic() - filled
        refresh = [await timed("GET", f"api/sessions/{sid}/results", teacher) for _ in range(10)]
        await timed("POST", f"api/sessions/{sid}/close", teacher)
        export = asyncio.create_task(timed("GET", f"api/sessions/{sid}/exports", teacher))
        during = []
        while not export.done():
            during.append(await timed("GET", "api/me", pinger))
            await asyncio.sleep(0.2)
        took = await export
        await timed("DELETE", f"api/sessions/{sid}", teacher)
    store.close()
    return {"learners": learners, "cap": cap, "stored": stored, "filled": filled, "refresh": refresh,
            "export": took, "during": during}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--answers", type=int, default=20, help="answers each learner checks")
    parser.add_argument("--seconds", type=float, default=60, help="the time the answers are spread over")
    parser.add_argument("--large", type=int, default=0, metavar="N",
                        help="then fill a second session: N learners x the cap of answers each; time refresh and export")
    parser.add_argument("--check", action="store_true", help="exit 1 if an answer is lost or the refresh is too slow")
    args = parser.parse_args(argv)
    from tests.hub import Hub

    with tempfile.TemporaryDirectory(prefix="live-bench-") as tmp:
        hub = Hub(Path(tmp), instructors=("ines",))
        try:
            figures = asyncio.run(_run(hub, args.learners, args.answers, args.seconds))
            large = asyncio.run(_large(hub, args.large)) if args.large else None
        finally:
            hub.stop()
    expected = args.learners * args.answers
    refresh, baseline = figures["refresh"], figures["baseline"]
    ratio = statistics.median(refresh) / statistics.median(baseline)
    print(f"Live sessions: {args.learners} learners x {args.answers} answers over {args.seconds:.0f} s, one service "
          "on a real JupyterHub (through its proxy)")
    print(f"  answers sent {figures['sent']:,}, accepted {figures['accepted']:,}, stored {figures['stored']:,} "
          f"of {expected:,}; lost {expected - figures['stored']:,}; all sent in {figures['took']:.1f} s")
    print(f"  one answer, send to reply: median {1000 * statistics.median(figures['send_time']):.0f} ms, "
          f"95th percentile {1000 * _pct(figures['send_time'], 0.95):.0f} ms")
    print(f"  dashboard refresh under load ({len(refresh)} refreshes): median {1000 * statistics.median(refresh):.0f} ms, "
          f"95th percentile {1000 * _pct(refresh, 0.95):.0f} ms, max {1000 * max(refresh):.0f} ms "
          f"(target: under {REFRESH_TARGET:.0f} s)")
    print(f"  baseline, a trivial authenticated GET to the same service: median {1000 * statistics.median(baseline):.0f} ms"
          f" -> refresh / baseline {ratio:.1f}x")
    print(f"  refresh after the load, {figures['stored']:,} answers stored: {1000 * figures['final_refresh']:.0f} ms")
    if large:
        print(f"Large session: {large['learners']:,} learners x {large['cap']} answers (the cap per learner) = "
              f"{large['stored']:,} answers, written through the store in {large['filled']:.0f} s")
        print(f"  dashboard refresh ({len(large['refresh'])} refreshes): median "
              f"{1000 * statistics.median(large['refresh']):.0f} ms, max {1000 * max(large['refresh']):.0f} ms")
        print(f"  export of the closed session: {large['export']:.2f} s; meanwhile api/me ({len(large['during'])} "
              f"requests): median {1000 * statistics.median(large['during']):.0f} ms, "
              f"max {1000 * max(large['during']):.0f} ms")
    ok = figures["stored"] == expected and figures["failed"] == 0 and _pct(refresh, 0.95) < REFRESH_TARGET
    print("  OK" if ok else "  NOT MET")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
