"""Every form and query string of the app, found as a user finds them: by reading its pages.

A crawl from every GET route (built with sample ids) follows the links it meets and reads
every <form>: its action, method and field names with the values the page offers. A new form
or query string is therefore covered as soon as some page shows it; a route no page names is
still reached through the URL map, and the query-string names the views read are taken from
the application's source, so a parameter only a view knows of is fuzzed too.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

from flask import Flask

SOURCE = Path(__file__).resolve().parent.parent / "compliance"
# Pages that are files: their parameters are those of the page they export, read there.
NOT_CRAWLED = (".csv", ".pdf")
PAGES_PER_ENDPOINT = 3


@dataclass
class Target:
    """One route to fuzz: where to send it and the fields it takes, with the values seen."""

    method: str
    path: str
    endpoint: str
    fields: dict[str, set[str]] = field(default_factory=dict)
    query: dict[str, set[str]] = field(default_factory=dict)
    args: dict = field(default_factory=dict)  # the URL's own parameters, as the route reads them

    def learn(self, names: dict[str, set[str]], into: str = "fields") -> None:
        known = getattr(self, into)
        for name, values in names.items():
            known.setdefault(name, set()).update(values)


class PageReader(HTMLParser):
    """The forms (action, method, field values) and links of one page."""

    def __init__(self, url: str):
        super().__init__()
        self.url, self.forms, self.links, self._form, self._select = url, [], [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.url, attrs["href"]))
        elif tag == "form":
            self._form = (urljoin(self.url, attrs.get("action") or self.url),
                          attrs.get("method", "get").upper(), {})
            self.forms.append(self._form)
        elif self._form is not None:
            self._field(tag, attrs)

    def _field(self, tag: str, attrs: dict) -> None:
        if attrs.get("name") and tag in ("input", "textarea", "select", "button"):
            values = self._form[2].setdefault(attrs["name"], set())
            values.add(attrs.get("value", ""))
            self._select = values if tag == "select" else None
        elif tag == "option" and self._select is not None:
            self._select.add(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def view_query_names() -> set[str]:
    """Query-string names the views read directly (request.args.get("name"))."""
    names = set()
    for path in SOURCE.rglob("*.py"):
        names.update(re.findall(r"args\.get\(\s*[\"'](\w+)[\"']", path.read_text()))
    return names


class SiteMap:
    """Targets by (method, path), grown by crawling pages with a signed-in client."""

    def __init__(self, app: Flask):
        self.app, self.adapter = app, app.url_map.bind("localhost")
        self.targets: dict[tuple[str, str], Target] = {}
        self.seen_pages: set[str] = set()
        self.pages_of: dict[str, int] = {}

    def route(self, url: str, method: str) -> tuple[str, dict] | None:
        """The endpoint and URL parameters `url` reaches, if it is a page of this app."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        try:
            endpoint, args = self.adapter.match(parts.path, method=method)
        except Exception:  # noqa: BLE001 - a link to nothing, or a redirect rule
            return None
        return None if endpoint == "static" else (endpoint, args)

    def endpoint(self, url: str, method: str) -> str | None:
        found = self.route(url, method)
        return found and found[0]

    def target(self, method: str, url: str) -> Target | None:
        route = self.route(url, method)
        if route is None:
            return None
        key = (method, urlsplit(url).path)
        if key not in self.targets:
            self.targets[key] = Target(method, key[1], route[0], args=route[1])
        found = self.targets[key]
        found.learn(_query_of(url), "fields" if method == "GET" else "query")
        return found

    def read(self, url: str, html: str) -> list[str]:
        """Learn the page's forms and links; returns the links worth visiting."""
        reader = PageReader(url)
        reader.feed(html)
        for action, method, names in reader.forms:
            found = self.target(method, action)
            if found is not None:
                found.learn(names)
        for link in reader.links:
            self.target("GET", link)
        return [link for link in reader.links if self._worth_visiting(link)]

    def _worth_visiting(self, url: str) -> bool:
        endpoint = self.endpoint(url, "GET")
        return (endpoint is not None and not urlsplit(url).path.endswith(NOT_CRAWLED)
                and url not in self.seen_pages
                and self.pages_of.get(endpoint, 0) < PAGES_PER_ENDPOINT)

    def _page_exported_by(self, target: Target) -> Target:
        """The page a CSV or PDF exports (its filters are the export's), else `target`."""
        path = target.path.removesuffix(".csv").removesuffix(".pdf")
        return self.targets.get(("GET", path), target)

    def crawl(self, client, start: list[str], limit: int = 150) -> None:
        """Visit `start` and the links they lead to, a few pages per endpoint, as the user
        `client` is signed in as (each user sees the forms their roles offer)."""
        self.seen_pages, self.pages_of = set(), {}
        queue = [url for url in start if self._worth_visiting(url)]
        while queue and limit > 0:
            url = queue.pop(0)
            if url in self.seen_pages:
                continue
            self.seen_pages.add(url)
            endpoint = self.endpoint(url, "GET")
            self.pages_of[endpoint] = self.pages_of.get(endpoint, 0) + 1
            limit -= 1
            response = client.get(url)
            if response.status_code == 200 and response.mimetype == "text/html":
                queue.extend(self.read(url, response.get_data(as_text=True)))

    def complete(self, build_url) -> list[Target]:
        """Every route of the URL map has a target (built by `build_url(rule)` when no page
        names it), and every GET target takes the query names the views read."""
        covered = {(t.method, t.endpoint) for t in self.targets.values()}
        for rule in self.app.url_map.iter_rules():
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if rule.endpoint != "static" and (method, rule.endpoint) not in covered:
                    self.target(method, build_url(rule))
        names = {name: {""} for name in sorted(view_query_names())}
        for found in self.targets.values():
            found.learn(names, "fields" if found.method == "GET" else "query")
            if found.method == "GET":
                found.learn(self._page_exported_by(found).fields)
        return sorted(self.targets.values(), key=lambda t: (t.endpoint, t.method, t.path))


def _query_of(url: str) -> dict[str, set[str]]:
    names: dict[str, set[str]] = {}
    for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        names.setdefault(name, set()).add(value)
    return names
