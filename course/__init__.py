"""Lead & Manage: the course model (question bank, scoring, progress store, export and import).

Importing this package is cheap: the bank, the store, pandas and matplotlib load on first use.
"""
from __future__ import annotations

import importlib

__all__ = [
    "BankError", "lesson", "lessons", "load_file",
    "score", "ProgressStore", "default_store",
    "export_learner", "import_export", "ExportError",
]

_HOMES = {
    "BankError": "course.bank", "lesson": "course.bank", "lessons": "course.bank", "load_file": "course.bank",
    "score": "course.scoring",
    "ProgressStore": "course.store", "default_store": "course.store",
    "export_learner": "course.exchange", "import_export": "course.exchange", "ExportError": "course.exchange",
}


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'course' has no attribute {name!r}")
