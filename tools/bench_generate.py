"""Fill the events table with copies of real journeys (tools.bench_journeys), fast, in the store's format.

A copy of a template gets a new complaint (or dissatisfaction) id everywhere it appears (stream ids,
data, metadata), new event ids, one of the bench providers and its contract instead of the template's,
and its dates moved by whole weeks (so working days stay working days). Journeys still running on
`today` are cut at today: their later events have not happened yet. Rows go in with binary COPY in
batches of `BATCH_ROWS`, each batch its own transaction (so its own `tx_id`), in the order the events
were recorded: a heap merges the journeys started week by week. Personal values stay sealed under the
template's data subject, whose key is copied too: the copies' complainants share a key per template,
which changes nothing the bench measures and lets every copied value be opened.
"""

from __future__ import annotations

import heapq
import random
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tools.bench_journeys import TEMPLATE_CONTRACT, TEMPLATE_PROVIDER, Template

BATCH_ROWS = 20_000
COLUMNS = (
    "event_id",
    "stream_id",
    "stream_type",
    "version",
    "event_type",
    "schema_version",
    "data",
    "metadata",
    "recorded_at",
)
WEIGHTS = {
    "answered": 0.42,
    "redress": 0.10,
    "withdrawn": 0.08,
    "ice_resolved": 0.08,
    "ice_upheld": 0.04,
    "dissatisfaction": 0.28,
}
"""Journeys by share: most complaints end with a final response, about one in eight goes on to ICE."""
HISTORY_FROM = date(2023, 6, 5)
"""The oldest history: after the first process profile took effect (2023-05-10)."""
PRESENT_WEEKS = 13
"""The present: the last quarter. Every complaint still open on `today` was received in it."""

_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
Row = tuple[uuid.UUID, str, str, int, str, int, str, str, datetime]


def shift_dates(text: str, days: int, lo: date, hi: date) -> str:
    """Move every ISO date in `text` that falls in [lo, hi] by `days` (dates outside, e.g. a contract's, stay)."""
    if days == 0:
        return text

    def moved(match: re.Match[str]) -> str:
        try:
            found = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return match[0]
        if not lo <= found <= hi:
            return match[0]
        return (found + timedelta(days=days)).isoformat()

    return _DATE.sub(moved, text)


@dataclass(frozen=True)
class VariantEvent:
    stream_id: str
    stream_type: str
    version: int
    event_type: str
    schema_version: int
    data: str
    metadata: str
    recorded_at: datetime
    business_day: date


@dataclass
class Variants:
    """Each template moved by each number of weeks, made once and kept."""

    templates: Sequence[Template]
    _made: dict[tuple[int, int], tuple[VariantEvent, ...]] = field(default_factory=dict)

    def get(self, index: int, weeks: int) -> tuple[VariantEvent, ...]:
        key = (index, weeks)
        found = self._made.get(key)
        if found is None:
            found = self._made[key] = self._make(self.templates[index], weeks * 7)
        return found

    @staticmethod
    def _make(template: Template, days: int) -> tuple[VariantEvent, ...]:
        lo = template.day_zero - timedelta(days=31)
        hi = template.day_zero + timedelta(days=400)
        delta = timedelta(days=days)
        return tuple(
            VariantEvent(
                stream_id=e.stream_id,
                stream_type=e.stream_type,
                version=e.version,
                event_type=e.event_type,
                schema_version=e.schema_version,
                data=shift_dates(e.data, days, lo, hi),
                metadata=shift_dates(e.metadata, days, lo, hi),
                recorded_at=e.recorded_at + delta,
                business_day=template.day_zero + timedelta(days=e.day + days),
            )
            for e in template.events
        )


@dataclass(frozen=True)
class Organisation:
    provider: str
    contract: str


def bench_providers(count: int) -> list[Organisation]:
    return [Organisation(f"bench-p{i:02d}", f"bench-c{i:02d}") for i in range(1, count + 1)]


