#!/usr/bin/env bash
# Set up (first time only) and open the course in JupyterLab at the start page.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup-env.sh
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)
exec .venv/bin/jupyter lab "${extra[@]}" --ServerApp.root_dir="$PWD" modules/00_start_here.ipynb "$@"
