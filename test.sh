#!/usr/bin/env bash
# Set up (first time only) and run every test: unit tests, nbval over every lesson, and the
# end-to-end tests that drive JupyterLab in headless Chromium. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup-env.sh test
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian's chromium for the browser tests ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser tests need Debian's chromium at /usr/bin/chromium: sudo apt-get install chromium" >&2
    exit 1
  fi
fi
axe=.venv/axe/node_modules/axe-core/axe.min.js
if [ ! -f "$axe" ]; then
  if ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      echo "Installing npm for the accessibility checks ..."
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
    else
      echo "The accessibility checks need npm (for axe-core): sudo apt-get install npm" >&2
      exit 1
    fi
  fi
  echo "Installing axe-core for the accessibility checks ..."
  npm install --prefix .venv/axe --no-audit --no-fund --silent axe-core@4 >/dev/null
fi
.venv/bin/python -m course check
exec .venv/bin/python -m pytest --nbval-lax --nbval-current-env --nbval-cell-timeout=300 tests modules "$@"
