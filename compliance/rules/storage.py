"""Where received stock is kept (D7): a storage area of the location receiving it."""

from dataclasses import dataclass

from compliance.errors import InvalidInput

FIELD = "storage_area_id"


@dataclass(frozen=True)
class AreaFacts:
    """A storage area as the rule sees it."""

    id: int
    name: str
    location_id: int
    active: bool


def check_receiving_area(chosen: AreaFacts | None, location_id: int,
                         kept_in: AreaFacts | None) -> None:
    """A receipt goes into an area in use at the receiving location; a batch already held
    there (`kept_in`: the area its part is kept in, while that part holds stock in an area
    still in use) is received into the same area, so that the part stays in one place."""
    if chosen is None or chosen.location_id != location_id:
        raise InvalidInput("Choose a storage area of this location.", field=FIELD)
    if not chosen.active:
        raise InvalidInput(f"{chosen.name} is no longer in use: choose another storage area.",
                           field=FIELD)
    if kept_in is not None and kept_in.id != chosen.id:
        raise InvalidInput(f"This batch is already kept in {kept_in.name} here: receive these "
                           f"containers into {kept_in.name} too.", field=FIELD)