def copy_journey(
    events: Sequence[VariantEvent], old_id: str, org: Organisation, today: date, minutes: int
) -> Iterator[tuple[datetime, Row]]:
    """The rows of one copy, up to `today` (a journey still running stops there), with its recording times."""
    new_id = str(uuid.uuid4())
    offset = timedelta(minutes=minutes)
    for e in events:
        if e.business_day > today:
            return

        def swap(text: str) -> str:
            text = text.replace(old_id, new_id)
            return text.replace(TEMPLATE_PROVIDER, org.provider).replace(TEMPLATE_CONTRACT, org.contract)

        recorded = e.recorded_at + offset
        row: Row = (
            uuid.uuid4(),
            swap(e.stream_id),
            e.stream_type,
            e.version,
            e.event_type,
            e.schema_version,
            swap(e.data),
            swap(e.metadata),
            recorded,
        )
        yield recorded, row


def weekly_journeys(total_events: int, weeks: int, mean_events: float) -> int:
    return max(1, round(total_events / max(1, weeks) / max(1.0, mean_events)))


@dataclass
class Generator:
    """Journeys started week by week from `start` for `weeks` weeks, copied from `templates`."""

    templates: Sequence[Template]
    organisations: Sequence[Organisation]
    today: date
    seed: int = 42
    variants: Variants = field(init=False)
    _by_name: dict[str, list[int]] = field(init=False)
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.variants = Variants(self.templates)
        self._by_name = {}
        for i, template in enumerate(self.templates):
            self._by_name.setdefault(template.name, []).append(i)
        self._rng = random.Random(self.seed)

    def mean_events(self) -> float:
        """Events per journey, by the weights (whole journeys)."""
        total = 0.0
        for name, weight in WEIGHTS.items():
            indexes = self._by_name.get(name, [])
            if indexes:
                total += weight * sum(len(self.templates[i].events) for i in indexes) / len(indexes)
        return total / sum(WEIGHTS[n] for n in WEIGHTS if n in self._by_name)

    def rows(self, start: date, weeks: int, per_week: int, limit: int) -> Iterator[Row]:
        """About `limit` rows, in recording order, of `per_week` journeys started in each week from `start`.

        No journey is cut short: once the journeys started hold `limit` rows, none more is started and those
        started run to their end (or to `today`), so the rows may pass `limit` by what the last week began. A
        log cut mid-journey would leave hundreds of ICE cases forever waiting on the provider, as no real
        history does, and every worklist would carry them.
        """
        names = [n for n in WEIGHTS if n in self._by_name]
        weights = [WEIGHTS[n] for n in names]
        heap: list[tuple[datetime, int, Row]] = []
        seq = emitted = 0
        for week in range(weeks):
            week_start = start + timedelta(weeks=week)
            # Nothing started from this week on is recorded before it: what is older can go out.
            while heap and heap[0][0] < datetime.combine(week_start, datetime.min.time(), heap[0][0].tzinfo):
                yield heapq.heappop(heap)[2]
                emitted += 1
            if emitted + len(heap) >= limit:
                break
            for _ in range(per_week):
                name = self._rng.choices(names, weights)[0]
                index = self._rng.choice(self._by_name[name])
                template = self.templates[index]
                weeks_moved = (week_start - template.day_zero).days // 7
                if (week_start - template.day_zero).days % 7:
                    weeks_moved += 1
                events = self.variants.get(index, weeks_moved)
                org = self._rng.choice(self.organisations)
                minutes = self._rng.randrange(0, 7 * 60)
                for recorded, row in copy_journey(events, template.entity_id, org, self.today, minutes):
                    heapq.heappush(heap, (recorded, seq, row))
                    seq += 1
        while heap:
            yield heapq.heappop(heap)[2]


async def copy_rows(conn: Any, rows: Iterator[Row], on_batch: Callable[[int], None] | None = None) -> int:
    """COPY `rows` into `events` in batches, each its own transaction; returns how many went in."""
    done = 0
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            await conn.copy_records_to_table("events", records=batch, columns=COLUMNS)
            done += len(batch)
            batch = []
            if on_batch is not None:
                on_batch(done)
    if batch:
        await conn.copy_records_to_table("events", records=batch, columns=COLUMNS)
        done += len(batch)
    return done


async def copy_subject_keys(conn: Any, templates: Sequence[Template]) -> None:
    keys = {k[0]: k for t in templates for k in t.subject_keys}
    await conn.copy_records_to_table(
        "data_subject_keys", records=list(keys.values()), columns=("subject_id", "wrapped_key", "created_at")
    )
