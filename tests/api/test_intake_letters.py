"""A response as the letter sent (R7): HTML and plain text, personal values only for those who may read them."""

from __future__ import annotations

from datetime import date

import httpx

from shared.auth import OrganisationKind, Role
from shared.calendar import add_months
from shared.clock import FixedClock, business_date
from shared.complaints.signposting import ANNEX_1_TEXT
from tests.api.conftest import TokenFactory
from tests.api.helpers import Provider, assert_problem, error_fields, register_ok
from tests.api.test_intake_work import post_ok, response_body


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


async def _answered_finally(
    client: httpx.AsyncClient, provider: Provider, auth: TokenFactory, clock: FixedClock
) -> tuple[dict[str, str], str]:
    def person(name: str) -> dict[str, str]:
        return auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER, subject=name)

    body = provider.body(complainant={"name": "Robin Letterby", "address": "4 Post Lane, Leeds, LS2 9JT"})
    created = await register_ok(client, provider.caseworker, body)
    complaint_id: str = created["complaint_id"]
    await post_ok(client, person("ann"), complaint_id, "responses", response_body(clock, reviewer_user_id="bob"))
    final = response_body(
        clock,
        stage=2,
        final=True,
        reviewer_user_id="dan",
        text="Dear Robin, we have reviewed everything.\n\nWe are sorry for the delay.",
        findings=[{"element_id": "E1", "desired_outcome_achievable": False, "why_not": "The <rota> is fixed."}],
    )
    await post_ok(client, person("cat"), complaint_id, "responses", final)
    return created["complainant"], complaint_id


async def test_the_final_response_letter_in_html_and_text(
    client: httpx.AsyncClient, provider: Provider, auth: TokenFactory, clock: FixedClock
) -> None:
    _, complaint_id = await _answered_finally(client, provider, auth, clock)
    issued = business_date(clock.now())
    url = f"/complaints/{complaint_id}/responses/2/letter"

    page = await client.get(url, headers=provider.caseworker)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<address>Robin Letterby<br>4 Post Lane<br>Leeds<br>LS2 9JT</address>" in page.text
    assert "<p>We are sorry for the delay.</p>" in page.text
    assert "The &lt;rota&gt; is fixed." in page.text  # escaped, never raw markup
    assert "Final response to your complaint" in page.text
    assert f"<strong>{_long(add_months(issued, 6))}</strong>" in page.text

    text = await client.get(url, headers={**provider.caseworker, "Accept": "text/plain"})
    assert text.headers["content-type"].startswith("text/plain")
    lines = text.text.splitlines()
    assert lines[:4] == ["Robin Letterby", "4 Post Lane", "Leeds", "LS2 9JT"]
    assert "Dear Robin Letterby," in lines
    assert "What you asked for on point E1 cannot be done: The <rota> is fixed." in lines
    assert " ".join(ANNEX_1_TEXT.split()) in " ".join(text.text.split())
    assert f"please do so by {_long(add_months(issued, 6))}." in text.text

    stage_1 = await client.get(
        f"/complaints/{complaint_id}/responses/1/letter?format=text", headers=provider.caseworker
    )
    assert "Response to your complaint: stage 1" in stage_1.text
    assert "Independent Case Examiner" not in stage_1.text


async def test_personal_values_only_for_readers_and_erased_after_erasure(
    client: httpx.AsyncClient, provider: Provider, auth: TokenFactory, clock: FixedClock
) -> None:
    complainant, complaint_id = await _answered_finally(client, provider, auth, clock)
    url = f"/complaints/{complaint_id}/responses/2/letter?format=text"
    lead_only_mi = auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.MI_ANALYST)
    withheld = await client.get(url, headers=lead_only_mi)
    assert withheld.status_code == 200
    assert "Robin Letterby" not in withheld.text
    assert "[withheld]" in withheld.text

    dpo = auth("dwp", OrganisationKind.DWP_BUSINESS, Role.DATA_PROTECTION_OFFICER)
    erased = await client.post(
        f"/data-subjects/{complainant['data_subject_id']}/erasure",
        json={"reason": "erasure_request", "reference": "DPO-LETTER-1"},
        headers=dpo,
    )
    assert erased.status_code == 200
    after = await client.get(url, headers=provider.caseworker)
    assert "Robin Letterby" not in after.text
    assert after.text.startswith("[erased]")


async def test_no_letter_for_a_stage_not_answered_or_outside_scope(
    client: httpx.AsyncClient, provider: Provider, auth: TokenFactory, clock: FixedClock
) -> None:
    _, complaint_id = await _answered_finally(client, provider, auth, clock)
    assert_problem(await client.get(f"/complaints/{complaint_id}/responses/3/letter", headers=provider.caseworker), 404)
    stranger = auth("someone-else", OrganisationKind.PROVIDER, Role.CASEWORKER)
    assert_problem(await client.get(f"/complaints/{complaint_id}/responses/2/letter", headers=stranger), 404)


async def test_a_bad_stage_or_format_is_a_422_naming_it(
    client: httpx.AsyncClient, provider: Provider, auth: TokenFactory, clock: FixedClock
) -> None:
    _, complaint_id = await _answered_finally(client, provider, auth, clock)
    for path, field in (("responses/0/letter", "path.stage"), ("responses/two/letter", "path.stage")):
        response = await client.get(f"/complaints/{complaint_id}/{path}", headers=provider.caseworker)
        assert list(error_fields(assert_problem(response, 422, "validation"))) == [field], path
    response = await client.get(
        f"/complaints/{complaint_id}/responses/2/letter", headers=provider.caseworker, params={"format": "pdf"}
    )
    assert list(error_fields(assert_problem(response, 422, "validation"))) == ["query.format"]
