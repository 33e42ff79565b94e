"""Settings for the test suite: the real settings, with test keys and fast password hashing.

DATABASE_URL chooses the database (SQLite by default; `make test` runs again on PostgreSQL).
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghijklmnop")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "Hr3Ea3sFjgTtY1P8b6Pj8ucmmnfSgkYxs0iiTIudkVM=")
os.environ.setdefault("BLIND_INDEX_KEY", "test-blind-index-key-0123456789abcdefghijklmnop")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("WAYPOINT_ENV_FILE", "/nonexistent")  # never read a developer's .env

from waypoint.config.settings import *  # noqa: F403
from waypoint.config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.crypto_app"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WAYPOINT_DEMO = True
STATIC_ROOT = None  # static files come from the apps' folders (no collectstatic in tests)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded files (photos, consent forms, pending imports) go to a folder of this test run only: never
# the project's var/files, and two runs side by side (SQLite and PostgreSQL) never see each other's.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="waypoint-test-files-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
