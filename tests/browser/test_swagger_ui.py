"""Swagger UI as operations staff use it, in headless Chromium (issue 7): `make browser`.

The four services run as processes (tools/servicestack.py, embedded PostgreSQL under `.pgdata-browser/`).
Debian's `chromium` and `chromium-driver` drive it through Selenium (.ci/run installs them when missing). The
register-complaint test authorises through the Authorize dialog with a development token, runs the operation
with its prefilled example (ids changed to a provider and contract registered just before through the API)
and sees the 201; its screenshot is kept under build/artifacts/browser/.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from shared.auth import OrganisationKind, Role
from shared.settings import PROJECT_ROOT
from tools.servicestack import DWP_ADMIN, MODULES, Caller, ServiceStack, service_stack

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
ARTIFACTS = PROJECT_ROOT / "build" / "artifacts" / "browser"
PGDATA = Path(os.environ.get("BROWSER_EMBEDDED_PGDATA", PROJECT_ROOT / ".pgdata-browser"))
WAIT_SECONDS = 30

# Tags as the journey goes, then the tools beside it; `operations` (health, identity) always last.
TAG_ORDER = (
    "complaints",
    "dissatisfactions",
    "escalations",
    "deadlines",
    "dg-caselist",
    "ice",
    "phso",
    "reports",
    "directory",
    "personal-data",
    "working-days",
    "feed",
    "webhooks",
    "operations",
)


@pytest.fixture(scope="module")
def stack() -> Iterator[ServiceStack]:
    with service_stack(list(MODULES), pgdata=PGDATA, log_dir=ARTIFACTS / "logs") as running:
        yield running


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: apt-get install chromium chromium-driver (.ci/run does)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,2200",
        # Only this machine: a page that reaches for anything else fails here instead of sending traffic out.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=ChromeService(executable_path=str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


@dataclass(frozen=True)
class Provider:
    organisation_id: str
    contract_id: str
    lead: Caller


@pytest.fixture(scope="module")
def provider(stack: ServiceStack) -> Provider:
    """A provider and its contract registered through the API by DWP's administrator, listed in the directory."""
    suffix = uuid.uuid4().hex[:8]
    organisation_id, contract_id = f"provider-swagger-{suffix}", f"swagger-contract-{suffix}"
    admin = stack.headers(DWP_ADMIN)
    with httpx.Client(base_url=stack.urls["intake"], timeout=30) as intake:
        organisation = {"organisation_id": organisation_id, "name": "Swagger Test Provider Ltd", "kind": "provider"}
        contract = {
            "contract_id": contract_id,
            "provider_organisation_id": organisation_id,
            "programme": "ipes",
            "value_pence": 100_000_000,
            "let_or_renewed_on": "2024-04-01",
            "nation": "england",
            "title": "IPES, the Swagger UI test's contract",
        }
        for path, body in (("/directory/organisations", organisation), ("/directory/contracts", contract)):
            response = intake.post(path, headers={**admin, "Idempotency-Key": str(uuid.uuid4())}, json=body)
            assert response.status_code == 201, response.text
        deadline = time.monotonic() + WAIT_SECONDS
        while contract_id not in {c["contract_id"] for c in intake.get("/directory/contracts", headers=admin).json()}:
            assert time.monotonic() < deadline, f"contract {contract_id} not listed in the directory"
            time.sleep(0.2)
    lead = Caller("swagger-lead", organisation_id, OrganisationKind.PROVIDER, (Role.COMPLAINTS_LEAD, Role.CASEWORKER))
    return Provider(organisation_id, contract_id, lead)


def wait(driver: WebDriver) -> WebDriverWait[WebDriver]:
    return WebDriverWait(driver, WAIT_SECONDS)


def open_docs(driver: WebDriver, base_url: str) -> None:
    driver.get(f"{base_url}/docs")
    try:
        wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, "h3.opblock-tag")))
    except TimeoutException:
        remote = [src for src in _asset_urls(driver) if not src.startswith(base_url)]
        hint = f"; it loads its assets from elsewhere, unreachable without internet: {remote}" if remote else ""
        raise AssertionError(f"Swagger UI did not render at {base_url}/docs{hint}") from None


def _asset_urls(driver: WebDriver) -> list[str]:
    found: list[str] = driver.execute_script(
        "return [...document.querySelectorAll('script[src], link[href]')].map(e => e.src || e.href)"
    )
    return found


