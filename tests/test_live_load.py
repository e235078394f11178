"""A class under load on one live service, on a real JupyterHub: 300 learners (authenticated HTTP clients with
hub tokens of their own, as their kernels would be) each check 20 answers, through the hub's proxy. None is
lost. How long the dashboard's refresh takes meanwhile is a figure `bench/live.py` prints, not a test."""
from __future__ import annotations

import asyncio
import importlib.util

from tests.hub import Hub
from tests.jupyterlab import REPO


def _bench():
    spec = importlib.util.spec_from_file_location("bench_live", REPO / "bench" / "live.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_300_learners_checking_20_answers_each_lose_none(tmp_path):
    hub = Hub(tmp_path, instructors=("ines",))
    try:
        figures = asyncio.run(_bench()._run(hub, 300, 20, 20.0))
    finally:
        hub.stop()
    assert figures["sent"] == 6_000
    assert figures["failed"] == 0, "every answer was accepted, retries included"
    assert figures["stored"] == 6_000, "every accepted answer is in the session, once"
    assert figures["refresh"], "the dashboard was refreshed while the class answered"
