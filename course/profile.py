"""Score the self-assessment with pandas and draw the profile with matplotlib (both imported on first use)."""
from __future__ import annotations

from course.instruments import PHASES, Instrument

POLES = ("leading", "managing")
COLOURS = {"leading": "#1f77b4", "managing": "#e07b00"}  # blue / orange: distinct for common colour-vision types
HATCH_BEFORE = "///"


def pole_scores(instrument: Instrument, ratings: dict[str, int | None], phase: str = "after") -> dict:
    """Return {cluster: {pole: (mean or None, answered, items)}}; unanswered and out-of-range ratings are left out.

    Plain Python, so an export can carry scores without loading pandas.
    """
    tally = {c.id: {pole: [] for pole in POLES} for c in instrument.clusters}
    items = {c.id: {pole: 0 for pole in POLES} for c in instrument.clusters}
    for item in instrument.for_phase(phase):
        items[item.cluster][item.pole] += 1
        value = ratings.get(item.id)
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
            tally[item.cluster][item.pole].append(value)
    return {cid: {pole: ((sum(v) / len(v)) if v else None, len(v), items[cid][pole]) for pole, v in poles.items()}
            for cid, poles in tally.items()}


def score_profile(instrument: Instrument, ratings: dict[str, int | None], phase: str = "after"):
    """Return a DataFrame of mean ratings per cluster and pole, with how many items were answered.

    Parameters
    ----------
    instrument:
        The self-assessment.
    ratings:
        Item id -> rating 1..5 (None or missing: not answered; out-of-range values are ignored).
    phase:
        'before' scores only the short set, 'after' all items.
    """
    import pandas as pd

    scores = pole_scores(instrument, ratings, phase)
    rows = []
    for cluster in instrument.clusters:
        row = {"cluster": cluster.id, "name": cluster.name}
        for pole in POLES:
            mean, answered, total = scores[cluster.id][pole]
            row.update({pole: float("nan") if mean is None else mean,
                        f"{pole}_answered": answered, f"{pole}_items": total})
        rows.append(row)
    return pd.DataFrame(rows).set_index("cluster")


def profiles(instrument: Instrument, store) -> dict:
    """Return the scored profile for each phase the learner has answered at least one item of."""
    out = {}
    for phase in PHASES:
        ratings = store.ratings(phase)
        if any(v is not None for v in ratings.values()):
            out[phase] = score_profile(instrument, ratings, phase)
    return out


def _fmt(value) -> str:
    return "not answered" if value != value else f"{value:.1f}"  # NaN != NaN


def summary_lines(instrument: Instrument, scored: dict) -> list[str]:
    """Describe the profile in words, cluster by cluster, for people who cannot see the chart."""
    if not scored:
        return ["No ratings yet: answer the self-assessment above; the chart appears and updates as you rate."]
    lines = []
    latest = scored.get("after", scored.get("before"))
    earlier = scored.get("before") if "after" in scored else None
    for cluster in instrument.clusters:
        row = latest.loc[cluster.id]
        text = (f"{cluster.name}: {cluster.leading} (leading) {_fmt(row['leading'])}, "
                f"{cluster.managing} (managing) {_fmt(row['managing'])}")
        if row["leading"] == row["leading"] and row["managing"] == row["managing"]:
            gap = row["leading"] - row["managing"]
            text += (", evenly balanced" if abs(gap) < 0.5 else
                     f", leaning {'leading' if gap > 0 else 'managing'} by {abs(gap):.1f}")
        if earlier is not None:
            before = earlier.loc[cluster.id]
            changes = []
            for pole in POLES:
                if before[pole] == before[pole] and row[pole] == row[pole]:
                    changes.append(f"{pole} {before[pole]:.1f} → {row[pole]:.1f}")
            if changes:
                text += f" (before the course: {', '.join(changes)})"
        lines.append(text + ".")
    overall = {pole: latest[pole].mean() for pole in POLES}
    lines.append(f"Overall: leading {_fmt(overall['leading'])}, managing {_fmt(overall['managing'])} on a 1 to 5 scale.")
    return lines


def chart_png(instrument: Instrument, scored: dict, for_file: bool = False, dpi: int = 110) -> bytes:
    """Draw leading vs managing per cluster (and before vs after) as PNG bytes.

    Both versions draw dark text (at least 4.5:1) on an opaque white background, so the chart reads
    the same in JupyterLab's light and dark themes and in a downloaded image.
    """
    from course.charts import figure, png

    clusters = list(instrument.clusters)
    fig, ax, ink = figure(7.5, 0.75 + 0.62 * len(clusters), for_file, dpi=dpi)
    phases = [p for p in ("before", "after") if p in scored]
    bar = 0.8 / (2 * max(len(phases), 1))
    for p_index, phase in enumerate(phases):
        frame = scored[phase]
        for k, pole in enumerate(POLES):
            offset = (k * len(phases) + p_index) * bar - 0.4 + bar / 2
            values = [frame.loc[c.id, pole] for c in clusters]
            values = [0 if v != v else v for v in values]
            ax.barh([i + offset for i in range(len(clusters))], values, height=bar * 0.92,
                    color=COLOURS[pole], alpha=0.45 if phase == "before" and len(phases) > 1 else 1.0,
                    hatch=HATCH_BEFORE if phase == "before" and len(phases) > 1 else None,
                    edgecolor=ink if phase == "before" and len(phases) > 1 else COLOURS[pole], linewidth=0.6,
                    label=f"{pole.capitalize()}" + (f" ({phase})" if len(phases) > 1 else ""))
    ax.set_yticks(range(len(clusters)))
    ax.set_yticklabels([c.name for c in clusters])
    ax.invert_yaxis()
    ax.set_xlim(0, 5)
    ax.set_xticks(range(0, 6))
    ax.set_xlabel("Average rating (1 = rarely, 5 = almost always)")
    ax.grid(axis="x", color=ink, alpha=0.25, linewidth=0.6)
    ax.set_axisbelow(True)
    legend = ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize="small")
    for text in legend.get_texts():
        text.set_color(ink)
    return png(fig, for_file)


def profile_scores_for_export(instrument: Instrument, store) -> dict:
    """Return {phase: {cluster: {leading, managing}}} with None where nothing was answered."""
    out = {}
    for phase in PHASES:
        ratings = store.ratings(phase)
        if any(v is not None for v in ratings.values()):
            out[phase] = {cid: {pole: None if mean is None else round(mean, 2) for pole, (mean, _, _) in poles.items()}
                          for cid, poles in pole_scores(instrument, ratings, phase).items()}
    return out
