"""A small HTTP client that signs in, keeps cookies and sends forms with their CSRF token."""

import re
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

TOKEN_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()),
                                                  NoRedirect())
        self.token = ""

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            html = response.read().decode()
        found = TOKEN_INPUT.search(html)
        if found:
            self.token = VALUE.search(found.group(0)).group(1)
        return html

    def post(self, path: str, data: dict) -> tuple[int, str]:
        """Status and Location of a form post (redirects are not followed)."""
        body = urllib.parse.urlencode({**data, "csrf_token": self.token}, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, ""
        except urllib.error.HTTPError as answer:
            return answer.code, answer.headers.get("Location", "")

    def sign_in(self, email: str, password: str) -> None:
        self.get("/login")
        status, _ = self.post("/login", {"email": email, "password": password})
        assert status == 302, f"sign-in failed for {email}"
