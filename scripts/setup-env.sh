#!/usr/bin/env bash
# Create or update the course's virtual environment in .venv (idempotent: reinstalls only when
# pyproject.toml changed). Usage: scripts/setup-env.sh [test]
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "Lead & Manage needs Python 3.10 or newer as '$python'." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtual environment in .venv ..."
  if ! "$python" -m venv .venv; then
    echo "Could not create a virtual environment. On Debian or Ubuntu: sudo apt-get install python3-venv" >&2
    exit 1
  fi
fi
stamp=".venv/.lead-manage-installed${extras:+-$extras}"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing the course and its packages into .venv (a minute or two the first time) ..."
  log=.venv/pip-install.log
  if ! { .venv/bin/python -m pip install --upgrade pip &&
         .venv/bin/python -m pip install --editable ".${extras:+[$extras]}"; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "Installing failed; the whole log is in $log" >&2
    exit 1
  fi
  echo "$want" > "$stamp"
fi
# An editable install leaves out the data files that pyproject.toml ships: put the course's Jupyter
# config (etc/jupyter) into the environment by hand, every time, so a change to it always arrives.
mkdir -p .venv/etc/jupyter/jupyter_server_config.d
cp etc/jupyter/jupyter_server_config.d/lead-manage.json .venv/etc/jupyter/jupyter_server_config.d/
cp etc/jupyter/jupyter_nbconvert_config.json .venv/etc/jupyter/
