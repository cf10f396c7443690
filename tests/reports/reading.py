"""Reading a report as a person would: the screen's HTML, a CSV's rows, a PDF's text."""

import csv
import io

from pypdf import PdfReader


def screen(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    return response.get_data(as_text=True)


def csv_rows(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def pdf_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200 and response.data[:4] == b"%PDF"
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)
