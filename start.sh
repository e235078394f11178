#!/usr/bin/env bash
# Set up (first time only) and open the course in JupyterLab at the start page. Extra arguments go
# to `jupyter lab`.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup-env.sh lab
# The course's server settings (.jupyter/jupyter_server_config.py: idle kernels are stopped).
export JUPYTER_CONFIG_PATH="$PWD/.jupyter${JUPYTER_CONFIG_PATH:+:$JUPYTER_CONFIG_PATH}"
# A token and port chosen here, so that the link printed below is the real one. The token travels in
# the environment, not on the command line, where other users of the machine could read it.
JUPYTER_TOKEN="${JUPYTER_TOKEN:-$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(24))')}"
export JUPYTER_TOKEN
# A port given as an argument (--port N, --port=N or --ServerApp.port=N) is used as given.
port=""
previous=""
for arg in "$@"; do
  case "$arg" in
    --port=*|--ServerApp.port=*) port="${arg#*=}" ;;
  esac
  case "$previous" in
    --port|--ServerApp.port) port="$arg" ;;
  esac
  previous="$arg"
done
given="$port"
if [ -n "$port" ] && ! [[ "$port" =~ ^[0-9]+$ ]]; then
  echo "The port must be a number, not '$port'." >&2
  exit 1
fi
[ -n "$port" ] || port="$(.venv/bin/python -c '
import socket
for port in range(8888, 8988):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
')"
if [ -z "$port" ]; then
  echo "No free port between 8888 and 8987 on 127.0.0.1: stop another Jupyter and try again." >&2
  exit 1
fi
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)
[ -n "$given" ] || extra+=(--port="$port")  # a port given as an argument reaches Jupyter once, as given
echo "Starting Lead & Manage on http://127.0.0.1:$port ..."
# Once the server answers, say where the start lesson is and how to stop: the server's own lines show
# its home page with the token hidden, and no browser opens on a machine without a desktop.
.venv/bin/python - "$$" "$port" <<'PY' &
import os, sys, time, urllib.request

server, port = int(sys.argv[1]), sys.argv[2]
token = os.environ["JUPYTER_TOKEN"]
status = urllib.request.Request(f"http://127.0.0.1:{port}/api/status", headers={"Authorization": f"token {token}"})
deadline = time.monotonic() + 300
while time.monotonic() < deadline:
    try:
        os.kill(server, 0)
    except OSError:  # the server stopped before it was ready: it has said why
        sys.exit(0)
    try:
        with urllib.request.urlopen(status, timeout=2):
            break
    except OSError:
        time.sleep(0.5)
else:
    sys.exit(0)
print(f"""
  Lead & Manage is ready. Open the start lesson with this link (a browser may have opened it already):

      http://127.0.0.1:{port}/lab/tree/modules/00_start_here.ipynb?token={token}

  To stop the course, press Ctrl+C twice in this window. Your work is saved as you go.
""", flush=True)
PY
# No retries on another port: the link above names this one. If another program took the port in the
# moment since it was found free, the server says so and stops; run ./start.sh again.
exec .venv/bin/jupyter lab "${extra[@]}" --ip=127.0.0.1 --ServerApp.port_retries=0 \
  --ServerApp.root_dir="$PWD" modules/00_start_here.ipynb "$@"
