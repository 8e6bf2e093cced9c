"""The settings of the Django site the Django integration test drives (a real settings module).

``CIO_TEST_DB`` names the SQLite file; ``CIO_TEST_BAD_SETTING=1`` adds a
misspelt key to ``CIO_ANALYTICS``, which must stop Django at start-up.
"""

from __future__ import annotations

import os

SECRET_KEY = "test-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
ROOT_URLCONF = "urls"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "cio_analytics.integrations.django.CioAnalyticsConfig",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cio_analytics.integrations.django.RequestScopeMiddleware",
]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("CIO_TEST_DB")}
}
# Faster than the default hasher; the test users have no usable password anyway.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

CIO_ANALYTICS = {
    "trusted_proxies": 1,
    # Only the exit hook delivers in this process: the thread alone would wait a minute.
    "upload_interval": 60.0,
    "on_error": "urls.report_failure",
}
if os.environ.get("CIO_TEST_BAD_SETTING") == "1":
    CIO_ANALYTICS["uplaod_interval"] = 1.0