def shown_tags(driver: WebDriver) -> list[str]:
    return [e.get_attribute("data-tag") or "" for e in driver.find_elements(By.CSS_SELECTOR, "h3.opblock-tag")]


def set_text(element: WebElement, text: str) -> None:
    """Replace a React-controlled field's text the way a person does: select all, type over it."""
    element.click()
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.DELETE)
    element.send_keys(text)


def test_each_docs_page_shows_its_tags_as_the_journey_goes(stack: ServiceStack, browser: WebDriver) -> None:
    for service, url in stack.urls.items():
        open_docs(browser, url)
        tags = shown_tags(browser)
        known = [t for t in tags if t in TAG_ORDER]
        assert known == sorted(known, key=TAG_ORDER.index), f"{service}: {tags}"
        assert tags[-1] == "operations", f"{service}: {tags}"
    open_docs(browser, stack.urls["intake"])
    assert shown_tags(browser)[0] == "complaints"


def test_register_a_complaint_from_swagger_ui_with_the_prefilled_example(
    stack: ServiceStack, browser: WebDriver, provider: Provider
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        created = _register_through_swagger_ui(browser, stack, provider)
    except (AssertionError, TimeoutException):
        browser.save_screenshot(str(ARTIFACTS / "swagger-ui-register-complaint-FAILED.png"))
        raise
    browser.save_screenshot(str(ARTIFACTS / "swagger-ui-register-complaint-201.png"))
    # persistAuthorization: a reload keeps the token, so staff authorise once per browser session.
    open_docs(browser, stack.urls["intake"])
    assert browser.find_elements(By.CSS_SELECTOR, ".auth-wrapper button.authorize.locked")
    # The complaint is there, the provider's, read back through the API.
    with httpx.Client(base_url=stack.urls["intake"], timeout=30) as intake:
        response = intake.get(f"/complaints/{created['complaint_id']}", headers=stack.headers(provider.lead))
    assert response.status_code == 200, response.text
    assert response.json()["provider_organisation_id"] == provider.organisation_id
    assert response.json()["contract_id"] == provider.contract_id


def _register_through_swagger_ui(driver: WebDriver, stack: ServiceStack, provider: Provider) -> dict[str, Any]:
    open_docs(driver, stack.urls["intake"])

    # Authorize with a development bearer token.
    driver.find_element(By.CSS_SELECTOR, "button.authorize").click()
    token_field = wait(driver).until(ec.visibility_of_element_located((By.ID, "auth-bearer-value")))
    token_field.send_keys(stack.token(provider.lead))
    driver.find_element(By.CSS_SELECTOR, ".auth-btn-wrapper button.authorize").click()
    wait(driver).until(ec.element_to_be_clickable((By.CSS_SELECTOR, ".auth-btn-wrapper button.btn-done"))).click()
    wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".auth-wrapper button.authorize.locked")))

    # Open register-complaint and try it out with its prefilled example.
    operation = driver.find_element(By.ID, "operations-complaints-complaints-register")
    operation.find_element(By.CSS_SELECTOR, ".opblock-summary-control").click()
    wait(driver).until(lambda _: operation.find_element(By.CSS_SELECTOR, ".try-out__btn")).click()
    body_field = wait(driver).until(lambda _: operation.find_element(By.CSS_SELECTOR, "textarea.body-param__text"))
    example: dict[str, Any] = json.loads(body_field.get_attribute("value") or "{}")
    assert {"complainant", "elements", "provider_organisation_id", "contract_id"} <= example.keys(), example
    today = datetime.now(ZoneInfo("Europe/London")).date()
    received_on = min(date.fromisoformat(example["received_on"]), today).isoformat()
    body = {
        **example,
        "provider_organisation_id": provider.organisation_id,
        "contract_id": provider.contract_id,
        "received_on": received_on,
    }
    set_text(body_field, json.dumps(body))
    key_field = operation.find_element(By.CSS_SELECTOR, 'tr[data-param-name="Idempotency-Key"] input')
    key_field.send_keys(str(uuid.uuid4()))

    operation.find_element(By.CSS_SELECTOR, "button.execute").click()
    status_cell = wait(driver).until(
        lambda _: operation.find_element(By.CSS_SELECTOR, ".live-responses-table tbody .response-col_status")
    )
    answer = operation.find_element(By.CSS_SELECTOR, ".live-responses-table tbody .response-col_description pre")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", status_cell)
    assert status_cell.text.strip() == "201", answer.text
    created: dict[str, Any] = json.loads(answer.text)
    assert created["provider_organisation_id"] == provider.organisation_id
    return created
