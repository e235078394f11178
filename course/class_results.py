"""Class results: aggregate learners' export files into tables, charts and a self-contained HTML report.

Submissions are untrusted: each file is size-checked, parsed as JSON and checked against the export
schema (course.exchange.parse_export); a bad file is skipped with its reason and the rest aggregate.
Nothing is executed or unpickled, and every piece of learner text is escaped when shown.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from course.exchange import MAX_BYTES, ExportError, parse_export


@dataclass(frozen=True)
class Submission:
    """One learner's accepted export."""

    source: str
    learner: str
    exported_at: str
    doc: dict = field(repr=False, compare=False)

    @property
    def identity(self) -> str:
        """Who this is: the export's random learner id (version 2), else the typed name (version 1)."""
        learner_id = self.doc.get("learner_id") if isinstance(self.doc, dict) else None
        return f"id:{learner_id}" if learner_id else f"name:{self.learner.casefold()}"


@dataclass(frozen=True)
class Skipped:
    """A file that was not used, and why."""

    source: str
    reason: str


def read_submission(name: str, data: bytes) -> Submission:
    """Parse one submission's bytes; raise ExportError with the reason when it is unusable."""
    doc = parse_export(data)
    learner = doc.get("learner") or ""
    if not learner.strip():
        learner = f"unnamed ({Path(name).stem[:60]})"
    return Submission(name, learner.strip(), doc.get("exported_at", ""), doc)


