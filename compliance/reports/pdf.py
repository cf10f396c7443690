"""PDF downloads: the screen's own template in its print layout, rendered by WeasyPrint."""

import gc
from contextlib import contextmanager

from flask import Response, current_app

PRINT_CSS = "css/report-print.css"


@contextmanager
def collector_paused():
    """Hold Python's cyclic garbage collector while WeasyPrint lays out a document: its boxes
    are hundreds of thousands of live objects, which every collection walks again while
    freeing next to nothing (15% of a 2,000-row session audit's time, 40% of a plain long
    table's: bench/RESULTS.md, "Report PDFs"). What it leaves is freed at the next collection,
    and the peak memory was the same."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML  # imported late: it loads Pango, which is slow to start

    stylesheet = CSS(filename=f"{current_app.static_folder}/{PRINT_CSS}")
    with collector_paused():
        return HTML(string=html, base_url=current_app.static_folder).write_pdf(
            stylesheets=[stylesheet])


def pdf_response(html: str, filename: str) -> Response:
    response = Response(render_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
