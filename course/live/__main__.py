"""`python -m course.live`: run the live-session service (JupyterHub starts it as a managed service)."""
import sys

from course.live.service import main

sys.exit(main())
