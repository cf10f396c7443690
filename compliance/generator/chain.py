"""The generated clinic's audit trail: a create event with every recorded value of each row
the generator writes (D6: the tables agree with their trail, so `flask audit replay` passes),
hash-chained like the application's own."""

from datetime import UTC, datetime, time

from compliance.extensions import db
from compliance.generator.writer import BulkWriter
from compliance.services.audit import canonical, event_hash, is_audited, redacted, serialise

# Where a generated row says when it was entered and by whom; rows that do not say take the
# time of the row before them and the generator's name.
TIME_COLUMNS = ("recorded_at", "created_at", "started_at", "signed_at", "counted_at", "sent_at",
                "raised_at", "contacted_at")
DAY_COLUMNS = ("occurred_on", "received_on", "screened_on", "consented_on", "held_on")
ACTOR_COLUMNS = ("actor_id", "recorded_by_id", "prescriber_id", "counted_by_id", "signer_id",
                 "sent_by_id", "contacted_by_id")
GENERATOR = "data generator"


def _fill_defaults(model, row: dict) -> None:
    """Give a row every column, as the insert would store it, so its event records them all."""
    for column in model.__table__.columns:
        if column.key in row:
            continue
        if column.default is not None and column.default.is_scalar:
            row[column.key] = column.default.arg
        elif column.nullable:
            row[column.key] = None
        else:
            raise ValueError(f"generated {model.__tablename__} rows need {column.key}")


class Chain:
    """Audit events appended in order: one for each row written to an audited table."""

    def __init__(self, writer: BulkWriter, seq: int, head: str):
        self.writer, self.seq, self.head = writer, seq, head
        self.names: dict[int, str] = {}  # user id -> full name, for the events' actors
        self.when = datetime(2000, 1, 1, tzinfo=UTC)
        self.audited = {mapper.class_.__tablename__: mapper.class_
                        for mapper in db.Model.registry.mappers if is_audited(mapper.class_)}
        writer.on_add = self.created

    def created(self, table: str, row: dict) -> None:
        model = self.audited.get(table)
        if model is None:
            return
        _fill_defaults(model, row)
        if table == "users":
            self.names[row["id"]] = row["full_name"]
        excluded = set(getattr(model, "__audit_exclude__", ()))
        secret = set(getattr(model, "__audit_redact__", ()))
        changes = {key: [None, redacted(value) if key in secret else serialise(value)]
                   for key, value in row.items() if key not in excluded}
        self.append("create", table, row["id"], self._actor(row), self._when(row), changes)

    def _actor(self, row: dict) -> tuple[int | None, str]:
        for column in ACTOR_COLUMNS:
            if row.get(column) is not None:
                return row[column], self.names.get(row[column], GENERATOR)
        return None, GENERATOR

    def _when(self, row: dict) -> datetime:
        moment = next((row[c] for c in TIME_COLUMNS if row.get(c) is not None), None)
        if moment is None:
            day = next((row[c] for c in DAY_COLUMNS if row.get(c) is not None), None)
            moment = datetime.combine(day, time(9), tzinfo=UTC) if day else self.when
        self.when = moment
        return moment

    def append(self, action: str, table: str, record_id, actor: tuple[int | None, str],
               when: datetime, changes: dict) -> None:
        self.seq += 1
        row = dict(seq=self.seq, occurred_at=when, actor_id=actor[0], actor_name=actor[1],
                   action=action, table_name=table, record_id=str(record_id),
                   changes=canonical(changes), reason=None, rule=None, detail=None,
                   prev_hash=self.head)
        row["hash"] = self.head = event_hash(row)
        self.writer.add("audit_events", row)
