"""Reading a report as a person would: the screen's HTML, a CSV's rows, a PDF's text."""

import csv
import io

from pypdf import PdfReader


def screen(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    return response.get_data(as_text=True)


def csv_parts(text: str) -> tuple[list[list[str]], list[list[str]]]:
    """A CSV export's preamble lines (before the blank line) and its table (header first)."""
    lines = list(csv.reader(io.StringIO(text)))
    blank = lines.index([])
    return lines[:blank], lines[blank + 1:]


def csv_rows(client, url: str) -> list[dict]:
    """The rows of a CSV export as dicts by the header's names, past its preamble."""
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    _preamble, table = csv_parts(response.get_data(as_text=True))
    return [dict(zip(table[0], row, strict=True)) for row in table[1:]]


def pdf_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200 and response.data[:4] == b"%PDF"
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)
