"""The URL converters: a path parameter the database cannot hold matches no route (a 404)
rather than reaching a query the database refuses."""

from flask import Flask
from werkzeug.routing import IntegerConverter, UnicodeConverter

from compliance.inputs import MAX_ID


class RecordIdConverter(IntegerConverter):
    """`<int:...>` is a record id: a number beyond the ids the database can hold names
    nothing."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class PlainTextConverter(UnicodeConverter):
    """`<name>` is text without control characters (PostgreSQL refuses NUL)."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f-\\x9f]", 1)


def register(app: Flask) -> None:
    """Install the converters; before any rule is added, since rules compile with them."""
    app.url_map.converters.update(int=RecordIdConverter, default=PlainTextConverter,
                                  string=PlainTextConverter)
