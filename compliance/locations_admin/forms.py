"""Location and storage area forms: input checks only; the rules live in the services
(services/location_admin.py, services/storage_areas.py, rules/storage.py)."""

from decimal import Decimal

from wtforms import DecimalField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from compliance.forms import Form, Length, SelectField, options, text_field
from compliance.inputs import optional_id
from compliance.models.location import STORAGE_KINDS
from compliance.services.location_admin import LocationDetails
from compliance.services.storage_areas import AreaDetails


class TemperatureField(DecimalField):
    """Degrees Celsius, to a tenth; what cannot be read as a number is refused in words."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Enter a temperature in °C, such as 2, -5 or 7.5.") from None


def temperature(label: str, which: str) -> TemperatureField:
    return TemperatureField(label, places=1, validators=[
        InputRequired(message=f"Enter the {which} temperature in °C.")])


def reason_field(label: str = "Reason for the change") -> TextAreaField:
    return TextAreaField(label, validators=[DataRequired(message="Give a reason."),
                                            Length(max=500)],
                         description="Recorded in the audit trail with the change.")


KINDS = options((kind, kind.capitalize()) for kind in STORAGE_KINDS)


class LocationForm(Form):
    name = text_field("Name", 120)
    address = TextAreaField("Address", validators=[Length(max=500)])
    regulator_id = StringField("Regulator's location id", validators=[Length(max=40)],
                               description="The id the regulator registered this location "
                                           "under, e.g. the CQC's 1-123456789.")

    def details(self) -> LocationDetails:
        return LocationDetails(self.name.data or "", self.address.data or "",
                               self.regulator_id.data or None)


class NewLocationForm(LocationForm):
    """A new location and the storage area its stock is first kept in."""

    area_name = text_field("Storage area", 80)
    area_kind = SelectField("Kind", choices=KINDS)
    area_min_temp_c = temperature("Lowest temperature (°C)", "lowest")
    area_max_temp_c = temperature("Highest temperature (°C)", "highest")

    def first_area(self) -> AreaDetails:
        return AreaDetails(self.area_name.data or "", self.area_kind.data,
                           self.area_min_temp_c.data, self.area_max_temp_c.data)


class EditLocationForm(LocationForm):
    reason = reason_field()


class AreaForm(Form):
    name = text_field("Name", 80)
    kind = SelectField("Kind", choices=KINDS)
    min_temp_c = temperature("Lowest temperature (°C)", "lowest")
    max_temp_c = temperature("Highest temperature (°C)", "highest")

    def details(self) -> AreaDetails:
        return AreaDetails(self.name.data or "", self.kind.data, self.min_temp_c.data,
                           self.max_temp_c.data)


class EditAreaForm(AreaForm):
    reason = reason_field()


class DeactivateForm(Form):
    reason = reason_field("Why is it deactivated?")


class ChooseLocationForm(Form):
    """The header's choice of the location one works at now."""

    location_id = SelectField("Location", coerce=optional_id, validate_choice=False,
                              validators=[InputRequired()])
    next = HiddenField(validators=[Length(max=2000)])


# A new location's first storage area, as most clinics start: the locked drug cupboard at
# room temperature.
FIRST_AREA = {"area_name": "Drug cupboard", "area_kind": "locked cupboard",
              "area_min_temp_c": Decimal(15), "area_max_temp_c": Decimal(25)}
