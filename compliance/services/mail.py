"""Mail to the clinic's managers over SMTP, and the audit event that says it went."""

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from compliance import locations
from compliance.permissions import holds
from compliance.services.unit_of_work import record_alone
from compliance.services.user_queries import users_by_name
from compliance.settings import setting

log = logging.getLogger(__name__)
NOTICE = "notice"
TIMEOUT_SECONDS = 30


class MailError(Exception):
    """Mail that could not be sent, said in one line."""


def one_line(text: str) -> str:
    """`text` without control characters (a CR or LF would end the Subject header, and
    subjects carry what users typed, such as batch numbers), spaces run together."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


@dataclass(frozen=True)
class Mail:
    kind: str  # "daily", "verification failed", "recall"
    subject: str
    body: str
    recipients: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "subject", one_line(self.subject))


def _configured() -> tuple[str, ...]:
    return tuple(address.strip() for address in setting("NOTICE_RECIPIENTS").split(",")
                 if address.strip())


def _receivers() -> list:
    return [user for user in users_by_name() if user.is_active and holds(user,
                                                                         "receive_notices")]


def recipients() -> tuple[str, ...]:
    """NOTICE_RECIPIENTS when set, else every active account that receives notices."""
    return _configured() or tuple(user.email for user in _receivers())


def recipients_by_scope() -> dict[frozenset[int] | None, tuple[str, ...]]:
    """Who gets the notice of which locations (D7): NOTICE_RECIPIENTS, else each active
    account that receives notices, of the locations it works at (None: the whole group)."""
    configured = _configured()
    if configured:
        return {None: configured}
    scopes: dict[frozenset[int] | None, tuple[str, ...]] = {}
    for user in _receivers():
        scope = locations.visible_location_ids(user)
        scopes[scope] = (*scopes.get(scope, ()), user.email)
    return scopes


def _message(mail: Mail) -> EmailMessage:
    message = EmailMessage()
    try:
        message["Subject"], message["From"] = mail.subject, setting("MAIL_FROM")
        message["To"] = ", ".join(mail.recipients)
        message["Date"], message["Message-ID"] = formatdate(localtime=False), make_msgid()
        message.set_content(mail.body)
    except ValueError as error:  # a header that cannot be written, e.g. MAIL_FROM with a CR
        raise MailError(f"The mail cannot be written: {one_line(str(error))}") from error
    return message


def _deliver(message: EmailMessage) -> None:
    host, port = setting("MAIL_HOST"), setting("MAIL_PORT")
    if not host:
        raise MailError("MAIL_HOST is not set: no mail can be sent.")
    try:
        with smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS) as smtp:
            if setting("MAIL_STARTTLS"):
                smtp.starttls(context=ssl.create_default_context())
            if setting("MAIL_USERNAME"):
                smtp.login(setting("MAIL_USERNAME"), setting("MAIL_PASSWORD"))
            smtp.send_message(message)
    # ValueError (UnicodeEncodeError among them): an address or header the server's
    # encoding cannot carry, found only while sending.
    except (OSError, smtplib.SMTPException, ValueError) as error:
        raise MailError(f"Mail through {host}:{port} failed: {one_line(str(error))}") \
            from error


def send(mail: Mail) -> None:
    """Send `mail` and record the sending on the audit trail; raises MailError."""
    if not mail.recipients:
        raise MailError("No one to send to: set NOTICE_RECIPIENTS or keep an active manager.")
    _deliver(_message(mail))
    record_alone(None, NOTICE, detail=f"{mail.kind} notice sent: {mail.subject}",
                 changes={"kind": mail.kind, "subject": mail.subject,
                          "recipients": list(mail.recipients)})


def send_quietly(kind: str, subject: str, body: str) -> bool:
    """Send a notice about work already committed to the recipients: a failure is logged,
    never raised, since nothing may undo or break the work it is about. Without MAIL_HOST
    (development, tests) mail is off: nothing to report."""
    if not setting("MAIL_HOST"):
        log.debug("%s notice not sent (%s): MAIL_HOST is not set", kind, subject)
        return False
    try:
        send(Mail(kind, subject, body, recipients()))
    except MailError as error:
        log.error("%s notice not sent (%s): %s", kind, subject, error)
        return False
    except Exception:
        log.exception("%s notice not sent: %s", kind, subject)
        return False
    return True
