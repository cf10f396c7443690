"""Query-string values a view reads outside a form, checked like a form's: an id or a page
number the database can hold (anything else counts as not given), and text without control
characters and within its length (else a 400 page that says why)."""

from flask import request
from werkzeug.exceptions import BadRequest

from compliance.inputs import record_id, text_problem


class BadQuery(BadRequest):
    """A query-string value that cannot be meant; its description is shown on the page."""


def query_id(name: str) -> int | None:
    """The record id given as `name`, or None when absent or not an id."""
    return request.args.get(name, type=record_id)


def query_page(name: str = "page") -> int:
    """The page number given as `name`: 1 unless it is a whole number from 1 upwards that
    the database can count to."""
    return request.args.get(name, 1, type=record_id)


def query_text(name: str, label: str, max_length: int) -> str:
    """The text given as `name`, stripped; refused when it cannot be a search."""
    text = request.args.get(name, "").strip()
    problem = text_problem(text, max_length)
    if problem:
        raise BadQuery(f"{label}: {problem}")
    return text
