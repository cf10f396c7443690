"""Accounts from a CSV file: every row checked as the web form checks one account, every
bad row named by its line, and all of them created in one unit of work or none."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from compliance.errors import DomainError, InvalidInput
from compliance.extensions import db
from compliance.models import User
from compliance.permissions import ROLES
from compliance.services import user_locations
from compliance.services.accounts import (
    Profile,
    apply_profile,
    check_profile,
    ensure_manager,
    normalise_email,
    one_time_password,
)
from compliance.services.audit import give_reason
from compliance.services.passwords import hash_password
from compliance.services.unit_of_work import unit_of_work

REQUIRED_COLUMNS = ("email", "full_name", "roles")
OPTIONAL_COLUMNS = ("profession", "register", "registration_number", "access_expires_on",
                    "locations", "all_locations")
# How a file says yes or no in the all_locations column.
YES, NO = ("yes", "y", "true", "1"), ("", "no", "n", "false", "0")
MAX_ROWS = 1_000


@dataclass
class Row:
    """One account to create, from line `line` of the file."""

    line: int
    profile: Profile


@dataclass
class Created:
    user: User
    one_time_password: str


def _roles(raw: str) -> set[str]:
    roles = {name for name in re.split(r"[;|\s]+", raw.strip().lower()) if name}
    unknown = roles - set(ROLES)
    if unknown:
        raise InvalidInput(f"unknown role {', '.join(sorted(unknown))} (roles are "
                           f"{', '.join(ROLES)}; separate several with ';')")
    return roles


def _date(raw: str) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as error:
        raise InvalidInput(f"access_expires_on {raw.strip()!r} is not a date like "
                           "2027-03-31") from error


def _all_locations(raw: str) -> bool:
    if raw.strip().lower() not in YES + NO:
        raise InvalidInput(f"all_locations {raw.strip()!r} is neither yes nor no")
    return raw.strip().lower() in YES


def _location_ids(raw: str) -> set[int] | None:
    """The locations named (separated by ';'), or None when the column is blank."""
    return user_locations.ids_named(raw.split(";")) if raw.strip() else None


def _profile(record: dict) -> Profile:
    value = lambda name: (record.get(name) or "").strip()  # noqa: E731
    return Profile(value("email"), value("full_name"), _roles(value("roles")),
                   value("profession") or "other", value("register") or None,
                   value("registration_number") or None, _date(value("access_expires_on")),
                   _all_locations(value("all_locations")), _location_ids(value("locations")))


def read(text: str) -> tuple[list[Row], list[str]]:
    """The rows of a CSV file with a header line, and a problem for each row that cannot be
    read (line numbers count the header as line 1)."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _read(reader)
    except csv.Error as error:  # a field longer than the csv module allows, say
        # DictReader.line_num is only updated after a row is read; its reader's is the line
        # being read.
        raise InvalidInput(f"Line {reader.reader.line_num} cannot be read as CSV: {error}; "
                           "nothing was imported.") from None


def _read(reader: csv.DictReader) -> tuple[list[Row], list[str]]:
    missing = [name for name in REQUIRED_COLUMNS if name not in (reader.fieldnames or ())]
    if missing:
        raise InvalidInput(f"The header line lacks the column(s) {', '.join(missing)}; "
                           f"columns: {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}.")
    rows, problems = [], []
    for record in reader:
        if len(rows) + len(problems) >= MAX_ROWS:
            raise InvalidInput(f"A file holds at most {MAX_ROWS:,} accounts.")
        try:
            rows.append(Row(reader.line_num, _profile(record)))
        except DomainError as error:
            problems.append(f"line {reader.line_num}: {error.message}")
    return rows, problems


def check(rows: list[Row]) -> list[str]:
    """A problem for each row the web form would refuse, or that repeats an earlier row's
    email address."""
    problems, seen = [], {}
    for row in rows:
        email = normalise_email(row.profile.email)
        if email in seen:
            problems.append(f"line {row.line}: {email} is also on line {seen[email]}")
            continue
        seen[email] = row.line
        try:
            check_profile(row.profile)
        except DomainError as error:
            problems.append(f"line {row.line}: {error.message}")
    return problems


def apply(actor: User | None, rows: list[Row]) -> list[Created]:
    """Create every account, each with a one-time password to change at first sign-in (hashed
    before the writing transaction: each hash takes a while by design)."""
    passwords = [one_time_password() for _ in rows]
    hashes = [hash_password(password) for password in passwords]
    users = _create_all(actor, rows, hashes)
    return [Created(user, password) for user, password in zip(users, passwords, strict=True)]


@unit_of_work("import users")
def _create_all(actor: User | None, rows: list[Row], hashes: list[str]) -> list[User]:
    ensure_manager(actor)
    problems = check(rows)
    if problems:
        raise InvalidInput(f"{len(problems)} bad row(s); nothing was imported: "
                           + "; ".join(problems))
    give_reason("Imported from a CSV file")
    users = []
    for row, password_hash in zip(rows, hashes, strict=True):
        user = User(password_hash=password_hash, must_change_password=True)
        apply_profile(user, row.profile)
        db.session.add(user)
        user_locations.assign(actor, user, row.profile)
        users.append(user)
    db.session.flush()
    return users
