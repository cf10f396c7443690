"""Storage temperature pages: the areas and their latest readings, an area's chart and
readings, a reading typed in or corrected, and quarantine of what an area holds."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import abort, render_template, request, url_for
from flask_login import current_user

from compliance import locations
from compliance.clock import clinic_zone, local_today, to_local, utcnow
from compliance.extensions import db
from compliance.inputs import date_range
from compliance.models import StorageArea, TemperatureReading
from compliance.permissions import requires
from compliance.query import query_id, query_page
from compliance.rules.temperature import degrees, out_of_range, range_words
from compliance.security import safe_next
from compliance.services import storage_quarantine, temperatures
from compliance.services import temperature_queries as queries
from compliance.services.reports import temperature_exceptions
from compliance.temperature_chart import Point, readings_chart
from compliance.temperatures import bp
from compliance.temperatures.forms import CorrectionForm, PeriodForm, QuarantineForm, ReadingForm
from compliance.views import run_form

DEFAULT_DAYS = 30
LONGEST_DAYS = 366
PAGE_SIZE = 100


@dataclass(frozen=True)
class Page:
    rows: list
    page: int
    pages: int
    total: int


def _visible_area(area_id: int) -> StorageArea:
    """The storage area, if the user may see its location; else not found (D7)."""
    area = db.get_or_404(StorageArea, area_id)
    return area if locations.can_see(current_user, area.location_id) else abort(404)


@bp.route("/")
@requires("view_temperatures")
def index():
    here = locations.current_location(current_user)
    return render_template("temperatures/index.html", summaries=queries.summaries(current_user),
                           here=here, out_of_range=out_of_range, degrees=degrees)


def _period(form: PeriodForm) -> tuple[date, date]:
    """The days asked for: the last DEFAULT_DAYS by default, at most LONGEST_DAYS."""
    today = local_today()
    if not form.validate():
        return today - timedelta(days=DEFAULT_DAYS - 1), today
    last = form.date_to.data or today
    first = form.date_from.data or last - timedelta(days=DEFAULT_DAYS - 1)
    return max(first, last - timedelta(days=LONGEST_DAYS - 1)), last


def _page(rows: list) -> Page:
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(query_page(), pages)
    return Page(rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], page, pages, len(rows))


@bp.route("/areas/<int:area_id>")
@requires("view_temperatures")
def area(area_id: int):
    area = _visible_area(area_id)
    form = PeriodForm(request.args)
    first, last = _period(form)
    rows = queries.readings(area.id, first, last)
    corrections = queries.corrections_in(area.id)
    points = [Point(to_local(row.taken_at), row.temperature_c) for row in rows
              if row.id not in corrections]
    chart = readings_chart(f"{area}: readings from {first:%d %b %Y} to {last:%d %b %Y} "
                           f"against its range of {range_words(area.min_temp_c, area.max_temp_c)}",
                           points, area.min_temp_c, area.max_temp_c, first, last)
    return render_template("temperatures/area.html", area=area, form=form, first=first,
                           last=last, chart=chart, page=_page(rows[::-1]),
                           corrections=corrections, out_of_range=out_of_range, degrees=degrees,
                           range_words=range_words, longest=LONGEST_DAYS,
                           works_here=locations.works_at(current_user, area.location_id))


def _now_local() -> datetime:
    return to_local(utcnow()).replace(second=0, microsecond=0, tzinfo=None)


def _taken_at(form) -> datetime | None:
    """The form's local time as an instant (the clinic's zone)."""
    return form.taken_at.data.replace(tzinfo=clinic_zone()) if form.taken_at.data else None


def _recorded(reading: TemperatureReading) -> str:
    area = reading.storage_area
    said = f"Reading of {degrees(reading.temperature_c)} recorded for {area}."
    if out_of_range(reading.temperature_c, area.min_temp_c, area.max_temp_c):
        said += (f" It is outside the range of {range_words(area.min_temp_c, area.max_temp_c)}: "
                 "it is listed among the compliance exceptions with the batches stored there.")
    return said


@bp.route("/record", methods=["GET", "POST"])
@requires("record_temperature")
def record():
    areas = queries.areas_here(current_user)
    form = ReadingForm(areas)
    if not form.is_submitted():
        form.storage_area_id.data = query_id("area")
        form.taken_at.data = _now_local()
    return run_form(
        form, lambda: temperatures.record_reading(current_user, temperatures.Reading(
            form.storage_area_id.data, form.temperature_c.data, _taken_at(form))),
        success=_recorded, to=lambda r: url_for("temperatures.area", area_id=r.storage_area_id),
        invalid="Check the form: some entries are missing or out of range.",
    ) or render_template("temperatures/record.html", form=form, areas=areas,
                          here=locations.current_location(current_user))


@bp.route("/readings/<int:reading_id>/correct", methods=["GET", "POST"])
@requires("record_temperature")
def correct(reading_id: int):
    wrong = db.get_or_404(TemperatureReading, reading_id)
    _visible_area(wrong.storage_area_id)
    form = CorrectionForm()
    if not form.is_submitted():
        form.temperature_c.data = wrong.temperature_c
        form.taken_at.data = to_local(wrong.taken_at).replace(tzinfo=None)
    return run_form(
        form, lambda: temperatures.correct_reading(current_user, wrong.id, temperatures.Reading(
            None, form.temperature_c.data, _taken_at(form)), form.reason.data),
        success="Correction recorded; the wrong reading is kept, marked as corrected.",
        to=url_for("temperatures.area", area_id=wrong.storage_area_id),
        invalid="Check the form: some entries are missing or out of range.",
    ) or render_template("temperatures/correct.html", form=form, wrong=wrong,
                          correction=temperatures.existing_correction(wrong.id),
                          degrees=degrees)


def _exception_reason(area: StorageArea) -> str:
    """The words of the exception the page was opened from (`exception` of the day `on`), as
    the quarantine's reason; none when it names no exception of this area."""
    try:
        day = date.fromisoformat(request.args.get("on", ""))
    except ValueError:
        return ""
    earliest, latest = date_range()
    found = (temperature_exceptions.find(day, request.args.get("exception", "")[:60])
             if earliest <= day <= latest else None)
    return found.reason() if found and found.page == ("storage_area", area.id) else ""


@bp.route("/areas/<int:area_id>/quarantine", methods=["GET", "POST"])
@requires("manage_stock")
def quarantine(area_id: int):
    area = _visible_area(area_id)
    batches = storage_quarantine.quarantinable(area.id)
    form = QuarantineForm(batches)
    back = (safe_next(request.args.get("back"))
            or url_for("temperatures.area", area_id=area.id))
    if not form.is_submitted():
        chosen = query_id("batch")
        form.batch_ids.data = [chosen] if chosen else []
        form.reason.data = _exception_reason(area)
    return run_form(
        form, lambda: storage_quarantine.quarantine_stored(current_user, area.id,
                                                           form.batch_ids.data,
                                                           form.reason.data),
        success=lambda done: f"Quarantined: batch {', '.join(b.batch_number for b in done)}.",
        to=back, invalid="Tick the batches to quarantine and give a reason.",
    ) or render_template("temperatures/quarantine.html", area=area, form=form, back=back,
                          batches=batches)
