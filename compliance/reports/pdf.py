"""PDF downloads: the screen's own template in its print layout, rendered by WeasyPrint."""

from flask import Response, current_app

from compliance.collector import collector_paused

PRINT_CSS = "css/report-print.css"


def render_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML  # imported late: it loads Pango, which is slow to start

    stylesheet = CSS(filename=f"{current_app.static_folder}/{PRINT_CSS}")
    # WeasyPrint's boxes are hundreds of thousands of live objects: collecting while it lays
    # out cost 15% of a 2,000-row session audit (bench/RESULTS.md, "Report PDFs").
    with collector_paused():
        return HTML(string=html, base_url=current_app.static_folder).write_pdf(
            stylesheets=[stylesheet])


def pdf_response(html: str, filename: str) -> Response:
    response = Response(render_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
