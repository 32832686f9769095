"""The generated Python client (make sdk) drives the intake API as an outside system would."""

from __future__ import annotations

import importlib
import sys
import uuid
from typing import Any

import httpx
import pytest

from tests.api.helpers import Provider
from tools.sdk import generate


@pytest.fixture(scope="module")
def intake_sdk(tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("sdk")
    generate("intake", out)
    sys.path.insert(0, str(out / "intake"))
    try:
        yield importlib.import_module("complaints_intake_client")
    finally:
        sys.path.remove(str(out / "intake"))
        for name in [m for m in sys.modules if m.startswith("complaints_intake_client")]:
            del sys.modules[name]


async def test_register_and_read_through_the_generated_client(
    intake_sdk: Any, intake_app: Any, provider: Provider
) -> None:
    register = importlib.import_module("complaints_intake_client.api.complaints.complaints_register")
    get = importlib.import_module("complaints_intake_client.api.complaints.complaints_get")
    models = importlib.import_module("complaints_intake_client.models")

    base_url = "http://intake.test"
    transport = httpx.ASGITransport(app=intake_app)
    client = intake_sdk.AuthenticatedClient(base_url=base_url, token="unused")
    client.set_async_httpx_client(
        httpx.AsyncClient(transport=transport, base_url=base_url, headers=provider.caseworker)
    )

    sent = provider.body()
    body = models.RegisterComplaintIn.from_dict(sent)
    key = str(uuid.uuid4())
    created = await register.asyncio_detailed(client=client, body=body, idempotency_key=key)
    assert created.status_code == 201
    assert isinstance(created.parsed, models.ComplaintOut)
    complaint_id = created.parsed.complaint_id

    again = await register.asyncio_detailed(client=client, body=body, idempotency_key=key)
    assert again.parsed.complaint_id == complaint_id

    read = await get.asyncio(client=client, complaint_id=uuid.UUID(complaint_id))
    assert isinstance(read, models.ComplaintOut)
    assert read.complainant.name == sent["complainant"]["name"]
    assert read.elements[0].category.value == sent["elements"][0]["category"]
    missing = await get.asyncio(client=client, complaint_id=uuid.uuid4())
    assert isinstance(missing, models.Problem)
    assert missing.status == 404

    await client.get_async_httpx_client().aclose()
