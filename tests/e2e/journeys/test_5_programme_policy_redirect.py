"""Journey 5: a complaint about programme policy reaches the provider, which redirects it to the Jobcentre
(R3; 000 14.09). The Jobcentre owns and answers it; the provider still sees it but may no longer work it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from complaints_intake_client.api.complaints import (
    complaints_acknowledge,
    complaints_get,
    complaints_list,
    complaints_redirect,
)
from complaints_intake_client.models import (
    AcknowledgeIn,
    AcknowledgementMethod,
    Category,
    ComplaintOut,
    ComplaintPage,
    RedirectionIn,
    RedirectionReason,
)

from shared.auth import OrganisationKind, Role
from tests.e2e.journeys.harness import eventually
from tests.e2e.journeys.sdk import etag, expect, key, refused
from tests.e2e.journeys.steps import element, read, register, respond, responses, routing
from tests.e2e.journeys.world import Caller, Journeyed, Ledger, System

pytestmark = pytest.mark.e2e_journeys


async def listed_ids(by: Caller) -> set[str]:
    page = expect(await complaints_list.asyncio_detailed(client=by.intake, limit=200), ComplaintPage, what="list")
    return {item.complaint_id for item in page.items}


async def test_programme_policy_complaint_redirected_by_the_provider_to_the_jobcentre(
    system: System, ledger: Ledger
) -> None:
    provider = await system.provider("e2e-j5")
    jobcentre_id = await system.organisation("e2e-j5-jobcentre", OrganisationKind.JOBCENTRE)
    other_jobcentre_id = await system.organisation("e2e-j5-elsewhere", OrganisationKind.JOBCENTRE)
    worker = system.staff(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER, name="pw")
    jobcentre = system.staff(jobcentre_id, OrganisationKind.JOBCENTRE, Role.CASEWORKER, name="jcp")
    elsewhere = system.staff(other_jobcentre_id, OrganisationKind.JOBCENTRE, Role.CASEWORKER, name="jcp2")
    on = system.today()

    complaint = await register(
        worker,
        provider,
        on,
        elements=[element(Category.E_YOUVE_GOT_IT_WRONG, "The programme's rules make me attend every week")],
    )
    complaint_id = UUID(complaint.complaint_id)
    before = await complaints_get.asyncio_detailed(complaint_id, client=jobcentre.intake)
    refused(before, 404, what="the Jobcentre before the redirection")

    redirected = expect(
        await complaints_redirect.asyncio_detailed(
            complaint_id,
            client=worker.intake,
            body=RedirectionIn(
                reason=RedirectionReason.PROGRAMME_POLICY, to_organisation_id=jobcentre_id, redirected_on=on
            ),
            idempotency_key=key(),
            if_match=etag(complaint.version),
        ),
        ComplaintOut,
        what="the provider redirects the complaint to the Jobcentre",
    )
    routed: list[dict[str, Any]] = [r.to_dict() for r in routing(redirected)]
    assert routed == [
        {
            "kind": "redirection",
            "reason": "programme_policy",
            "from_organisation_id": provider.organisation_id,
            "to_organisation_id": jobcentre_id,
            "routed_on": on.isoformat(),
        }
    ]
    assert redirected.owner_organisation_id == jobcentre_id

    # Both sides see it, with the routing; another Jobcentre does not.
    assert routing(await read(jobcentre, complaint.complaint_id))[0].to_organisation_id == jobcentre_id
    assert (await read(worker, complaint.complaint_id)).owner_organisation_id == jobcentre_id
    refused(await complaints_get.asyncio_detailed(complaint_id, client=elsewhere.intake), 404, what="another Jobcentre")
    await eventually(
        lambda: listed_ids(jobcentre),
        lambda ids: complaint.complaint_id in ids,
        what="the redirected complaint in the Jobcentre's list",
    )

    # The provider may no longer work it; the Jobcentre acknowledges and answers it.
    acknowledgement = AcknowledgeIn(acknowledged_on=on, method=AcknowledgementMethod.LETTER)
    by_provider = await complaints_acknowledge.asyncio_detailed(
        complaint_id, client=worker.intake, body=acknowledgement, idempotency_key=key()
    )
    assert refused(by_provider, 409, what="the provider works a redirected complaint")["requirement"] == "R3"
    acknowledged = expect(
        await complaints_acknowledge.asyncio_detailed(
            complaint_id, client=jobcentre.intake, body=acknowledgement, idempotency_key=key()
        ),
        ComplaintOut,
        what="the Jobcentre acknowledges the complaint",
    )
    answered = await respond(jobcentre, acknowledged, on, stage=1, final=False, reviewer=f"reviewer-{jobcentre_id}")
    assert [(r.stage, r.author_user_id) for r in responses(answered)] == [(1, jobcentre.subject)]

    ledger.record(
        Journeyed(
            journey="5",
            provider_id=provider.organisation_id,
            complaint_ids=[complaint.complaint_id],
            received_on=[on],
            responses=1,
        )
    )