def load_folder(folder: str | Path) -> tuple[list[Submission], list[Skipped]]:
    """Read every file in a folder as a submission; the latest export per learner wins."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {folder}")
    accepted: list[Submission] = []
    skipped: list[Skipped] = []
    for path in sorted(folder.iterdir()):
        name = safe_name(path.name)
        if path.name.startswith("."):
            continue
        if path.is_symlink():  # stay inside the folder: a link may point at any file on the machine
            skipped.append(Skipped(name, "a link to another file; links are not followed"))
            continue
        if not path.is_file():
            continue
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise ExportError(f"file is {size:,} bytes; an export is at most {MAX_BYTES:,}")
            accepted.append(read_submission(name, path.read_bytes()))
        except ExportError as exc:
            skipped.append(Skipped(name, str(exc)))
        except OSError as exc:
            skipped.append(Skipped(name, f"cannot be read ({exc.strerror or exc})"))
    return dedupe(accepted, skipped)


def safe_name(name: str) -> str:
    """Return a file name as displayable text (bytes that are not UTF-8, and control characters, become U+FFFD)."""
    import os
    import unicodedata

    text = os.fsencode(name).decode("utf-8", "replace")
    return "".join("\ufffd" if unicodedata.category(c) in ("Cc", "Cf") else c for c in text)


def dedupe(accepted: list[Submission], skipped: list[Skipped]) -> tuple[list[Submission], list[Skipped]]:
    """Keep the latest export of each learner (by learner id, else by name); list the older ones as skipped."""
    latest: dict[str, Submission] = {}
    for sub in accepted:
        key = sub.identity
        if key not in latest or (sub.exported_at, sub.source) > (latest[key].exported_at, latest[key].source):
            older, newer = latest.get(key), sub
        else:
            older, newer = sub, latest[key]
        if older is not None:
            renamed = older.learner.casefold() != newer.learner.casefold()
            skipped.append(Skipped(older.source, (
                f"the same learner id as {newer.source}, under another typed name; check who handed it in: "
                if renamed else "an older export of the same learner; ") + f"{newer.source} is newer"))
        latest[key] = newer
    return sorted(latest.values(), key=lambda s: (s.learner.casefold(), s.identity)), skipped


def shared_names(submissions: list[Submission]) -> dict[str, list[Submission]]:
    """Return the typed names that two or more different learners (ids) handed in, for the instructor."""
    by_name: dict[str, list[Submission]] = {}
    for s in submissions:
        by_name.setdefault(s.learner.casefold(), []).append(s)
    return {name: subs for name, subs in by_name.items() if len({s.identity for s in subs}) > 1}


def pseudonyms(submissions: list[Submission], names: bool = False) -> dict[str, str]:
    """Map each learner (by identity) to a display name: 'Learner 01', ... unless real names are asked for.

    With real names, learners who typed the same name are told apart as 'Sam (1)', 'Sam (2)'.
    """
    if names:
        out = {s.identity: s.learner for s in submissions}
        for subs in shared_names(submissions).values():
            for i, s in enumerate(sorted(subs, key=lambda s: s.identity), start=1):
                out[s.identity] = f"{s.learner} ({i})"
        return out
    ordered = sorted(submissions, key=lambda s: hashlib.sha256(s.identity.encode("utf-8", "replace")).hexdigest())
    width = max(2, len(str(len(ordered))))
    return {s.identity: f"Learner {i:0{width}d}" for i, s in enumerate(ordered, start=1)}


@dataclass
class ClassResults:
    """The aggregated tables for a class (pandas DataFrames) and the files skipped."""

    learners: int
    completion: object
    questions: object
    reflections: object
    profile_shift: object
    roster: object
    skipped: list[Skipped]
    pre_post: object = None
    shared_names: list[str] = field(default_factory=list)  # one line per typed name shared by different learners


def _wrong_option(question, answer) -> str | None:
    from course.kinds import AnswerError, kind_of

    try:
        wrong = kind_of(question).wrong_parts(question, answer)
    except AnswerError:
        return None
    return wrong[0] if wrong else None


def aggregate(submissions: list[Submission], skipped: list[Skipped] | None = None, names: bool = False) -> ClassResults:
    """Build the class tables from accepted submissions.

    Parameters
    ----------
    submissions:
        Accepted, de-duplicated submissions.
    skipped:
        Files that were not used, to list in the report.
    names:
        Show learners' own names instead of pseudonyms.
    """
    import pandas as pd

    from course.bank import lessons
    from course.instruments import self_assessment
    from course.review import POST_TEST, PRE_TEST

    course_lessons = lessons()
    questions = {(lesson.id, q.id): (lesson, q) for lesson in course_lessons for q in lesson.questions}
    reflection_keys = {(lesson.id, r.id) for lesson in course_lessons for r in lesson.reflections}
    display = pseudonyms(submissions, names)

    attempt_rows, reflection_rows, rating_rows, post_rows = [], [], [], []
    for sub in submissions:
        who = display[sub.identity]
        for a in sub.doc["attempts"]:
            if a["lesson"] == POST_TEST and (PRE_TEST, a["question"]) in questions:
                post_rows.append((who, a["question"], a["at"], bool(a["correct"])))
            if (a["lesson"], a["question"]) in questions:
                attempt_rows.append((who, a["lesson"], a["question"], a["at"], bool(a["correct"]),
                                     json.dumps(a["answer"])))
        for r in sub.doc["reflections"]:
            if (r["lesson"], r["reflection"]) in reflection_keys:
                reflection_rows.append((who, r["lesson"], r["reflection"], r["at"], r["text"]))
        for r in sub.doc["ratings"]:
            rating_rows.append((who, r["phase"], r["item"], r["at"], r["value"]))

    attempts = pd.DataFrame(attempt_rows, columns=["learner", "lesson", "question", "at", "correct", "answer"])
    attempts["correct"] = attempts["correct"].astype(bool)  # an empty frame would otherwise hold objects
    refl = pd.DataFrame(reflection_rows, columns=["learner", "lesson", "reflection", "at", "text"])
    ratings = pd.DataFrame(rating_rows, columns=["learner", "phase", "item", "at", "value"])
    n = len(submissions)

    # Per question: first attempt correct, ever correct, most common wrong option.
    q_rows = []
    attempts = attempts.sort_values(["learner", "lesson", "question", "at"], kind="stable")
    first = attempts.drop_duplicates(["learner", "lesson", "question"], keep="first")
    solved = attempts.loc[attempts["correct"]].drop_duplicates(["learner", "lesson", "question"])
    solved_counts = solved.groupby(["lesson", "question"]).size()
    tried_counts = first.groupby(["lesson", "question"]).size()
    first_right = first.loc[first["correct"]].groupby(["lesson", "question"]).size()
    wrong = attempts.loc[~attempts["correct"]]
    wrong_tally: dict[tuple[str, str], Counter] = {}
    for (lesson_id, question_id), answers in wrong.groupby(["lesson", "question"])["answer"]:
        question = questions[(lesson_id, question_id)][1]
        counter: Counter = Counter()
        for raw, count in answers.value_counts().items():
            option = _wrong_option(question, json.loads(raw))
            if option:
                counter[option] += int(count)
        wrong_tally[(lesson_id, question_id)] = counter
    for lesson in course_lessons:
        for q in lesson.questions:
            key = (lesson.id, q.id)
            tried = int(tried_counts.get(key, 0))
            common = wrong_tally.get(key, Counter()).most_common(1)
            q_rows.append({
                "lesson": f"{lesson.number:02d} {lesson.title}", "question": q.id, "type": q.type,
                "answered": tried,
                "first try correct": (first_right.get(key, 0) / tried) if tried else float("nan"),
                "correct in the end": (solved_counts.get(key, 0) / tried) if tried else float("nan"),
                "most common wrong answer": common[0][0] if common else "",
                "times chosen": common[0][1] if common else 0,
            })
    question_table = pd.DataFrame(q_rows)

    # Reflections: how many learners wrote something, and how much.
    latest_refl = refl.sort_values("at", kind="stable").drop_duplicates(["learner", "lesson", "reflection"], keep="last")
    latest_refl = latest_refl.loc[latest_refl["text"].astype(str).str.strip() != ""]
    latest_refl = latest_refl.assign(words=latest_refl["text"].astype(str).str.split().str.len().astype(float))
    refl_group = latest_refl.groupby(["lesson", "reflection"])
    r_rows = []
    for lesson in course_lessons:
        for r in lesson.reflections:
            key = (lesson.id, r.id)
            count = int(refl_group.size().get(key, 0)) if len(latest_refl) else 0
            words = float(refl_group["words"].median().get(key, float("nan"))) if len(latest_refl) else float("nan")
            r_rows.append({"lesson": f"{lesson.number:02d} {lesson.title}", "reflection": r.id,
                           "learners who wrote": count, "median words": words})
    reflection_table = pd.DataFrame(r_rows)

    # Completion per lesson: questions solved plus reflections written, per learner.
    solved_by = solved.groupby(["learner", "lesson"]).size()
    wrote_by = latest_refl.groupby(["learner", "lesson"]).size() if len(latest_refl) else pd.Series(dtype=int)
    c_rows = []
    for lesson in course_lessons:
        total = len(lesson.questions) + len(lesson.reflections)
        fractions = []
        for who in display.values():
            done = int(solved_by.get((who, lesson.id), 0)) + int(wrote_by.get((who, lesson.id), 0))
            fractions.append(min(done, total) / total if total else 1.0)
        c_rows.append({"lesson": f"{lesson.number:02d} {lesson.title}",
                       "learners finished": sum(f >= 1 for f in fractions),
                       "learners started": sum(f > 0 for f in fractions),
                       "mean completion": (sum(fractions) / n) if n else float("nan")})
    completion_table = pd.DataFrame(c_rows)

    # Self-assessment: mean per cluster and pole, before and after, for learners with both.
    instrument = self_assessment()
    item_info = {i.id: (i.cluster, i.pole) for i in instrument.items}
    ratings = ratings.loc[ratings["item"].isin(list(item_info)) & ratings["phase"].isin(["before", "after"])]
    ratings = ratings.sort_values("at", kind="stable").drop_duplicates(["learner", "phase", "item"], keep="last")
    ratings = ratings.dropna(subset=["value"])
    shift_rows = []
    if len(ratings):
        ratings = ratings.assign(cluster=ratings["item"].map(lambda i: item_info[i][0]),
                                 pole=ratings["item"].map(lambda i: item_info[i][1]))
        means = ratings.groupby(["learner", "phase", "cluster", "pole"])["value"].mean().unstack("phase")
        for phase in ("before", "after"):
            if phase not in means:
                means[phase] = float("nan")
        both = means.dropna(subset=["before", "after"])
        names_by_id = {c.id: c.name for c in instrument.clusters}
        for cluster in instrument.clusters:
            for pole in ("leading", "managing"):
                present = len(both) and (cluster.id, pole) in both.index.droplevel("learner")
                sel = both.xs((cluster.id, pole), level=("cluster", "pole")) if present else both.iloc[0:0]
                shift_rows.append({"cluster": names_by_id[cluster.id], "pole": pole, "learners": len(sel),
                                   "before": sel["before"].mean() if len(sel) else float("nan"),
                                   "after": sel["after"].mean() if len(sel) else float("nan"),
                                   "shift": (sel["after"] - sel["before"]).mean() if len(sel) else float("nan")})
    profile_table = pd.DataFrame(shift_rows, columns=["cluster", "pole", "learners", "before", "after", "shift"])

    # Pre/post: the lesson 00 warm-up against the same questions asked again in lesson 13 (first tries).
    post = pd.DataFrame(post_rows, columns=["learner", "question", "at", "correct"])
    post = post.sort_values(["learner", "question", "at"], kind="stable").drop_duplicates(["learner", "question"])
    pre = first.loc[first["lesson"] == PRE_TEST, ["learner", "question", "correct"]]
    paired = pre.merge(post[["learner", "question", "correct"]], on=["learner", "question"], suffixes=(" before", " after"))
    pp_rows = []
    for lesson in course_lessons:
        if lesson.id != PRE_TEST:
            continue
        for q in lesson.questions:
            sel = paired.loc[paired["question"] == q.id]
            before = sel["correct before"].mean() if len(sel) else float("nan")
            after = sel["correct after"].mean() if len(sel) else float("nan")
            pp_rows.append({"question": q.id, "prompt": q.prompt[:80], "learners": len(sel),
                            "right before": before, "right after": after, "gain": after - before})
    pre_post_table = pd.DataFrame(pp_rows, columns=["question", "prompt", "learners", "right before", "right after", "gain"])

    roster = pd.DataFrame([{"learner": display[s.identity], "file": s.source if names else "(hidden with the names)",
                            "exported": s.exported_at[:16]} for s in submissions], columns=["learner", "file", "exported"])
    if not names:  # file names often carry a learner's name: hide them with the names, reasons included
        aliases = {sk.source: f"file {i}" for i, sk in enumerate(skipped or [], start=1)}
        aliases.update({s.source: f"the file of {display[s.identity]}" for s in submissions})
        pattern = re.compile("|".join(re.escape(n) for n in sorted(aliases, key=len, reverse=True))) if aliases else None
        skipped = [Skipped(aliases[sk.source], pattern.sub(lambda m: aliases[m.group(0)], sk.reason) if pattern
                           else sk.reason) for sk in (skipped or [])]
    flagged = [(f"'{subs[0].learner}' was typed by {len(subs)} learners (shown numbered)" if names
                else f"{len(subs)} learners typed the same name") for subs in shared_names(submissions).values()]
    return ClassResults(n, completion_table, question_table, reflection_table, profile_table, roster,
                        list(skipped or []), pre_post_table, flagged)


def class_results_from_folder(folder: str | Path, names: bool = False) -> ClassResults:
    """Load a folder of exports and aggregate them."""
    accepted, skipped = load_folder(folder)
    return aggregate(accepted, skipped, names)


# -- charts ------------------------------------------------------------------------------------
def charts(results: ClassResults, for_file: bool = False) -> dict[str, bytes]:
    """Draw the class charts as PNG bytes: completion, hardest questions, self-assessment shift."""
    from course.charts import figure, png

    out = {}
    comp = results.completion
    fig, ax, _ = figure(8, 0.4 + 0.3 * len(comp), for_file)
    ax.barh(comp["lesson"], comp["mean completion"].fillna(0) * 100, color="#1f77b4")
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Mean completion (%)")
    out["Completion per lesson"] = png(fig, for_file)

    answered = results.questions[results.questions["answered"] > 0].sort_values("first try correct").head(12)
    if len(answered):
        fig, ax, _ = figure(8, 0.6 + 0.32 * len(answered), for_file)
        ax.barh(answered["question"], answered["first try correct"] * 100, color="#e07b00")
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("Correct at the first try (%): the hardest questions first")
        out["Hardest questions"] = png(fig, for_file)

    shift = results.profile_shift.dropna(subset=["shift"])
    if len(shift):
        labels = [f"{c} ({p})" for c, p in zip(shift["cluster"], shift["pole"])]
        fig, ax, ink = figure(8, 0.6 + 0.3 * len(shift), for_file)
        colours = ["#1f77b4" if p == "leading" else "#e07b00" for p in shift["pole"]]
        hatches = [None if p == "leading" else "///" for p in shift["pole"]]
        bars = ax.barh(labels, shift["shift"], color=colours)
        for bar, hatch in zip(bars, hatches):
            bar.set_hatch(hatch)
        ax.axvline(0, color=ink, linewidth=0.8)
        ax.invert_yaxis()
        ax.set_xlabel("Mean change in self-rating, after minus before (leading plain, managing hatched)")
        out["Self-assessment shift"] = png(fig, for_file)
    return out


def summary_lines(results: ClassResults) -> list[str]:
    """Describe the class results in words (for the report and for people who cannot see the charts)."""
    lines = [f"{results.learners} learner{'s' if results.learners != 1 else ''} included; "
             f"{len(results.skipped)} file{'s' if len(results.skipped) != 1 else ''} skipped."]
    for clash in results.shared_names:
        lines.append(f"Check the names: {clash}. Their exports carry different learner ids (or, from an older "
                     "version of the course, none), so they are counted as different people.")
    answered = results.questions[results.questions["answered"] > 0]
    if len(answered):
        hardest = answered.sort_values("first try correct").iloc[0]
        lines.append(f"Hardest question: {hardest['question']} ({hardest['lesson']}), right at the first try for "
                     f"{hardest['first try correct']:.0%} of those who answered it.")
    comp = results.completion
    if results.learners:
        best = comp.sort_values("mean completion", ascending=False).iloc[0]
        lines.append(f"Most completed lesson: {best['lesson']} ({best['mean completion']:.0%} on average).")
    shift = results.profile_shift.dropna(subset=["shift"])
    if len(shift):
        biggest = shift.iloc[shift["shift"].abs().argmax()]
        lines.append(f"Largest self-assessment shift: {biggest['cluster']} ({biggest['pole']}), "
                     f"{biggest['shift']:+.1f} on average for {int(biggest['learners'])} learners with both ratings.")
    return lines


# -- the HTML report ---------------------------------------------------------------------------
REPORT_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lead &amp; Manage: class results</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font-family: system-ui, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: .5em 0 1.5em; font-size: .92em; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f1f1f1; }
img { max-width: 100%; }
.skipped li { margin: 2px 0; }
</style></head><body>
<h1>Lead &amp; Manage: class results</h1>
<p>Generated {{ generated }}. {{ "Learners appear under their own names." if names else "Learner names are replaced by pseudonyms." }}</p>
<h2>In brief</h2><ul>{% for line in summary %}<li>{{ line }}</li>{% endfor %}</ul>
{% for title, png in charts %}<h2>{{ title }}</h2><img alt="{{ title }}: see the table below for the figures" src="data:image/png;base64,{{ png }}">{% endfor %}
<h2>Completion per lesson</h2>{{ completion }}
<h2>Questions</h2>{{ questions }}
<h2>Reflections written</h2>{{ reflections }}
<h2>Warm-up before and after (lesson 00, asked again in lesson 13)</h2>{% if pre_post %}{{ pre_post }}{% else %}<p>No learner has taken the post-test in lesson 13 yet.</p>{% endif %}
<h2>Self-assessment, before and after</h2>{% if profile %}{{ profile }}{% else %}<p>No learner has both a before and an after self-assessment yet.</p>{% endif %}
<h2>Learners included</h2>{{ roster }}
<h2>Files skipped</h2>
{% if skipped %}<ul class="skipped">{% for s in skipped %}<li><b>{{ s.source }}</b>: {{ s.reason }}</li>{% endfor %}</ul>
{% else %}<p>None: every file was used.</p>{% endif %}
</body></html>
"""


