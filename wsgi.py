"""WSGI entry point: `gunicorn wsgi:app`, and `flask` finds the app here."""

import os
import sys

from compliance import create_app
from config import ConfigurationError, config_for

# gunicorn halts on a worker's exit status 4 ("App failed to load") instead of starting
# workers again and again; flask commands simply stop with it.
APP_LOAD_ERROR = 4

try:
    app = create_app(config_for(os.environ.get("APP_ENV")))
except ConfigurationError as error:
    print(f"Configuration error: {error}", file=sys.stderr)
    sys.exit(APP_LOAD_ERROR)
