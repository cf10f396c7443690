"""Where injections were given: the count and volume per leg region, for the leg map of a
session and of a patient's whole record."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import Injection, TreatmentSession
from compliance.models.treatment import standing
from compliance.rules.injection import LEG_REGIONS


@dataclass(frozen=True)
class SiteTotal:
    site: str
    injections: int = 0
    volume_ul: int = 0


@dataclass(frozen=True)
class SiteSummary:
    """Injections standing (not reversed) per leg region, in LEG_REGIONS order; `others`
    holds any site recorded outside that list, so that nothing given is left uncounted."""

    regions: tuple[SiteTotal, ...]
    others: tuple[SiteTotal, ...] = ()

    def of(self, site: str) -> SiteTotal:
        return next((t for t in self.regions if t.site == site), SiteTotal(site))

    def side(self, side: str) -> tuple[SiteTotal, ...]:
        """The regions of one leg ("left" or "right", the patient's own)."""
        return tuple(t for t in self.regions if t.site.startswith(f"{side} "))

    @property
    def injections(self) -> int:
        return sum(t.injections for t in (*self.regions, *self.others))

    @property
    def volume_ul(self) -> int:
        return sum(t.volume_ul for t in (*self.regions, *self.others))


def summarise(rows: Iterable[tuple[str, int, int | None]]) -> SiteSummary:
    """Put (site, injections, volume_ul) rows, one per site, in leg map order; a region with
    no row has none, and the rows of the same site (from several sessions) are added."""
    totals: dict[str, tuple[int, int]] = {}
    for site, injections, volume_ul in rows:
        count, volume = totals.get(site, (0, 0))
        totals[site] = (count + injections, volume + int(volume_ul or 0))
    return SiteSummary(
        tuple(SiteTotal(site, *totals.get(site, (0, 0))) for site in LEG_REGIONS),
        tuple(SiteTotal(site, *totals[site]) for site in sorted(totals)
              if site not in LEG_REGIONS))


def _standing(*where) -> SiteSummary:
    """The injections matching `where` that stand (not reversed), summed per site."""
    return summarise(db.session.execute(
        select(Injection.site, func.count(), func.sum(Injection.volume_ul))
        .join(TreatmentSession, TreatmentSession.id == Injection.session_id)
        .where(standing(), *where)
        .group_by(Injection.site)))


def of_session(session_id: int) -> SiteSummary:
    """Where this session's injections were given."""
    return _standing(Injection.session_id == session_id)


def of_patient(patient_id: int, location_ids: frozenset[int] | None = None) -> SiteSummary:
    """Where every session of the patient (at `location_ids`; None: anywhere) put its
    injections (a voided session has none)."""
    where = [TreatmentSession.patient_id == patient_id]
    if location_ids is not None:
        where.append(TreatmentSession.location_id.in_(location_ids))
    return _standing(*where)
