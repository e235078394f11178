"""Keep every test, nbval kernels included, away from the learner's real progress and settings."""
import os
import tempfile

_SANDBOX = tempfile.mkdtemp(prefix="lead-manage-tests-")
os.environ["LEAD_MANAGE_DATA_DIR"] = os.path.join(_SANDBOX, "data")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["MPLCONFIGDIR"] = os.path.join(_SANDBOX, "mpl")
os.environ["IPYTHONDIR"] = os.path.join(_SANDBOX, "ipython")
os.environ["JUPYTER_CONFIG_DIR"] = os.path.join(_SANDBOX, "jupyter-config")
os.environ["JUPYTER_DATA_DIR"] = os.path.join(_SANDBOX, "jupyter-data")
os.environ.pop("LEAD_MANAGE_INSTRUCTOR", None)
os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = os.path.join(_SANDBOX, "hypothesis")
