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
.venv/bin/python -m course check
exec .venv/bin/python -m pytest --nbval-lax --nbval-current-env --nbval-cell-timeout=300 tests modules "$@"
