"""Keep the course's readable copies in saved and converted notebooks.

Every course view is displayed with two copies: the live widget and a plain HTML copy whose outer
element has the class `lm-fallback` (see `widgets._style.Fallback`). JupyterLab prefers the widget
even when its model no longer exists (the kernel stopped, the lesson was closed and reopened) and
then shows "Error displaying widget: model not found". nbconvert prefers it whenever widget state
was stored, and then loads a widget script from the internet.

So, in notebooks being saved or converted to HTML, the widget entry is removed from the course's
own outputs, and only from those: the readable copy is what a reopened or static lesson shows. The
page that saved keeps its live widgets, because JupyterLab does not reload a notebook it saved.

Two entry points, both shipped as Jupyter config under `etc/jupyter` when the course is installed:

- a Jupyter Server extension (`jupyter_server_config.d/lead-manage.json`) that registers
  `keep_readable_copies` as a pre-save hook (added to any hook a JupyterHub already has);
- an nbconvert preprocessor, `readable_copies`, for the HTML exporter
  (`jupyter_nbconvert_config.json`).

Nothing here imports Jupyter Server or nbconvert: both hand in plain notebook dictionaries.
"""
from __future__ import annotations

from typing import Any

FALLBACK_CLASS = "lm-fallback"
# The readable copy starts with this, exactly as `widgets._style.Fallback` writes it: a marker at the
# very start, so HTML that merely mentions the class name is never taken for a course view.
FALLBACK_START = f'<div class="{FALLBACK_CLASS}"'
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _text(value: Any) -> str:
    """Return a mime bundle entry as one string (notebook files may split text into a list of lines)."""
    if isinstance(value, list):
        return "".join(part for part in value if isinstance(part, str))
    return value if isinstance(value, str) else ""


def is_course_view(output: Any) -> bool:
    """Tell whether a notebook output is a course view: a widget whose bundle carries the readable copy."""
    if not isinstance(output, dict) or output.get("output_type") not in ("display_data", "execute_result"):
        return False
    data = output.get("data")
    return isinstance(data, dict) and _text(data.get("text/html")).startswith(FALLBACK_START)


def keep_readable_copies_in(notebook: Any, forget_counts: bool = False) -> int:
    """Remove the widget entry from each course view's output in a notebook; return how many views it has.

    Any other output, cell or notebook is left as it is.

    Parameters
    ----------
    notebook:
        A notebook (nbformat 4) as a dictionary, or an nbformat `NotebookNode`; changed in place.
    forget_counts:
        Also clear the execution count of each cell whose every output is a course view, so it
        shows `[ ]:` beside a copy that asks to run it, and a saved file stays closer to the course's
        own (fewer lines for a course update to merge).
    """
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return 0
    found = 0
    for cell in notebook["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or not isinstance(cell.get("outputs"), list):
            continue
        views = [output for output in cell["outputs"] if is_course_view(output)]
        found += len(views)
        for output in views:
            output["data"].pop(WIDGET_VIEW, None)
        if forget_counts and views and len(views) == len(cell["outputs"]):
            cell["execution_count"] = None
            for output in views:
                if output.get("output_type") == "execute_result":
                    output["execution_count"] = None
    return found


def _any_widget_view(notebook: dict) -> bool:
    return any(isinstance(output, dict) and WIDGET_VIEW in (output.get("data") or {})
               for cell in notebook.get("cells", []) if isinstance(cell, dict)
               for output in cell.get("outputs", []) or [])


def _drop_widget_state(nb: dict) -> None:
    """Remove the notebook's stored widget state (every model's values, e.g. an open Trainer notes panel)."""
    metadata = nb.get("metadata")
    widgets = metadata.get("widgets") if isinstance(metadata, dict) else None
    if isinstance(widgets, dict):
        widgets.pop(WIDGET_STATE, None)
        if not widgets:
            del metadata["widgets"]


def keep_readable_copies(model: dict, **kwargs) -> None:
    """Pre-save hook for Jupyter Server: save course views as their readable copies (see the module).

    When the notebook has course views and no other widget, any widget state JupyterLab was set to store
    goes too: it would hold what the views showed at saving time (a revealed key, open trainer notes).
    """
    if isinstance(model, dict) and model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        nb = model["content"]
        if keep_readable_copies_in(nb, forget_counts=True) and not _any_widget_view(nb):
            _drop_widget_state(nb)


def readable_copies(nb, resources):
    """nbconvert preprocessor: show course views as their readable copies in a static page.

    When the notebook has course views and no other widget, the stored widget state goes too, so
    the page loads no widget script from the internet and reads the same offline.
    """
    if keep_readable_copies_in(nb) and not _any_widget_view(nb):
        _drop_widget_state(nb)
    return nb, resources


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "course.jupyter_hooks"}]


def _load_jupyter_server_extension(serverapp) -> None:
    serverapp.contents_manager.register_pre_save_hook(keep_readable_copies)
    serverapp.log.info("Lead & Manage: course quizzes and reflections are saved with their readable copies.")
