"""WSGI entry point: `gunicorn wsgi:app`, and `flask` finds the app here."""

import os

from compliance import create_app
from config import CONFIGS

app = create_app(CONFIGS[os.environ.get("APP_ENV", "development")])
