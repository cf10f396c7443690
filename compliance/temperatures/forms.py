"""Storage temperature forms: input checks only; which readings may be kept is for the
services (compliance/services/temperatures.py) and the rules."""

from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import DateField, DateTimeLocalField, DecimalField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from compliance.forms import Form, Length, MultiCheckboxField, OnceOnlyMixin, SelectField, options
from compliance.inputs import date_range, optional_id
from compliance.services.logger_files import MAX_FILE_BYTES


def _area_choices(field, areas) -> None:
    field.choices = options([(area.id, area.name) for area in areas])


class ReadingFields:
    temperature_c = DecimalField("Temperature (°C)", places=1,
                                 validators=[InputRequired(message="Enter the temperature.")],
                                 render_kw={"inputmode": "decimal"})
    taken_at = DateTimeLocalField("Taken at", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                  validators=[InputRequired(message="Enter when it was taken.")],
                                  description="The clinic's time. A reading typed in more "
                                              "than a day after its day is listed as a late "
                                              "entry.")

    def validate_taken_at(self, field) -> None:
        first, last = date_range()
        if field.data is not None and not first <= field.data.date() <= last:
            raise ValidationError(f"Enter a date from {first:%d %b %Y} to {last:%d %b %Y}.")


class ReadingForm(ReadingFields, Form, OnceOnlyMixin):
    storage_area_id = SelectField("Storage area", coerce=optional_id,
                                  validators=[InputRequired(message="Choose a storage area.")])

    def __init__(self, areas, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _area_choices(self.storage_area_id, areas)


class CorrectionForm(ReadingFields, Form, OnceOnlyMixin):
    reason = TextAreaField("Why is the reading wrong?", validators=[DataRequired(),
                                                                    Length(max=500)])


class UploadForm(Form):
    storage_area_id = SelectField("Storage area", coerce=optional_id,
                                  validators=[InputRequired(message="Choose a storage area.")])
    file = FileField("The data logger's CSV file", validators=[
        FileRequired("Choose the file."),
        FileSize(MAX_FILE_BYTES, message=f"Choose a file of at most {MAX_FILE_BYTES // 1000:,} "
                                         "kB: export a shorter period.")],
        description="A header row with a time column and a temperature column in °C, such as "
                    "\"Timestamp,Temperature (°C)\"; times in the clinic's time zone.")

    def __init__(self, areas, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _area_choices(self.storage_area_id, areas)


class ConfirmImportForm(Form, OnceOnlyMixin):
    """Names exactly what the preview showed: the file's SHA-256 and the readings' digest."""

    file_sha256 = HiddenField(validators=[DataRequired(), Length(max=64)])
    digest = HiddenField(validators=[DataRequired(), Length(max=64)])


class PeriodForm(Form):
    """An area's readings between two days (GET: changes nothing, so no CSRF token)."""

    class Meta:
        csrf = False

    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date must be on or after the start date.")


class QuarantineForm(Form, OnceOnlyMixin):
    batch_ids = MultiCheckboxField("Batches to quarantine", coerce=optional_id,
                                   validators=[DataRequired(message="Tick at least one batch.")])
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=500)])

    def __init__(self, batches, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch_ids.choices = options(
            [(b.id, f"{b.batch_number} ({b.product_name})") for b in batches])
