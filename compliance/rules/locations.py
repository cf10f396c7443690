"""Locations (D7): when a location may be deactivated. Pure: services/location_admin.py
gathers the facts."""

from dataclasses import dataclass

from compliance.errors import InvalidInput


@dataclass(frozen=True)
class Closing:
    """A location a manager asks to deactivate, and what is still kept at it or moving."""

    name: str
    other_active_locations: int
    batches_held: str  # the batches with stock there, as words ("" for none)
    transfers_in_transit: int  # to it or from it


def check_closing(closing: Closing) -> None:
    """The provider keeps one active location to record anything at; a location closes only
    once it holds no stock and no transfer to or from it is in transit (one would be stuck:
    nobody could receive it there, nor cancel it back into stock there)."""
    if not closing.other_active_locations:
        raise InvalidInput(f"{closing.name} is the only active location: the provider "
                           "needs one to record anything at.")
    if closing.batches_held:
        raise InvalidInput(f"{closing.name} still holds stock of {closing.batches_held}: "
                           "transfer it to another location or dispose of it first.")
    moving = closing.transfers_in_transit
    if moving:
        transfers, they = ("1 transfer", "it") if moving == 1 else (f"{moving} transfers",
                                                                    "they")
        raise InvalidInput(f"{closing.name} has {transfers} in transit to or from it: "
                           f"{they} must be received or cancelled first.")
