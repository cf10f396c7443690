"""What every template may use: capabilities, the role's navigation, time filters."""

from dataclasses import dataclass
from decimal import Decimal

from flask import Flask
from flask_login import current_user

from compliance import leg_map
from compliance.clock import to_local, utcnow
from compliance.forms import new_submission_key
from compliance.permissions import can
from compliance.rules import limits
from compliance.rules.wording import rule_words
from compliance.services.audit_checks import failed_checks


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    capability: str

    @property
    def blueprint(self) -> str:
        return self.endpoint.split(".")[0]


# Who sees the red banner of a failed audit check: those who may read the trail.
ALARM_CAPABILITY = "view_audit"

# The menu a role sees is exactly the entries whose capability it holds.
NAVIGATION = (
    NavItem("Today", "treatment.today", "record_treatment"),
    NavItem("Patients", "patients.index", "view_patients"),
    NavItem("Stock", "stock.index", "view_stock"),
    NavItem("Goods in", "stock.receive", "receive_stock"),
    NavItem("Stocktake", "stock.stocktake", "manage_stock"),
    NavItem("Temperatures", "temperatures.index", "view_temperatures"),
    NavItem("Audit trail", "audit.index", "view_audit"),
    NavItem("Reports", "reports.index", "view_reports"),
    NavItem("Users", "users.index", "manage_users"),
    NavItem("Locations", "locations.index", "view_locations"),
)


def _local(moment, fmt: str = "%d %b %Y %H:%M") -> str:
    local = to_local(moment)
    return local.strftime(fmt) if local else ""


def _date(value, fmt: str = "%d %b %Y") -> str:
    return value.strftime(fmt) if value else ""


def _ml(microlitres: int | None) -> str:
    """Microlitres shown as millilitres, exactly, without trailing zeros."""
    if microlitres is None:
        return ""
    text = f"{Decimal(microlitres) / 1000:.3f}".rstrip("0").rstrip(".")
    return text or "0"


def _reject_key(mapping: dict, key: str) -> dict:
    return {k: v for k, v in mapping.items() if k != key}


def _user_can(capability: str, record=None) -> bool:
    return can(current_user, capability, record)


def register(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = _local
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["reject_key"] = _reject_key
    app.jinja_env.filters["ml"] = _ml
    app.jinja_env.filters["rule_words"] = rule_words
    app.jinja_env.globals["limits"] = limits
    # The leg map's drawing, for the macro in templates/treatment/_leg_map.html.
    app.jinja_env.globals["leg_drawing"] = leg_map

    # A global, not a context variable, so that imported macros may ask it too.
    app.jinja_env.globals["can"] = _user_can
    # A page with one form per row gives each row its own one-time submission key.
    app.jinja_env.globals["new_submission_key"] = new_submission_key

    @app.context_processor
    def inject():
        items = [item for item in NAVIGATION if _user_can(item.capability)]
        return {"nav_items": items, "now": utcnow(), "failed_checks": _failed_checks()}


def _failed_checks() -> list:
    """Failed audit checks, for those who answer for the trail (D6: a red banner on each of
    their pages until a later check passes)."""
    if not _user_can(ALARM_CAPABILITY):
        return []
    return failed_checks()
