"""environment.yml (Binder, conda) and pyproject.toml (pip) must list the same packages."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_and_pyproject_list_the_same_packages():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    pip = {name(d) for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    assert conda == pip


def test_binder_installs_the_course_packages():
    assert "pip install --no-deps --editable ." in (ROOT / "postBuild").read_text()


def test_import_is_light():
    """`import course, widgets` must not load pandas, matplotlib or either schema validator."""
    import subprocess
    import sys

    heavy = ('pandas', 'matplotlib', 'jsonschema', 'jsonschema_rs', 'yaml', 'sqlite3')
    code = f"import sys, course, widgets; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_helpers_stay_callable_after_their_views_are_imported():
    import widgets
    import widgets.quiz_view  # noqa: F401
    import widgets.reflection_view  # noqa: F401

    assert callable(widgets.quiz) and callable(widgets.reflection)
