"""The trainer's kit in a notebook: a kit sheet shown as the same HTML the printed page carries."""
from __future__ import annotations

from ipywidgets import HTML
from traitlets import Unicode

from widgets._style import Fallback


class KitSheet(Fallback, HTML):
    """One sheet of the trainer's kit (`course.kit`), e.g. the run-sheet or the myth cards.

    The content is `course.kit.sheet_fragment(sheet)`: the printed page's own markup with a style scoped to
    it, so the guide and the printed kit never differ. It is the same when the kernel has stopped: the
    readable copy is the sheet itself.
    """

    interactive = False  # nothing to run: the copy reads the same as the view
    sheet = Unicode("", help="The kit page shown, a key of course.kit.PAGES (e.g. 'run-sheet').")

    def __init__(self, sheet: str, **kwargs):
        from course.kit import sheet_fragment

        super().__init__(value=sheet_fragment(sheet), sheet=sheet, **kwargs)
        self.add_class("lm-kit-sheet")

    def fallback_html(self) -> str:
        return self.value
