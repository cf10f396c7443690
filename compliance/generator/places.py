"""The generated clinic group's places (D7): its locations, their storage areas, who works
where, and a year of each storage area's daily temperature readings."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from compliance.generator.stock_rows import at
from compliance.models.location import FIRST_LOCATION_ID
from compliance.seeds import FIRST_LOCATION, FIRST_STORAGE_AREA

TOWNS = ("Bath", "Brighton", "Bristol", "Cambridge", "Canterbury", "Cardiff", "Chester",
         "Durham", "Edinburgh", "Exeter", "Glasgow", "Guildford", "Harrogate", "Leeds",
         "Leicester", "Liverpool", "Manchester", "Newcastle", "Norwich", "Nottingham", "Oxford",
         "Reading", "Sheffield", "Winchester", "York")
CUPBOARD = ("Drug cupboard", "locked cupboard", Decimal("15.0"), Decimal("25.0"))
FRIDGE = ("Medicines fridge", "medicines fridge", Decimal("2.0"), Decimal("8.0"))
FRIDGE_EVERY = 5  # every fifth location also keeps a fridge (its readings, no STS)
READING_DAYS = 365
EXCURSION_CHANCE = 0.002


@dataclass(frozen=True)
class Place:
    """A generated location, with the storage area its STS is kept in."""

    index: int
    id: int
    name: str
    area_id: int


class PlaceRows:
    """The places half of ClinicGenerator (which provides `w`, `chain`, `rng`, `sizes`,
    `today`, `first_day` and the staff lists)."""

    def places(self) -> None:
        """The migration's first location, and one more per clinic beyond the first."""
        self.locations = [Place(0, FIRST_LOCATION_ID, FIRST_LOCATION["name"],
                                FIRST_STORAGE_AREA["id"])]
        self.chain.places.remember("storage_areas", FIRST_STORAGE_AREA["id"],
                                   FIRST_LOCATION_ID)
        self.fridges: list[int] = []
        for index in range(1, self.sizes.clinics):
            location_id = self.w.new_id("locations")
            name = f"{TOWNS[index % len(TOWNS)]} clinic {index + 1}"
            self.w.add("locations", dict(
                id=location_id, name=name, address=f"{index + 1} Market Street",
                regulator_id=f"1-{100000000 + location_id}", active=True))
            self.locations.append(Place(index, location_id, name,
                                        self._area(location_id, CUPBOARD)))
        for place in self.locations[::FRIDGE_EVERY]:
            self.fridges.append(self._area(place.id, FRIDGE))

    def _area(self, location_id: int, shape: tuple) -> int:
        area_id = self.w.new_id("storage_areas")
        name, kind, low, high = shape
        self.w.add("storage_areas", dict(id=area_id, location_id=location_id, name=name,
                                         kind=kind, min_temp_c=low, max_temp_c=high,
                                         active=True))
        return area_id

    def manager_at(self, location_id: int) -> tuple:
        """The manager of a location, as (id, printed name, registration)."""
        return self.managers[self.by_location[location_id].index]

    def works_at(self, user_id: int, place: Place) -> None:
        self.w.add("user_locations", dict(id=self.w.new_id("user_locations"),
                                          user_id=user_id, location_id=place.id))

    def readings(self) -> None:
        """A reading every morning of the last year in every storage area, by the location's
        manager; now and then one out of range."""
        areas = [(place.area_id, place.index, CUPBOARD) for place in self.locations]
        areas += [(area_id, n * FRIDGE_EVERY, FRIDGE) for n, area_id in enumerate(self.fridges)]
        first = self.today - timedelta(days=READING_DAYS)
        for area_id, index, (_name, _kind, low, high) in areas:
            for n in range(READING_DAYS):
                self._reading(area_id, first + timedelta(days=n), low, high,
                              self.managers[index][0])

    def _reading(self, area_id: int, day: date, low: Decimal, high: Decimal,
                 manager_id: int) -> None:
        middle, spread = (low + high) / 2, (high - low) / 4
        value = middle + spread * Decimal(self.rng.randint(-10, 10)) / 10
        if self.rng.random() < EXCURSION_CHANCE:
            value = high + Decimal("1.5")
        taken = at(day, 8)
        self.w.add("temperature_readings", dict(
            id=self.w.new_id("temperature_readings"), storage_area_id=area_id,
            taken_at=taken, temperature_c=value.quantize(Decimal("0.1")), source="manual",
            recorded_by_id=manager_id, recorded_at=taken + timedelta(minutes=3)))
