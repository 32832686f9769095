"""`json_document`, what timeline projections store, is the timeline's own JSON form (`to_json`), only cheaper."""

from __future__ import annotations

import json

from shared.complaints.timeline import complaint_timeline, to_json
from shared.eventstore.projections import json_document
from shared.profiles import default_profiles
from tests.unit.reporting.journeys import EscalationWorld, InMemoryLog, escalation_journeys, unique


def test_a_folded_timeline_stores_as_to_json_has_it() -> None:
    world = EscalationWorld(provider=unique("provider"))
    events = InMemoryLog().add(escalation_journeys(world))
    compared = 0
    for complaint_id in (world.k1, world.k2, world.k5):
        stream = [e for e in events if e.stream_id.removeprefix("complaint-") == complaint_id]
        timeline = complaint_timeline(stream, default_profiles())
        assert timeline is not None
        assert timeline.timeline.stages
        assert json.dumps(json_document(timeline)) == json.dumps(to_json(timeline))
        compared += 1
    assert compared == 3
