#!/usr/bin/env bash
# Set up (first time only) and run every test: unit tests, nbval over every notebook, and the
# end-to-end tests that drive JupyterLab in headless Chromium. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup-env.sh test

need_debian_package() {  # $1: package, $2: what needs it
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian's $1 for $2 ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  else
    echo "$2 need Debian's $1: sudo apt-get install $1" >&2
    exit 1
  fi
}

[ -x /usr/bin/chromium ] || need_debian_package chromium "The browser tests"
axe=.venv/axe/node_modules/axe-core/axe.min.js
if [ ! -f "$axe" ]; then
  command -v npm >/dev/null || need_debian_package npm "The accessibility checks"
  echo "Installing axe-core for the accessibility checks ..."
  npm install --prefix .venv/axe --no-audit --no-fund --silent axe-core@4 >/dev/null
fi
.venv/bin/python -m course check
exec .venv/bin/python -m pytest --nbval-lax --nbval-current-env --nbval-cell-timeout=300 tests modules "$@"
