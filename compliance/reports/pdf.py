"""PDF downloads: the screen's own template in its print layout, rendered by WeasyPrint."""

from flask import Response, current_app

PRINT_CSS = "css/report-print.css"


def render_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML  # imported late: it loads Pango, which is slow to start

    stylesheet = CSS(filename=f"{current_app.static_folder}/{PRINT_CSS}")
    return HTML(string=html, base_url=current_app.static_folder).write_pdf(
        stylesheets=[stylesheet])


def pdf_response(html: str, filename: str) -> Response:
    response = Response(render_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
