"""Run the fast test suite against one-line mutations of the product and print the mutation score.

Each mutation breaks one rule the course promises (a bound, an escape, a restore, a transaction, a
limit, a flush at exit, a bank check). The suite must fail on every one of them. The repository is
copied to a temporary folder first, so the working tree is never touched; the copy runs with this
repository's virtual environment and imports its own `course` and `widgets` first.

Usage: .venv/bin/python bench/mutation.py [--list] [--pytest-args ARGS] [name ...]
A mutation whose original line is no longer in the file is reported as stale, not as a survivor.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTEST = ["-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "tests", "--ignore=tests/test_browser.py"]


@dataclass(frozen=True)
class Mutation:
    """Replace `old` (exactly once in `file`) with `new`; `old` may carry a line of context."""

    name: str
    file: str
    old: str
    new: str


MUTATIONS = [
    Mutation("answer-index-bound", "course/kinds.py",
             "not 0 <= value < len(question.choices)", "not 0 <= value <= len(question.choices)"),
    Mutation("feedback-unescaped", "widgets/quiz_view.py",
             "f'<br>{escape(remark.feedback)}{extra}</li>'", "f'<br>{remark.feedback}{extra}</li>'"),
    Mutation("option-text-unescaped", "widgets/quiz_view.py",
             "<b>{mark}</b>: <i>{escape(remark.text)}</i>'\n                     f'<br>{escape(remark.feedback)}{extra}",
             "<b>{mark}</b>: <i>{remark.text}</i>'\n                     f'<br>{escape(remark.feedback)}{extra}"),
    Mutation("explanation-unescaped", "widgets/quiz_view.py",
             "<b>{mark}</b>: <i>{escape(remark.text)}</i>'\n                         f'<br>{escape(remark.feedback)}</li>'",
             "<b>{mark}</b>: <i>{escape(remark.text)}</i>'\n                         f'<br>{remark.feedback}</li>'"),
    Mutation("classify-explanation-unescaped", "widgets/quiz_view.py",
             "<b>Key: {label}</b>: <i>{escape(remark.text)}</i>'\n                         f'<br>{escape(remark.feedback)}</li>'",
             "<b>Key: {label}</b>: <i>{escape(remark.text)}</i>'\n                         f'<br>{remark.feedback}</li>'"),
    Mutation("situation-unescaped", "widgets/quiz_view.py",
             "<div class=\"lm-situation\">{escape(question.situation)}</div>",
             "<div class=\"lm-situation\">{question.situation}</div>"),
    Mutation("prompt-unescaped", "widgets/quiz_view.py",
             "<div class=\"lm-prompt\">{escape(question.prompt)}</div>", "<div class=\"lm-prompt\">{question.prompt}</div>"),
    Mutation("discussion-note-unescaped", "widgets/quiz_view.py",
             "<b>Discussion:</b> {escape(question.discussion)}", "<b>Discussion:</b> {question.discussion}"),
    Mutation("answer-key-unescaped", "widgets/quiz_view.py",
             "<li><b>{escape(line)}</b></li>", "<li><b>{line}</b></li>"),
    Mutation("class-results-summary-unescaped", "widgets/instructor_views.py",
             'summary = "".join(f"<li>{escape(line)}</li>"', 'summary = "".join(f"<li>{line}</li>"'),
    Mutation("class-results-source-unescaped", "widgets/instructor_views.py",
             "Class results · {escape(source)}", "Class results · {source}"),
    Mutation("class-results-skipped-unescaped", "widgets/instructor_views.py",
             "<li><b>{escape(s.source)}</b>: {escape(s.reason)}</li>", "<li><b>{s.source}</b>: {s.reason}</li>"),
    Mutation("reflection-restore-text-only", "widgets/reflection_view.py",
             "            self.text = saved.text\n", "            pass\n"),
    Mutation("reflection-restore-no-saved-state", "widgets/reflection_view.py",
             "            self.saved_text, self.saved_at = saved.text, saved.at\n            self.area.value",
             "            pass\n            self.area.value"),
    Mutation("quiz-restore-feedback-only", "widgets/quiz_view.py",
             "        self._show(result, restored=True)",
             "        self.feedback.value = feedback_html(self.question, result, True, self.order)"),
    Mutation("instructor-mode-restores-answers", "widgets/quiz_view.py",
             "            return  # instructor mode starts clean", "            pass  # instructor mode starts clean"),
    Mutation("rating-6-in-store", "course/store.py",
             "or not 1 <= value <= 5):\n            raise ValueError(f\"a rating is",
             "or not 1 <= value <= 6):\n            raise ValueError(f\"a rating is"),
    Mutation("rating-6-in-merge", "course/store.py",
             "or not 1 <= value <= 5):\n                raise ValueError(f\"rating {r",
             "or not 1 <= value <= 6):\n                raise ValueError(f\"rating {r"),
    Mutation("rating-6-in-widget", "widgets/profile_views.py",
             "options=[(str(k), k) for k in instrument.scale]", "options=[(str(k), k) for k in [*instrument.scale, 6]]"),
    Mutation("rating-6-in-import", "course/schema/export.schema.json",
             '"value": {"type": ["integer", "null"], "minimum": 1, "maximum": 5}',
             '"value": {"type": ["integer", "null"], "minimum": 1, "maximum": 6}'),
    Mutation("plan-threshold-constant", "course/plan.py", "BEHAVIOUR_WORDS = 3", "BEHAVIOUR_WORDS = 4"),
    Mutation("plan-threshold-comparison", "course/plan.py",
             "_words(values.get(b)) >= BEHAVIOUR_WORDS", "_words(values.get(b)) > BEHAVIOUR_WORDS"),
    Mutation("merge-row-by-row", "course/store_writes.py",
             '                try:\n                    return self._transaction("BEGIN IMMEDIATE", '
             'lambda c: [_put(c, "main", *r) for r in rows])',
             '                try:\n                    return [self._transaction("BEGIN IMMEDIATE", '
             'lambda c, r=r: _put(c, "main", *r)) for r in rows]'),
    Mutation("merge-commits-halfway", "course/store_writes.py",
             "            rollback(conn)\n            raise", "            conn.execute(\"COMMIT\")\n            raise"),
    Mutation("export-limit-tenfold", "course/exchange.py", "MAX_BYTES = 5 * 1024 * 1024", "MAX_BYTES = 50 * 1024 * 1024"),
    Mutation("export-limit-check-tenfold", "course/exchange.py",
             "    if len(data) > MAX_BYTES:", "    if len(data) > 10 * MAX_BYTES:"),
    Mutation("export-trim-tenfold", "course/exchange.py",
             '    if size > MAX_BYTES:\n        latest', '    if size > 10 * MAX_BYTES:\n        latest'),
    Mutation("no-flush-at-exit", "widgets/reflection_view.py", "@atexit.register\n", "\n"),
    Mutation("scenario-two-best", "course/bank.py", "            if best != 1:", "            if best < 1:"),
    Mutation("read-only-folder-old-work-lost", "course/store_file.py",
             '    conn = connect(uri + "?immutable=1", uri=True)', '    raise sqlite3.OperationalError("read-only")'),
    Mutation("read-only-folder-no-fallback", "course/store_file.py",
             '        return in_memory(f"{path} cannot be written ({exc})", rows)', "        raise"),
    Mutation("unreadable-file-moved-aside", "course/store_file.py",
             '_replace(path, None, "corrupt") if is_damage(exc) else', '_replace(path, None, "corrupt") if True else'),
    Mutation("foreign-folder-chmod-crashes", "course/store_file.py",
             "            os.chmod(path, mode)\n    except OSError:", "            os.chmod(path, mode)\n    except ValueError:"),
    Mutation("files-left-readable", "course/store_file.py",
             "_tighten(Path(str(path) + suffix), 0o600)", "_tighten(Path(str(path) + suffix), 0o644)"),
]


def copy_repo(target: Path) -> None:
    """Copy the working tree (without the virtual environment or artefacts) into `target`.

    The history comes along: a test lists the repository's files with `git ls-files`.
    """
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(
        ".venv", "test-artifacts", "__pycache__", "*.egg-info", ".pytest_cache", ".ipynb_checkpoints"))


def run_suite(copy: Path, extra: list[str]) -> tuple[bool, str]:
    """Run the fast suite in the copy; return (passed, the last lines of its output)."""
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    run = subprocess.run([sys.executable, *PYTEST, *extra], cwd=copy, env=env, capture_output=True, text=True)
    lines = [line for line in run.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    tail = lines[:3] or run.stdout.strip().splitlines()[-1:]
    return run.returncode == 0, "\n      ".join(tail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="mutations to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--pytest-args", default="", help="extra arguments for pytest, e.g. '-k store'")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.names or m.name in args.names]
    if args.list:
        for m in MUTATIONS:
            print(f"{m.name:36} {m.file}")
        return 0
    unknown = set(args.names) - {m.name for m in MUTATIONS}
    if unknown:
        parser.error(f"unknown mutation(s): {', '.join(sorted(unknown))}")
    extra = args.pytest_args.split()
    with tempfile.TemporaryDirectory(prefix="lead-manage-mutation-") as tmp:
        copy = Path(tmp) / "repo"
        copy_repo(copy)
        where = subprocess.run([sys.executable, "-c", "import course, widgets; print(course.__file__, widgets.__file__)"],
                               cwd=copy, env={**os.environ, "PYTHONPATH": str(copy)}, capture_output=True, text=True)
        if not all(p.startswith(str(copy)) for p in where.stdout.split()) or len(where.stdout.split()) != 2:
            print(f"the copy does not import its own packages: {where.stdout or where.stderr}", file=sys.stderr)
            return 2
        start = time.monotonic()
        passed, tail = run_suite(copy, extra)
        if not passed:
            print(f"the unmutated suite fails, so no score can be given:\n      {tail}", file=sys.stderr)
            return 2
        print(f"unmutated suite passes ({time.monotonic() - start:.0f} s)")
        killed, survived, stale = [], [], []
        for m in chosen:
            path = copy / m.file
            original = path.read_text(encoding="utf-8")
            if original.count(m.old) != 1:
                stale.append(m)
                print(f"  stale     {m.name}: the line to mutate is {'not' if not original.count(m.old) else 'more than once'} "
                      f"in {m.file}")
                continue
            path.write_text(original.replace(m.old, m.new), encoding="utf-8")
            try:
                start = time.monotonic()
                passed, tail = run_suite(copy, extra)
            finally:
                path.write_text(original, encoding="utf-8")
            took = time.monotonic() - start
            if passed:
                survived.append(m)
                print(f"  SURVIVED  {m.name} ({m.file}, {took:.0f} s)")
            else:
                killed.append(m)
                print(f"  killed    {m.name} ({took:.0f} s)\n      {tail}")
        tried = len(killed) + len(survived)
        score = 100 * len(killed) / tried if tried else 0.0
        print(f"\nmutation score: {len(killed)} of {tried} killed ({score:.0f}%)"
              + (f"; {len(stale)} stale" if stale else ""))
        if survived:
            print("survivors: " + ", ".join(m.name for m in survived))
        return 0 if not survived and not stale else 1


if __name__ == "__main__":
    sys.exit(main())
