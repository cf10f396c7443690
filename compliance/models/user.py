"""User accounts and login throttling (D1)."""

import secrets
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from compliance.clock import local_today, utcnow
from compliance.dbtypes import UTCDateTime
from compliance.extensions import db

PROFESSIONS = ("doctor", "nurse", "pharmacist", "other")
REGISTERS = ("GMC", "NMC", "GPhC", "HCPC", "other")


def new_session_token() -> str:
    return secrets.token_hex(16)


def registration_text(register: str | None, number: str | None) -> str:
    """'GMC 1234567', or an empty string for staff without a register (reports read the two
    columns without the user's row)."""
    return f"{register or ''} {number}".strip() if number else ""


def role_set(role_names: str) -> frozenset[str]:
    """The roles a user's stored role names hold."""
    return frozenset(filter(None, role_names.split(",")))


class User(UserMixin, db.Model):
    """A person who signs in; never deleted, only deactivated."""

    __tablename__ = "users"
    # The last time step is a counter against replay, like the session token not a fact
    # about the person; the TOTP secret is recorded as changed, never its value.
    __audit_exclude__ = ("session_token", "totp_last_step")
    __audit_redact__ = ("password_hash", "totp_secret")

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role_names: Mapped[str] = mapped_column(String(100), default="")
    profession: Mapped[str] = mapped_column(String(20), default="other")
    register: Mapped[str | None] = mapped_column(String(10))
    registration_number: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Works at every location of the provider (a group manager; an inspector of the whole
    # provider) rather than at the locations assigned in user_locations (D7).
    all_locations: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    access_expires_on: Mapped[date | None] = mapped_column(Date)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Rotated on logout, password change and deactivation so every earlier cookie dies.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The second factor (D8): the TOTP secret once enrolment is confirmed, encrypted with a
    # key derived from SECRET_KEY (services/second_factor.py) so a database copy holds no
    # usable secret.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The newest 30-second step whose code was accepted: an older or equal one is a replay.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    @property
    def roles(self) -> frozenset[str]:
        return role_set(self.role_names)

    @roles.setter
    def roles(self, names) -> None:
        self.role_names = ",".join(sorted(set(names)))

    @property
    def is_active(self) -> bool:
        return self.active and not self.access_expired

    @property
    def access_expired(self) -> bool:
        return self.access_expires_on is not None and self.access_expires_on < local_today()

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None and self.totp_enrolled_at is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    @property
    def registration(self) -> str:
        """'GMC 1234567', or an empty string for staff without a register."""
        return registration_text(self.register, self.registration_number)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class LoginThrottle(db.Model):
    """Failed sign-ins per email address, kept whether or not the account exists."""

    __tablename__ = "login_throttles"
    __audit_exempt__ = "security counters; every attempt is itself an audit event"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecoveryCode(db.Model):
    """A one-time code that stands in for the second factor once; stored hashed."""

    __tablename__ = "recovery_codes"
    __audit_redact__ = ("code_hash",)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
