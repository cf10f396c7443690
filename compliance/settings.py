"""Deployment settings (config.py), read in one place so that services need not import Flask."""

from flask import current_app


def setting(name: str):
    """The running application's value of the setting `name`."""
    return current_app.config[name]
