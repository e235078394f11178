"""What each install gets: the run-time packages alone for a hub, JupyterLab and Notebook for `./start.sh`
and Binder (environment.yml), the test tools for `./test.sh`; and the two files never drift apart."""
import ast
import re
import sys
from importlib import metadata
from pathlib import Path

import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the test extra brings tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def name(spec: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~ ;@\[]", spec.strip(), maxsplit=1)[0].lower())


def names(specs) -> set[str]:
    return {name(s) for s in specs}


def test_environment_yml_is_the_run_time_packages_plus_the_lab_extra():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda == names(PROJECT["dependencies"]) | names(PROJECT["optional-dependencies"]["lab"])


def test_installing_the_course_leaves_jupyterlab_notebook_and_test_tools_alone():
    runtime = names(PROJECT["dependencies"])
    extras = PROJECT["optional-dependencies"]
    assert not runtime & {"jupyterlab", "notebook", "nbval", "pytest"}, "a hub's JupyterLab must not be changed"
    assert names(extras["lab"]) == {"jupyterlab", "notebook"}
    assert "lead-manage[lab,live]" in extras["test"], "the tests start JupyterLab and a JupyterHub"
    assert names(extras["live"]) == {"jupyterhub"}, "the live service is the only part that needs JupyterHub"
    assert {"nbval", "pytest"} <= names(extras["test"])
    assert 'tomli; python_version < "3.11"' in extras["test"], "Python 3.10 has no tomllib"
    assert PROJECT["requires-python"] == ">=3.10"


LIVE = ROOT / "course" / "live"  # the live-sessions service runs on the hub, with the `live` extra


def _imported_top_level_modules(service: bool = False) -> set[str]:
    """Top-level modules the course imports: in the notebooks' code, or (`service`) in the hub's service."""
    found = set()
    for package in ("course", "widgets"):
        for path in (ROOT / package).rglob("*.py"):
            if (path.name in ("service.py", "db.py") and path.parent == LIVE) != service:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    found |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"course", "widgets", "__future__"}


def _required_closure(roots: set[str]) -> set[str]:
    """Return the distributions that installing `roots` brings (no extras), from installed metadata."""
    from packaging.requirements import Requirement

    seen, todo = set(), list(roots)
    while todo:
        dist = todo.pop()
        if dist in seen:
            continue
        seen.add(dist)
        try:
            requires = metadata.requires(dist) or []
        except metadata.PackageNotFoundError:
            continue
        for spec in requires:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(name(req.name))
    return seen


def _providers() -> dict[str, list[str]]:
    """Map each importable top-level name to the distributions that install it.

    `importlib.metadata.packages_distributions` on Python 3.10 reads only top_level.txt, which many
    wheels lack; the files a distribution installed say the same on every version.
    """
    found: dict[str, list[str]] = {}
    for dist in metadata.distributions():
        tops = {Path(str(f)).parts[0].removesuffix(".py") for f in dist.files or []
                if str(f).endswith((".py", ".so", ".pyd")) and not str(f).startswith("..")}
        for top in tops:
            found.setdefault(top.split(".")[0], []).append(dist.metadata["Name"])
    return found


def test_every_module_the_course_imports_comes_with_its_run_time_packages():
    runtime = names(PROJECT["dependencies"])
    closure = _required_closure(runtime)
    providers = _providers()
    imported = _imported_top_level_modules()
    assert {"ipywidgets", "yaml", "jsonschema", "jsonschema_rs", "platformdirs", "jinja2", "pandas", "matplotlib"} <= imported
    missing = {module: providers.get(module) for module in imported
               if not {name(d) for d in providers.get(module, [])} & closure}
    assert missing == {}, "imported at run time but not brought by pyproject's dependencies"
    assert not closure & {"jupyterlab", "notebook", "jupyter-server", "nbval"}


def test_the_live_service_imports_only_what_the_live_extra_brings():
    closure = _required_closure(names(PROJECT["dependencies"]) | names(PROJECT["optional-dependencies"]["live"]))
    providers = _providers()
    imported = _imported_top_level_modules(service=True)
    assert {"tornado", "jupyterhub", "sqlalchemy"} <= imported
    missing = {module: providers.get(module) for module in imported
               if not {name(d) for d in providers.get(module, [])} & closure}
    assert missing == {}, "imported by the service but not brought by the live extra"


def test_binder_installs_the_course_packages():
    assert "pip install --no-deps --editable ." in (ROOT / "postBuild").read_text()


def test_import_is_light():
    """`import course, widgets` must not load pandas, matplotlib or either schema validator."""
    import subprocess

    heavy = ('pandas', 'matplotlib', 'jsonschema', 'jsonschema_rs', 'yaml', 'sqlite3')
    code = f"import sys, course, widgets; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_helpers_stay_callable_after_their_views_are_imported():
    import widgets
    import widgets.quiz_view  # noqa: F401
    import widgets.reflection_view  # noqa: F401

    assert callable(widgets.quiz) and callable(widgets.reflection)
