"""`flask backup create` and `flask backup verify` as the commands run them: seconds each,
the file's size, and whether the copy restored to the manifest's audit head and balances.
The file is written to a scratch folder and removed after; verify restores it into a scratch
database of its own, so the disk needs room for the database twice over plus the file."""

import shutil
import tempfile
import time
from pathlib import Path

from compliance.services import backups
from compliance.services.audit import Actor, acting_as


def measure(app) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    try:
        with app.app_context():
            started = time.perf_counter()
            with acting_as(Actor(None, "operator bench")):
                manifest = backups.create(folder)
            created = time.perf_counter() - started
            backup = folder / manifest.file
            started = time.perf_counter()
            problems = backups.verify(backup)
            verified = time.perf_counter() - started
        return {"create_seconds": round(created, 1), "verify_seconds": round(verified, 1),
                "file_mb": round(backup.stat().st_size / 1e6, 1),
                "events": manifest.event_count, "problems": problems[:5], "ok": not problems}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
