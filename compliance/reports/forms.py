"""Report filters (GET: nothing changes, so no CSRF token) and the recall contact form."""

from dataclasses import replace

from sqlalchemy import select
from wtforms import DateField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from compliance.extensions import db
from compliance.forms import Form, Length, OnceOnlyMixin, SelectField, options
from compliance.inputs import MAX_ID, optional_id
from compliance.locations import visible_location_ids
from compliance.models import Batch, Location, Patient, Product
from compliance.scope import narrowed
from compliance.services import user_queries
from compliance.services.reports.common import (
    PAGE_SIZE,
    Filters,
    Listing,
    last_twelve_months_start,
)
from compliance.services.reports.exception_reviews import REVIEWED, UNREVIEWED
from compliance.services.reports.trace import CONTACT_METHODS

LAST_PAGE = MAX_ID // PAGE_SIZE

FILTER_FIELDS = ("prescriber", "product", "batch", "patient", "review")


def _choices(anyone: str, rows) -> list:
    return options([("", anyone), *((str(key), label) for key, label in rows)])


class ReportFilterForm(Form):
    class Meta:
        csrf = False

    # Within the user's scope only (D7); none chosen: every location of the scope, together.
    location = SelectField("Location", choices=[], validators=[Optional()])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    prescriber = SelectField("Prescriber", choices=[], validators=[Optional()])
    product = SelectField("Product", choices=[], validators=[Optional()])
    # Typed, not chosen: a group holds tens of thousands of batches.
    batch = StringField("Batch number", validators=[Optional(), Length(max=40)])
    patient = StringField("Patient reference", validators=[Optional(), Length(max=20)])
    review = SelectField("Review", validators=[Optional()], choices=options([
        ("", "Reviewed or not"), (UNREVIEWED, "Not reviewed"), (REVIEWED, "Reviewed")]))
    sort = SelectField("Sort by", choices=[], validators=[Optional()])
    direction = SelectField("Order", validators=[Optional()],
                            choices=options([("asc", "Ascending"), ("desc", "Descending")]))
    # The rows a page skips must fit the database's integer: no page past the last id's.
    page = IntegerField("Page", validators=[Optional(), NumberRange(min=1, max=LAST_PAGE, message=(
        f"The page number must be from 1 to {LAST_PAGE:,}."))])

    def __init__(self, spec, formdata, user):
        super().__init__(formdata)
        self.spec = spec
        self.scope = visible_location_ids(user)
        self.places = _places(self.scope)
        self.location.choices = _choices(
            "All locations" if self.scope is None else "All my locations", self.places.items())
        self.sort.choices = options(spec.sorts.items())
        # With nothing chosen the dropdowns show the order the rows are in, not the first
        # option (a report sorted newest first said "Ascending").
        self.sort.data = self.sort.data or spec.default_sort
        self.direction.data = self.direction.data or spec.direction
        self._offer_own_filters()
        self.patient_id = self.batch_id = None
        self.recent_from = None  # set when the last 12 months stand in for no choice

    def _offer_own_filters(self) -> None:
        """The report's own filters, with their choices. Another report's are taken out of the
        form: neither listed (hundreds of prescribers, for a national provider) nor checked, so
        a value for one in the address is ignored, not refused without a field to show why."""
        for name in FILTER_FIELDS:
            if name not in self.spec.filters:
                del self[name]
        if "prescriber" in self.spec.filters:
            self.prescriber.choices = _choices("Any prescriber", user_queries.prescribers())
        if "product" in self.spec.filters:
            self.product.choices = _choices("Any product", db.session.execute(
                select(Product.id, Product.name).order_by(Product.name)))

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date must be on or after the start date.")

    def validate_batch(self, field) -> None:
        number = (field.data or "").strip().upper()  # stored as received: in capitals
        if not number:
            return
        # A batch held only elsewhere is not found, like one that never was (D7).
        query = narrowed(select(Batch.id).where(Batch.batch_number == number), Batch,
                         self.scope)
        if self.product is not None and optional_id(self.product.data):
            query = query.where(Batch.product_id == optional_id(self.product.data))
        found = list(db.session.scalars(query.limit(2)))
        if not found:
            raise ValidationError(f"No batch has the number {number}.")
        if len(found) > 1:
            raise ValidationError(f"Batch number {number} is used by more than one product: "
                                  "choose the product too.")
        self.batch_id = found[0]

    def validate_patient(self, field) -> None:
        if field.data:
            self.patient_id = db.session.scalar(
                select(Patient.id).where(Patient.reference == field.data.strip()))
            if self.patient_id is None:
                raise ValidationError(f"No patient has the reference {field.data.strip()}.")

    def used(self) -> list:
        """The filter fields this report offers."""
        return [getattr(self, name) for name in FILTER_FIELDS if name in self.spec.filters]

    def filters(self) -> Filters:
        def chosen(name):
            # Read for the heading of a refused form too, so not trusted to be an id.
            return optional_id(getattr(self, name).data) if name in self.spec.filters else None

        filters = Filters(self.date_from.data, self.date_to.data, chosen("prescriber"),
                          chosen("product"),
                          self.batch_id if "batch" in self.spec.filters else None,
                          self.patient_id if "patient" in self.spec.filters else None,
                          (self.review.data or None) if "review" in self.spec.filters else None,
                          *self._locations())
        # Whether reviewed or not is no choice of records: the last 12 months still stand in.
        if self.spec.recent_by_default and filters.chosen == Filters():
            self.recent_from = last_twelve_months_start()
            return replace(filters, date_from=self.recent_from)
        return filters

    def _locations(self) -> tuple[frozenset[int] | None, bool]:
        """The location chosen, if it is one of the scope's (the form is read for the heading
        of a refused form too), else the whole scope with its group-wide records."""
        chosen = optional_id(self.location.data)
        if chosen in self.places:
            return frozenset({chosen}), False
        return self.scope, True

    def listing(self, all_rows: bool = False) -> Listing:
        descending = (self.direction.data or self.spec.direction) == "desc"
        return Listing(self.sort.data or self.spec.default_sort, descending,
                       None if all_rows else (self.page.data or 1))

    def describe(self) -> list[tuple[str, str]]:
        """(label, value) of every filter in use, for the report's heading."""
        self.filters()  # settles whether the last 12 months stand in for no choice
        shown = []
        if self.recent_from:
            shown.append(("From", f"{self.recent_from:%d %b %Y} (no filter chosen: the last "
                                  "12 months)"))
        if self.scope is not None and self._locations()[1]:
            shown.append(("Locations", "all in your scope: " + ", ".join(self.places.values())))
        for field in (self.location, self.date_from, self.date_to, *self.used()):
            if not field.data:
                continue
            value = field.data.strftime("%d %b %Y") if hasattr(field.data, "strftime") else (
                {c.value: c.label for c in field.choices}.get(field.data, field.data)
                if field.type == "SelectField" else field.data)
            shown.append((field.label.text, str(value)))
        return shown


def _places(scope: frozenset[int] | None) -> dict[int, str]:
    """The locations of a scope by name (every location for None), a deactivated one said."""
    query = select(Location.id, Location.name, Location.active).order_by(Location.name)
    if scope is not None:
        query = query.where(Location.id.in_(scope))
    return {lid: name if active else f"{name} (deactivated)"
            for lid, name, active in db.session.execute(query)}


class RecallContactForm(Form, OnceOnlyMixin):
    patient_id = HiddenField(validators=[DataRequired()])
    method = SelectField("How", choices=options((m, m.capitalize()) for m in CONTACT_METHODS))
    outcome = TextAreaField("Outcome", validators=[DataRequired(), Length(max=1000)])

    def validate_patient_id(self, field) -> None:
        if optional_id(field.data) is None:
            raise ValidationError("Choose a patient who received the batch.")


class ReviewForm(Form, OnceOnlyMixin):
    note = TextAreaField("Note", validators=[DataRequired(message=(
        "Write a note: what you found, and what was done about it.")), Length(max=1000)],
        description="What you found, and what was done about it. Kept with the review.")
    back = HiddenField()
