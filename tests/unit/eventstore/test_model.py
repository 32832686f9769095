from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from shared.eventstore import START, Actor, EventMetadata, LogPosition, RecordedEvent, UpcasterRegistry
from shared.eventstore.model import JSON, SYSTEM_ACTOR

# --- LogPosition ----------------------------------------------------------------------------------


def test_positions_order_by_transaction_first_then_position() -> None:
    scrambled = [LogPosition(7, 3), LogPosition(2, 90), START, LogPosition(7, 1), LogPosition(2, 5)]

    assert sorted(scrambled) == [START, LogPosition(2, 5), LogPosition(2, 90), LogPosition(7, 1), LogPosition(7, 3)]
    # A late-committing transaction's low position still sorts after an earlier transaction's high one.
    assert LogPosition(2, 90) < LogPosition(7, 1)
    assert LogPosition(7, 1) > LogPosition(2, 90)
    assert START < LogPosition(0, 1) < LogPosition(1, 0)
    assert max(scrambled) == LogPosition(7, 3)


def test_positions_are_values() -> None:
    assert LogPosition(3, 4) == LogPosition(3, 4)
    assert LogPosition(3, 4) != LogPosition(4, 3)
    assert len({LogPosition(3, 4), LogPosition(3, 4), START}) == 2
    assert LogPosition(0, 0) == START


@pytest.mark.parametrize(
    ("position", "text"),
    [
        (START, "0.0"),
        (LogPosition(1, 2), "1.2"),
        (LogPosition(748, 10_051), "748.10051"),
        (LogPosition(2**63 - 1, 2**63 - 1), "9223372036854775807.9223372036854775807"),
    ],
)
def test_encode_and_decode_round_trip(position: LogPosition, text: str) -> None:
    assert position.encode() == text
    assert LogPosition.decode(text) == position
    assert LogPosition.decode(position.encode()) == position


def test_decode_ignores_leading_zeros() -> None:
    assert LogPosition.decode("007.010") == LogPosition(7, 10)


@pytest.mark.parametrize(
    "text",
    [
        "",
        ".",
        "1",
        "1.",
        ".1",
        "a.1",
        "1.b",
        "1.2.3",
        "-1.2",
        "1.-2",
        "+1.2",
        " 1.2",
        "1.2 ",
        "1.2\n",
        "1,2",
        "1:2",
        "0x1.2",
        "1_0.2",
        "1e3.2",
        "\u0661.\u0662",  # Arabic-Indic digits: str.isdigit() says yes
        "\uff11.\uff12",  # full-width digits
        "\u00b2.1",  # superscript two
        "9223372036854775808.1",  # beyond bigint
        "1.9223372036854775808",
        "1" * 5000 + ".1",
    ],
)
def test_decode_refuses_what_is_not_a_position(text: str) -> None:
    with pytest.raises(ValueError, match="log position"):
        LogPosition.decode(text)


# --- UpcasterRegistry -----------------------------------------------------------------------------


def recorded(type: str, schema_version: int, data: JSON) -> RecordedEvent:
    return RecordedEvent(
        event_id=uuid.uuid4(),
        stream_id="complaint-1",
        stream_type="complaint",
        version=1,
        type=type,
        schema_version=schema_version,
        data=data,
        metadata=EventMetadata(actor=SYSTEM_ACTOR, correlation_id="c"),
        recorded_at=datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
        position=LogPosition(10, 20),
    )


def v1_to_v2(data: JSON) -> JSON:
    return {"name": f"{data['first']} {data['last']}", "channel": data.get("channel", "post")}


def v2_to_v3(data: JSON) -> JSON:
    first, _, last = data["name"].partition(" ")
    return {"person": {"given": first, "family": last}, "channel": data["channel"].upper()}


def v3_to_v4(data: JSON) -> JSON:
    return {**data, "welsh": False}


@pytest.fixture
def upcasters() -> UpcasterRegistry:
    registry = UpcasterRegistry()
    # Registered out of order on purpose: steps chain by version, not by registration.
    registry.register("complaint.registered", 3, v3_to_v4)
    registry.register("complaint.registered", 1, v1_to_v2)
    registry.register("complaint.registered", 2, v2_to_v3)
    return registry


def test_upcasting_runs_every_step_from_the_stored_version(upcasters: UpcasterRegistry) -> None:
    stored = recorded("complaint.registered", 1, {"first": "Ada", "last": "Lovelace", "channel": "phone"})

    read = upcasters.upcast(stored)

    assert read.schema_version == 4
    assert read.type_name == "complaint.registered.v4"
    assert read.data == {"person": {"given": "Ada", "family": "Lovelace"}, "channel": "PHONE", "welsh": False}
    # Only data and version change; the stored event is left as it was.
    assert (read.event_id, read.position, read.metadata, read.version) == (
        stored.event_id,
        stored.position,
        stored.metadata,
        stored.version,
    )
    assert stored.schema_version == 1
    assert stored.data == {"first": "Ada", "last": "Lovelace", "channel": "phone"}


def test_upcasting_starts_at_the_stored_version(upcasters: UpcasterRegistry) -> None:
    stored = recorded("complaint.registered", 3, {"person": {"given": "Ada"}, "channel": "WEB"})

    read = upcasters.upcast(stored)

    assert (read.schema_version, read.data) == (4, {"person": {"given": "Ada"}, "channel": "WEB", "welsh": False})


def test_the_current_version_and_other_types_are_returned_as_they_are(upcasters: UpcasterRegistry) -> None:
    current = recorded("complaint.registered", 4, {"anything": 1})
    other = recorded("complaint.withdrawn", 1, {"first": "x"})

    assert upcasters.upcast(current) is current
    assert upcasters.upcast(other) is other


def test_upcasting_stops_where_the_chain_has_a_gap() -> None:
    registry = UpcasterRegistry()
    registry.register("t", 1, lambda d: {**d, "v2": True})
    registry.register("t", 3, lambda d: {**d, "v4": True})

    read = registry.upcast(recorded("t", 1, {}))

    assert (read.schema_version, read.data) == (2, {"v2": True})


def test_one_upcaster_per_type_and_version() -> None:
    registry = UpcasterRegistry()
    registry.register("complaint.registered", 1, v1_to_v2)
    registry.register("complaint.withdrawn", 1, v1_to_v2)

    with pytest.raises(ValueError, match="already registered"):
        registry.register("complaint.registered", 1, v2_to_v3)


def test_an_empty_registry_changes_nothing() -> None:
    stored = recorded("complaint.registered", 1, {"first": "a", "last": "b"})

    assert UpcasterRegistry().upcast(stored) is stored


# --- metadata -------------------------------------------------------------------------------------


def test_metadata_round_trips_through_a_dict() -> None:
    metadata = EventMetadata(
        actor=Actor(user_id="u1", organisation_id="o1", organisation_kind="provider", role="caseworker"),
        correlation_id="corr",
        causation_id="cause",
        idempotency_key="idem",
        business_date="2026-01-05",
    )

    assert EventMetadata.from_dict(metadata.as_dict()) == metadata


def test_metadata_from_a_sparse_dict() -> None:
    metadata = EventMetadata.from_dict({"correlation_id": "c"})

    assert metadata == EventMetadata(actor=Actor("", "", "", ""), correlation_id="c")
