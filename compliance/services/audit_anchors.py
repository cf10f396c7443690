"""Anchors: the chain's head signed with a key kept outside the database, one JSON line per
anchor appended to a log kept outside it too. A superuser can rewrite the trail and recompute
every hash, or cut its newest events off; he cannot make an old anchor agree with that.

An anchor line is a JSON object: `seq`, `head` (the hash of event `seq`), `time` (UTC),
`events` (the count, equal to `seq`: sequence numbers run from 1 without gaps), `key` (the
SHA-256 of the raw Ed25519 public key, hex) and `signature`: Ed25519, hex, over the canonical
JSON (sorted keys, no spaces, UTF-8) of the object without its signature.
"""

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from compliance.clock import utcnow
from compliance.services.audit import canonical, head
from compliance.services.unit_of_work import record_alone
from compliance.settings import setting

ANCHOR = "anchor"
SIGNED_FIELDS = ("seq", "head", "time", "events", "key")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
NOT_YET = "not anchored yet"
# An anchor line is about 330 bytes: the last one is within this many bytes of the end.
TAIL_BYTES = 4096


class AnchorError(Exception):
    """A key or the anchor log is missing or unusable (said in one line)."""


@dataclass(frozen=True)
class AnchorFiles:
    signing_key: Path | None
    public_key: Path | None
    log: Path | None


def files() -> AnchorFiles:
    """The configured paths (None where a setting is empty)."""
    return AnchorFiles(*(Path(value).expanduser() if value else None for value in (
        setting("AUDIT_SIGNING_KEY"), setting("AUDIT_PUBLIC_KEY"), setting("AUDIT_ANCHOR_LOG"))))


def _required(path: Path | None, name: str) -> Path:
    if path is None:
        raise AnchorError(f"{name} is not set")
    return path


def fingerprint(public_key) -> str:
    """SHA-256 of the raw 32-byte public key, hex."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def signed_bytes(anchor: dict) -> bytes:
    """What the signature covers: the anchor's fields without the signature, canonical JSON."""
    return canonical({name: anchor[name] for name in SIGNED_FIELDS}).encode()


def _write_new(path: Path, data: bytes, mode: int, made: list[Path]) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    made.append(path)
    try:
        os.fchmod(descriptor, mode)  # whatever the umask
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def keygen() -> str:
    """Make the key pair and an empty anchor log; returns the key's fingerprint. Nothing that
    exists is overwritten: an anchor log belongs to the key that signed it."""
    paths = files()
    wanted = [(_required(paths.signing_key, "AUDIT_SIGNING_KEY"), 0o600),
              (_required(paths.public_key, "AUDIT_PUBLIC_KEY"), 0o644),
              (_required(paths.log, "AUDIT_ANCHOR_LOG"), 0o644)]
    for path, _mode in wanted:
        if path.exists():
            raise AnchorError(f"{path} already exists: keys and anchor logs are never "
                              "overwritten (to rotate, move the pair and its log aside)")
    key = Ed25519PrivateKey.generate()
    contents = (
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption()),
        key.public_key().public_bytes(serialization.Encoding.PEM,
                                      serialization.PublicFormat.SubjectPublicKeyInfo),
        b"")
    _write_all(wanted, contents)
    return fingerprint(key.public_key())


def _write_all(wanted: list[tuple[Path, int]], contents: tuple[bytes, ...]) -> None:
    """All the files or none: a private key left without its public key and log would make
    the next keygen refuse, and no anchor could be checked against it."""
    made: list[Path] = []
    try:
        for (path, mode), data in zip(wanted, contents, strict=True):
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_new(path, data, mode, made)
    except OSError as error:
        for path in made:
            path.unlink(missing_ok=True)
        raise AnchorError(f"cannot write {error.filename or path} ({error.strerror or error}); "
                          "no file was kept") from None


def signing_key() -> Ed25519PrivateKey:
    return _signing_key(_required(files().signing_key, "AUDIT_SIGNING_KEY"))


def _signing_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise AnchorError(f"no signing key at {path}: run `flask audit keygen` first") from None
    except (ValueError, TypeError, OSError) as error:
        raise AnchorError(f"{path} is not a usable private key ({error})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise AnchorError(f"{path} is not an Ed25519 private key")
    return key


def _append(path: Path, line: str) -> None:
    # No O_CREAT: keygen made the log, and a missing one must be restored, not begun again
    # (a fresh log would hide what the old one anchored).
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND)
    except FileNotFoundError:
        raise AnchorError(f"the anchor log {path} is missing: restore it from a copy") from None
    except OSError as error:
        raise AnchorError(f"cannot write to the anchor log {path} ({error.strerror})") from None
    try:
        os.write(descriptor, line.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def signed_line(key: Ed25519PrivateKey, seq: int, head_hash: str, time: str) -> tuple[dict, str]:
    """The checkpoint of event `seq`, and its line for the anchor log (with its newline)."""
    checkpoint = {"seq": seq, "head": head_hash, "time": time, "events": seq,
                  "key": fingerprint(key.public_key())}
    line = dict(checkpoint, signature=key.sign(signed_bytes(checkpoint)).hex())
    return checkpoint, json.dumps(line, separators=(",", ":")) + "\n"


def anchor() -> dict:
    """Sign the chain's head, append it to the anchor log, then record it on the trail (that
    event comes after the anchor, so the next anchor covers it). Reads the head only: no scan."""
    key = signing_key()
    log = _required(files().log, "AUDIT_ANCHOR_LOG")
    seq, head_hash = head()
    checkpoint, line = signed_line(key, seq, head_hash, utcnow().strftime(TIME_FORMAT))
    _append(log, line)
    record_alone(None, ANCHOR, detail=f"Anchored at event {seq} ({checkpoint['time']}) in {log}",
                 changes=checkpoint)
    return checkpoint


def _last_line(path: Path) -> str | None:
    with path.open("rb") as file:
        file.seek(0, os.SEEK_END)
        file.seek(max(0, file.tell() - TAIL_BYTES))
        lines = [line for line in file.read().splitlines() if line.strip()]
    return lines[-1].decode("utf-8", "replace") if lines else None


def describe(anchor_line: dict) -> str:
    return (f"event {anchor_line['seq']} at {anchor_line['time']}, "
            f"key {anchor_line['key']}")


def latest() -> str:
    """The newest anchor in the log, as printed on reports and exports (its signature is
    verification's business)."""
    paths = files()
    if paths.log is None:
        return NOT_YET
    try:
        line = _last_line(paths.log)
    except FileNotFoundError:
        present = paths.public_key is not None and paths.public_key.exists()
        return f"anchor log {paths.log} missing" if present else NOT_YET
    except OSError as error:
        return f"anchor log {paths.log} unreadable ({error.strerror})"
    if line is None:
        return NOT_YET
    try:
        return describe(json.loads(line))
    except (ValueError, TypeError, KeyError):
        return f"the last line of the anchor log {paths.log} is unreadable"
