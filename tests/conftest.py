from pathlib import Path

import pytest

from course.bank import load_file
from course.store import ProgressStore, reset_default_store

DATA = Path(__file__).parent / "data"


@pytest.fixture
def store(tmp_path):
    s = ProgressStore(tmp_path / "progress.sqlite3")
    yield s
    s.close()


@pytest.fixture
def sample():
    return load_file(DATA / "sample.yaml")


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAD_MANAGE_DATA_DIR", str(tmp_path / "learner-data"))
    reset_default_store()
    yield
    reset_default_store()


# Property tests keep no example database: nothing is written into the repository.
from hypothesis import settings  # noqa: E402

settings.register_profile("course", database=None)
settings.load_profile("course")