def tables_html(results: ClassResults) -> dict[str, str]:
    """Render each table as escaped HTML."""
    def table(frame, percent=()):
        formatters = {c: (lambda v: "" if v != v else f"{v:.0%}") for c in percent}
        return frame.to_html(index=False, escape=True, na_rep="", formatters=formatters, float_format=lambda v: f"{v:.2f}",
                             border=0)

    return {
        "completion": table(results.completion, ["mean completion"]),
        "questions": table(results.questions, ["first try correct", "correct in the end"]),
        "reflections": table(results.reflections),
        "profile": table(results.profile_shift) if len(results.profile_shift.dropna(subset=["shift"])) else "",
        "roster": table(results.roster),
        "pre_post": (table(results.pre_post, ["right before", "right after"])
                     if results.pre_post is not None and results.pre_post["learners"].sum() else ""),
    }


def report_html(results: ClassResults, names: bool = False) -> str:
    """Return one self-contained HTML report (tables, charts as inline images, skipped files)."""
    import base64
    from datetime import datetime

    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(autoescape=True)
    tables = {k: Markup(v) for k, v in tables_html(results).items()}  # to_html(escape=True) already escaped
    pngs = [(title, base64.b64encode(png).decode("ascii")) for title, png in charts(results, for_file=True).items()]
    return env.from_string(REPORT_TEMPLATE).render(
        generated=datetime.now().strftime("%d %B %Y %H:%M"), names=names, summary=summary_lines(results),
        charts=pngs, skipped=results.skipped, **tables)


