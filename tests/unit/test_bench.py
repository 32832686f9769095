"""The pure parts of `make bench`: HTTP framing, lag arithmetic, profile summaries, journey copies, modes.

The bench itself is run by hand (`make bench`), never asserted on: these only keep its arithmetic honest.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.intake.api.schemas import RegisterComplaintIn
from tools import bench
from tools.bench_generate import Generator, Organisation, VariantEvent, copy_journey, shift_dates
from tools.bench_http import CheckpointWatch, projection_lags_ms, summarise_profile
from tools.bench_journeys import TEMPLATE_CONTRACT, TEMPLATE_PROVIDER, Template, TemplateEvent
from tools.bench_load import parse_head, register_body
from tools.bench_scale import Reads, growth_by_round, interleaved_reads

# --- the load generator -------------------------------------------------------------------------


def test_a_response_head_gives_the_status_and_how_the_body_is_framed() -> None:
    head = parse_head(b"HTTP/1.1 201 Created\r\ncontent-length: 42\r\nContent-Type: application/json")
    assert (head.status, head.content_length, head.chunked, head.close) == (201, 42, False, False)
    chunked = parse_head(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close")
    assert (chunked.status, chunked.content_length, chunked.chunked, chunked.close) == (200, None, True, True)


def test_garbage_is_not_a_response() -> None:
    with pytest.raises(ValueError, match="status line"):
        parse_head(b"SSH-2.0-OpenSSH_9.6")


def test_the_generated_body_is_a_valid_registration() -> None:
    body = register_body(7, "abc123", "2026-11-20")
    parsed = RegisterComplaintIn.model_validate_json(json.dumps(body))
    assert parsed.provider_organisation_id == "provider-alpha"
    assert parsed.complainant is not None


# --- projection lag -----------------------------------------------------------------------------


def test_lag_is_the_first_sighting_at_or_past_the_event_minus_its_recording() -> None:
    watch = CheckpointWatch(times=[10.0, 10.1, 10.3], positions=[(5, 1), (5, 3), (6, 1)])
    events = [(5, 2, 10.05), (5, 3, 10.0), (6, 1, 10.25), (7, 1, 10.2)]
    lags, unseen = projection_lags_ms(watch, events)
    assert unseen == 1  # (7, 1) was never reached
    assert lags == pytest.approx([50.0, 50.0, 100.0])


def test_a_checkpoint_seen_before_the_recording_time_counts_as_no_lag() -> None:
    watch = CheckpointWatch(times=[9.0], positions=[(9, 9)])
    assert projection_lags_ms(watch, [(1, 1, 9.5)]) == ([0.0], 0)


# --- profiles -----------------------------------------------------------------------------------


def test_a_profile_summary_counts_a_function_once_per_stack() -> None:
    collapsed = "\n".join(
        [
            "main (a.py:1);handle (shared/x.py:2);query (asyncpg/c.py:3) 6",
            "main (a.py:1);handle (shared/x.py:2);handle (shared/x.py:2) 2",
            "main (a.py:1);json (json/d.py:4) 2",
            "not a line",
        ]
    )
    top = {frame: (incl, own) for frame, incl, own in summarise_profile(collapsed, within=("shared/", "asyncpg/"))}
    assert top["handle (shared/x.py:2)"] == pytest.approx((0.8, 0.2))
    assert top["query (asyncpg/c.py:3)"] == pytest.approx((0.6, 0.6))
    assert "main (a.py:1)" not in top


# --- copies of journeys -------------------------------------------------------------------------


def test_dates_in_the_journeys_range_move_and_others_stay() -> None:
    text = '{"received_on": "2026-01-05", "let": "2023-04-01", "at": "2026-01-05T10:00:00+00:00", "bad": "2026-02-30"}'
    moved = shift_dates(text, -7, date(2025, 12, 1), date(2027, 1, 1))
    assert (
        moved
        == '{"received_on": "2025-12-29", "let": "2023-04-01", "at": "2025-12-29T10:00:00+00:00", "bad": "2026-02-30"}'
    )


def _variant(old_id: str, day: int, version: int, stream: str = "complaint") -> VariantEvent:
    data = json.dumps(
        {"complaint_id": old_id, "provider_organisation_id": TEMPLATE_PROVIDER, "contract_id": TEMPLATE_CONTRACT}
    )
    return VariantEvent(
        stream_id=f"{stream}-{old_id}",
        stream_type=stream,
        version=version,
        event_type=f"{stream}.step",
        schema_version=1,
        data=data,
        metadata=json.dumps({"correlation_id": old_id}),
        recorded_at=datetime(2026, 1, 5, 10, tzinfo=UTC) + timedelta(days=day),
        business_day=date(2026, 1, 5) + timedelta(days=day),
    )


def test_a_copy_has_new_ids_its_own_organisation_and_stops_at_today() -> None:
    old = str(uuid.uuid4())
    events = [_variant(old, 0, 1), _variant(old, 3, 2), _variant(old, 9, 3)]
    org = Organisation("bench-p07", "bench-c07")
    rows = [row for _, row in copy_journey(events, old, org, today=date(2026, 1, 8), minutes=30)]
    assert [r[3] for r in rows] == [1, 2]  # the step on day 9 has not happened by today
    (new,) = {r[1].removeprefix("complaint-") for r in rows}
    assert new != old
    assert all(old not in r[6] and old not in r[7] and new in r[6] for r in rows)
    assert all(json.loads(r[6])["provider_organisation_id"] == "bench-p07" for r in rows)
    assert all(json.loads(r[6])["contract_id"] == "bench-c07" for r in rows)
    assert len({r[0] for r in rows}) == 2
    assert rows[0][8] == datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def _template(name: str, day_zero: date, steps: list[int]) -> Template:
    old = str(uuid.uuid4())
    events = tuple(
        TemplateEvent(
            stream_id=f"complaint-{old}",
            stream_type="complaint",
            version=i + 1,
            event_type="complaint.step",
            schema_version=1,
            data=json.dumps({"complaint_id": old, "on": (day_zero + timedelta(days=d)).isoformat()}),
            metadata="{}",
            recorded_at=datetime(day_zero.year, day_zero.month, day_zero.day, 10, tzinfo=UTC) + timedelta(days=d),
            day=d,
        )
        for i, d in enumerate(steps)
    )
    return Template(name, old, day_zero, events, ())


def test_generated_rows_come_in_recording_order_with_each_stream_in_version_order() -> None:
    templates = [
        _template("answered", date(2026, 1, 5), [0, 1, 10, 30]),
        _template("withdrawn", date(2026, 1, 8), [0, 5]),
    ]
    generator = Generator(templates, [Organisation("bench-p01", "bench-c01")], today=date(2026, 6, 1))
    rows = list(generator.rows(date(2026, 1, 5), weeks=8, per_week=5, limit=10**6))
    assert [r[8] for r in rows] == sorted(r[8] for r in rows)
    versions: dict[str, list[int]] = {}
    for r in rows:
        versions.setdefault(r[1], []).append(r[3])
    assert len(versions) == 40
    assert all(v == list(range(1, len(v) + 1)) and len(v) in (2, 4) for v in versions.values())
    moved = {json.loads(r[6])["on"] for r in rows if r[3] == 1}
    assert all(date.fromisoformat(d) >= date(2026, 1, 5) for d in moved)
    # A limit stops new journeys, never one under way: the first week's five run to their end.
    cut = list(generator.rows(date(2026, 1, 5), weeks=8, per_week=5, limit=7))
    by_stream: dict[str, list[int]] = {}
    for r in cut:
        by_stream.setdefault(r[1], []).append(r[3])
    assert len(by_stream) == 5
    assert all(len(v) in (2, 4) for v in by_stream.values())


# --- reads at scale -------------------------------------------------------------------------------


async def test_the_small_and_the_large_side_are_timed_request_by_request_each_going_first_as_often() -> None:
    calls: list[tuple[str, str, int]] = []

    def send(label: str, name: str) -> Any:
        async def request(client: httpx.AsyncClient, i: int) -> httpx.Response:
            calls.append((label, name, i))
            return httpx.Response(200)

        return request

    names = ("complaint_read", "worklist", "mi_figure")
    requests = {label: {name: send(label, name) for name in names} for label in ("small", "large")}
    reads = await interleaved_reads(requests, {"small": 10, "large": 99}, repeats=4, rounds=2)

    timed = calls[6 * 10 :]  # after the warm-up of every read on every side
    assert [label for label, _, _ in timed[:4]] == ["small", "large", "large", "small"]
    firsts = [timed[k][0] for k in range(0, len(timed), 2)]
    assert firsts.count("small") == firsts.count("large")
    # Both sides read the same complaints in the same order.
    assert [i for label, _, i in timed if label == "small"] == [i for label, _, i in timed if label == "large"]
    assert (reads["small"].events, reads["large"].events) == (10, 99)
    assert all(len(reads[side].latencies[name]) == 8 for side in reads for name in names)
    assert all(len(reads[side].round_medians[name]) == 2 for side in reads for name in names)
    assert reads["large"].statuses["worklist"] == {200}


def test_the_growth_by_round_is_the_range_of_the_rounds_ratios() -> None:
    small, large = Reads(10), Reads(100)
    small.round_medians["worklist"] = [2.0, 4.0, 5.0]
    large.round_medians["worklist"] = [2.0, 6.0, 4.0]
    assert growth_by_round(small, large, "worklist") == "0.80-1.50"


# --- modes ----------------------------------------------------------------------------------------


def test_quick_changes_the_defaults_but_not_what_was_given() -> None:
    quick = bench.parse_args(["--quick", "--events", "5000"])
    assert (quick.events, quick.small_events, quick.rounds, quick.http_seconds) == (5000, 1_500, 1, 3.0)
    full = bench.parse_args([])
    assert (full.events, full.small_events, full.rounds, full.http_connections) == (1_000_000, 10_000, 2, 32)
    assert full.parts == ["eventstore", "http", "scale"]
    assert bench.parse_args(["--parts", "http, scale"]).parts == ["http", "scale"]


def test_unknown_parts_and_inverted_sizes_are_refused() -> None:
    with pytest.raises(SystemExit):
        bench.parse_args(["--parts", "http,nonsense"])
    with pytest.raises(SystemExit):
        bench.parse_args(["--events", "500", "--small-events", "1000"])
