"""Live class sessions on JupyterHub: learners' checked answers reach the instructor's dashboard as they check them.

Three parts, each importable on its own and none at `import course` time:

- `course.live.rules`: what a shared answer may hold and how the room's answers are counted (pure functions).
- `course.live.db` and `course.live.service`: the JupyterHub service (`python -m course.live`), a Tornado
  app that authenticates every request with the hub and keeps sessions in a database given by URL.
- `course.live.client`: the kernel side, which finds the service from the environment and sends a joined
  learner's checked answers in the background, never delaying Check.
"""
from __future__ import annotations

SERVICE_NAME = "live"                # the default name of the service in the hub's configuration
URL_ENV = "LEAD_MANAGE_LIVE_URL"     # where kernels reach the service, e.g. https://hub.example.org/services/live/
DB_ENV = "LEAD_MANAGE_LIVE_DB"       # the service's database URL (SQLAlchemy form)
DATA_ENV = "LEAD_MANAGE_LIVE_DATA"   # the service's data folder (the default database and cookie secret live there)
GROUP_ENV = "LEAD_MANAGE_LIVE_GROUP"  # the hub group whose members may open sessions (hub admins always may)
DEFAULT_GROUP = "instructors"
