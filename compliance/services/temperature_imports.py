"""A data logger's file imported as readings (D7): uploaded and kept on the server under a
random token, previewed with every bad line listed by its number, and imported only when its
uploader confirms exactly what the preview showed, all in one transaction."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from compliance.clock import clinic_zone, utcnow
from compliance.errors import InvalidInput
from compliance.extensions import db
from compliance.models import StorageArea, TemperatureReading, TemperatureUpload
from compliance.models.temperature import DATA_LOGGER
from compliance.rules.temperature import degrees
from compliance.services import ensure_can, logger_files
from compliance.services.logger_files import BadRow, LoggerFile
from compliance.services.temperatures import corrected_ids, watched_area
from compliance.services.unit_of_work import unit_of_work

# Long enough to check a preview and confirm it; an upload not confirmed by then is deleted.
KEEP_UPLOADS_FOR = timedelta(hours=2)
_PATH = re.compile(r".*[/\\]")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass
class Preview:
    """What confirming an upload would import (`file.rows`) and leave out (`file.bad`, with
    duplicates of readings already recorded), and the digest that names exactly that."""

    upload: TemperatureUpload
    area: StorageArea
    file: LoggerFile
    digest: str


def file_name_of(name: str | None) -> str:
    """The uploaded file's own name, without a path or control characters."""
    name = _CONTROL.sub("", _PATH.sub("", name or "")).strip()
    return name[:200] or "logger.csv"


def _digest(sha256: str, file: LoggerFile) -> str:
    lines = [sha256] + [f"{row.line}|{row.taken_at.isoformat()}|{row.temperature_c}"
                        for row in file.rows]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _without_duplicates(area_id: int, file: LoggerFile) -> LoggerFile:
    """The file's readings less those the area already has a reading for at the same time."""
    if not file.rows:
        return file
    times = [row.taken_at for row in file.rows]
    existing = dict(db.session.execute(
        select(TemperatureReading.taken_at, TemperatureReading.temperature_c).where(
            TemperatureReading.storage_area_id == area_id,
            TemperatureReading.taken_at.between(min(times), max(times)),
            TemperatureReading.id.not_in(corrected_ids()))).all())
    kept = [row for row in file.rows if row.taken_at not in existing]
    duplicates = [BadRow(row.line, f"A reading at this time is already recorded "
                                   f"({degrees(existing[row.taken_at])})")
                  for row in file.rows if row.taken_at in existing]
    bad = sorted(file.bad + duplicates, key=lambda row: row.line)
    return LoggerFile(file.header_line, file.header, kept, bad)


def preview_of(upload: TemperatureUpload) -> Preview:
    file = logger_files.read(upload.content, clinic_zone(), utcnow())
    file = _without_duplicates(upload.storage_area_id, file)
    return Preview(upload, upload.storage_area, file, _digest(upload.sha256, file))


def _discard_expired() -> None:
    db.session.execute(delete(TemperatureUpload).where(
        TemperatureUpload.uploaded_at < utcnow() - KEEP_UPLOADS_FOR))


@unit_of_work("upload a data logger's file")
def upload(actor, area_id: int | None, file_name: str | None,
           content: bytes) -> TemperatureUpload:
    """Keep a logger's file for its preview; a file that cannot be read is refused now."""
    ensure_can(actor, "import_temperatures")
    area = watched_area(actor, area_id)
    if not content.strip():
        raise InvalidInput("The file is empty.", field="file")
    logger_files.read(content, clinic_zone(), utcnow())
    _discard_expired()
    row = TemperatureUpload(token=secrets.token_urlsafe(32), uploaded_by_id=actor.id,
                            storage_area_id=area.id, file_name=file_name_of(file_name),
                            content=content, sha256=hashlib.sha256(content).hexdigest(),
                            uploaded_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row


def find_upload(actor, token: str, lock: bool = False) -> TemperatureUpload | None:
    """`actor`'s own upload named `token`, unless it has expired."""
    if not _TOKEN.fullmatch(token or ""):  # only what `upload` makes is looked up
        return None
    query = select(TemperatureUpload).where(
        TemperatureUpload.token == token, TemperatureUpload.uploaded_by_id == actor.id,
        TemperatureUpload.uploaded_at >= utcnow() - KEEP_UPLOADS_FOR)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def preview(actor, token: str) -> Preview | None:
    """What confirming `actor`'s upload would import, or None when there is no such upload."""
    found = find_upload(actor, token)
    return preview_of(found) if found is not None else None


def _refuse_unless_as_previewed(found: TemperatureUpload, file_sha256: str,
                                shown: Preview, digest: str) -> None:
    if (file_sha256 != found.sha256
            or hashlib.sha256(found.content).hexdigest() != found.sha256):
        raise InvalidInput("This is not the file that was previewed: upload it again.")
    if digest != shown.digest:
        raise InvalidInput("The readings to import have changed since the preview (a reading "
                           "was recorded meanwhile): check the preview again.")
    if not shown.file.rows:
        raise InvalidInput("The file holds no reading to import.")


@unit_of_work("import a data logger's readings")
def confirm(actor, token: str, file_sha256: str, digest: str) -> int:
    """Import the readings the preview showed, all or none; the upload is then deleted.
    Returns how many readings were imported."""
    ensure_can(actor, "import_temperatures")
    found = find_upload(actor, token, lock=True)
    if found is None:
        raise InvalidInput("This upload has expired or was already imported: upload the file "
                           "again.")
    watched_area(actor, found.storage_area_id)
    shown = preview_of(found)
    _refuse_unless_as_previewed(found, file_sha256 or "", shown, digest or "")
    now = utcnow()
    db.session.add_all(TemperatureReading(
        storage_area_id=found.storage_area_id, taken_at=row.taken_at,
        temperature_c=row.temperature_c, source=DATA_LOGGER, recorded_by_id=actor.id,
        recorded_at=now, file_name=found.file_name, line_number=row.line,
        file_sha256=found.sha256) for row in shown.file.rows)
    db.session.delete(found)
    db.session.flush()
    return len(shown.file.rows)
