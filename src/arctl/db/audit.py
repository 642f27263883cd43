"""The hash-chained audit trail: one event per change, written in the change's own transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arctl.db.bulk import insert_tuples
from arctl.db.models import AuditEvent

GENESIS = "0" * 64


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_default, separators=(",", ":"))


def _default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in an audit event")


def event_hash(fields: dict[str, str | None]) -> str:
    """sha256 over the canonical JSON of the event's fields (prev_hash included)."""
    return hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _fields(event: AuditEvent) -> dict[str, str | None]:
    return {
        "at": event.at,
        "actor": event.actor,
        "command": event.command,
        "action": event.action,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }


def record(
    session: Session,
    action: str,
    entity: str,
    entity_id: object,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Runs inside the write transaction (BEGIN IMMEDIATE), so the chain
    cannot fork between two writers."""
    invocation = session.info["invocation"]
    last = session.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()
    event = AuditEvent(
        at=utc_now(),
        actor=invocation.actor,
        command=invocation.command,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=_json(before),
        after=_json(after),
        prev_hash=last or GENESIS,
    )
    event.hash = event_hash(_fields(event))
    session.add(event)
    session.flush()
    return event


def record_many(
    session: Session, events: list[tuple[str, str, object, dict[str, Any] | None, dict[str, Any] | None]]
) -> None:
    """Append many events (action, entity, entity_id, before, after) in one insert, chained in order: a
    batch job (a reminder run) writes one event per record without one round trip per event."""
    if not events:
        return
    invocation = session.info["invocation"]
    session.flush()
    previous = session.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar() or GENESIS
    at = utc_now()
    rows = []
    for action, entity, entity_id, before, after in events:
        fields = {
            "at": at, "actor": invocation.actor, "command": invocation.command, "action": action,
            "entity": entity, "entity_id": str(entity_id), "before": _json(before), "after": _json(after),
            "prev_hash": previous,
        }  # fmt: skip
        previous = event_hash(fields)
        rows.append((*fields.values(), previous))
    insert_tuples(session.connection(), AuditEvent.__table__, _EVENT_COLUMNS, rows)


_EVENT_COLUMNS = (
    "at",
    "actor",
    "command",
    "action",
    "entity",
    "entity_id",
    "before",
    "after",
    "prev_hash",
    "hash",
)
"""`record_many`'s row order: the event's fields as hashed, then the hash."""


def chain_breaks(session: Session) -> Iterator[str]:
    """Yield a message for every event whose hash or link does not check out."""
    previous = GENESIS
    for event in session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars():
        if event.prev_hash != previous:
            yield f"audit event {event.id}: links to {event.prev_hash[:12]}, expected {previous[:12]}"
        if event_hash(_fields(event)) != event.hash:
            yield f"audit event {event.id}: content does not match its hash (edited after the fact)"
        previous = event.hash