# -- synthetic classes (demo, tests, benchmark) ------------------------------------------------
def synthetic_export(learner: str, seed: int) -> dict:
    """Make a plausible export for an invented learner, for demos, tests and the benchmark."""
    from course.bank import lessons
    from course.exchange import FORMAT, VERSION
    from course.instruments import self_assessment
    from course.kinds import kind_of

    rng = random.Random(seed)
    skill = rng.uniform(0.35, 0.9)
    reach = rng.randint(3, len(lessons()))
    attempts, reflections, ratings = [], [], []
    minute = 0

    def stamp() -> str:
        nonlocal minute
        minute += rng.randint(1, 4)
        return f"2026-10-{1 + minute // 1440:02d}T{(minute // 60) % 24:02d}:{minute % 60:02d}:00+00:00"

    def uid() -> str:
        return "%032x" % rng.getrandbits(128)

    for lesson in lessons()[:reach]:
        for q in lesson.questions:
            for _ in range(3):
                right = rng.random() < skill
                kind = kind_of(q)
                answer = kind.sample(q, rng, right)
                correct = kind.score(q, answer).correct
                attempts.append({"uid": uid(), "lesson": lesson.id, "question": q.id, "answer": answer,
                                 "correct": correct, "score": 1.0 if correct else 0.0, "at": stamp()})
                if correct:
                    break
        for r in lesson.reflections:
            if rng.random() < 0.8:
                reflections.append({"uid": uid(), "lesson": lesson.id, "reflection": r.id,
                                    "text": " ".join(rng.choice(["I", "we", "plan", "team", "change", "listen", "goal"])
                                                     for _ in range(rng.randint(5, 60))), "at": stamp()})
    if reach == len(lessons()):  # the post-test in lesson 13: the warm-up again, a little better on average
        from course.review import POST_TEST

        for q in lessons()[0].questions:
            answer = kind_of(q).sample(q, rng, rng.random() < min(1.0, skill + 0.15))
            correct = kind_of(q).score(q, answer).correct
            attempts.append({"uid": uid(), "lesson": POST_TEST, "question": q.id, "answer": answer,
                             "correct": correct, "score": 1.0 if correct else 0.0, "at": stamp()})
    instrument = self_assessment()
    for phase in ("before", "after"):
        if phase == "after" and reach < 13:
            continue
        for item in instrument.for_phase(phase):
            ratings.append({"uid": uid(), "phase": phase, "item": item.id, "value": rng.randint(1, 5), "at": stamp()})
    return {"format": FORMAT, "version": VERSION, "exported_at": stamp(), "learner": learner,
            "attempts": attempts, "reflections": reflections, "ratings": ratings}


def demo_class(size: int = 12, seed: int = 7) -> ClassResults:
    """Aggregate a small invented class, so an instructor can see the views before real exports arrive."""
    subs = [Submission(f"demo-{i:02d}.json", f"Demo learner {i:02d}", "", synthetic_export(f"Demo learner {i:02d}", seed + i))
            for i in range(1, size + 1)]
    return aggregate(subs, [])
