"""gunicorn entry point for the write benchmark: the app plus the one-row ceiling endpoint."""

import os

from bench.ceiling import bp
from compliance import create_app
from config import DevelopmentConfig

config = type("BenchServerConfig", (DevelopmentConfig,),
              {"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]})
app = create_app(config)
app.register_blueprint(bp)
