"""Django for a benchmark, on a throwaway database: every bench script calls `configure` before it imports
anything of Waypoint.

A benchmark migrates, loads and deletes at will, so it must never reach the application's own database or
keys: without DATABASE_URL it gets a SQLite file in a temporary directory, `.env` is not read, and the keys
are fresh for the run. DEBUG is off, as it would keep every query of a load in memory and skew the times.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def configure(workdir: str | None = None, *, database: str = "bench.sqlite3", **environment: str) -> str:
    """Set the environment and start Django; `environment` adds variables (WAYPOINT_DEMO="true").

    Without `workdir`, a temporary directory that is deleted when the script ends; with one, the caller
    keeps or deletes it. Returns the directory.
    """
    from waypoint.core.keygen import generate as generate_keys

    if workdir is None:
        workdir = tempfile.mkdtemp(prefix="waypoint-bench-")
        atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    for line in generate_keys().splitlines():
        name, value = line.split("=", 1)
        os.environ[name] = value
    os.environ["WAYPOINT_ENV_FILE"] = "/nonexistent"
    os.environ["DEBUG"] = "false"
    os.environ.update(environment)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/{database}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "waypoint.config.settings"
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite") and str(ROOT / "var") in url:
        raise SystemExit("refusing to run the benchmark on the application's own database")

    import django

    django.setup()
    return workdir
