"""Shared matplotlib styling for the course's charts (imported only when a chart is drawn)."""
from __future__ import annotations

import io


def figure(width: float, height: float, for_file: bool, dpi: int = 100):
    """Return (figure, axes, ink colour) styled for JupyterLab's light and dark themes, or white for a file.

    On screen the background is transparent and text is mid-grey, readable on either theme.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=dpi)
    if for_file:
        fig.patch.set_facecolor("white")
    else:
        fig.patch.set_alpha(0.0)
    ax = fig.add_subplot()
    ax.set_facecolor("none")
    ink = "#333333" if for_file else "#8a8a8a"
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    for spine in ("left", "bottom"):
        ax.spines[spine].set_color(ink)
    ax.tick_params(colors=ink)
    ax.xaxis.label.set_color(ink)
    return fig, ax, ink


def png(fig, for_file: bool) -> bytes:
    """Render a figure to PNG bytes."""
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", transparent=not for_file)
    return buffer.getvalue()
