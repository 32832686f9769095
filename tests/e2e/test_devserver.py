"""`make run`'s runner as real processes: four uvicorn services answer, then Ctrl-C stops them all.

Async on purpose: other tests' in-process apps may lead the directory subscription on this
database, and they only make progress while the event loop runs.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from shared.settings import PROJECT_ROOT

SEEDED = {"provider-alpha", "provider-alpha-sub", "provider-beta", "jobcentre-leeds", "ice", "phso", "dwp-mi", "dwp"}


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def read_banner(process: subprocess.Popen[str]) -> str:
    """Everything up to the banner's closing rule (or the process's end)."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if sum(x.startswith("=" * 78) for x in lines) == 2:
            break
    return "".join(lines)


@pytest.fixture
async def devserver(database_url: str):
    ports = free_ports(4)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INTAKE_PORT": str(ports[0]),
        "ESCALATION_PORT": str(ports[1]),
        "ICE_GATEWAY_PORT": str(ports[2]),
        "REPORTING_PORT": str(ports[3]),
        "LOG_LEVEL": "WARNING",
        "LOG_JSON": "false",
    }
    process = subprocess.Popen(  # noqa: ASYNC220 - a long-lived child, read from a thread
        [sys.executable, "-m", "tools.devserver"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so teardown can stop the services it started
    )
    banner = await asyncio.to_thread(read_banner, process)
    yield process, ports, banner
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # the runner stops its services itself
        try:
            await asyncio.to_thread(process.wait, 30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


async def test_four_services_serve_docs_health_and_openapi_then_stop_on_ctrl_c(devserver) -> None:
    process, ports, banner = devserver
    assert process.poll() is None, banner
    titles = set()
    async with httpx.AsyncClient(timeout=5) as http:
        for port in ports:
            base = f"http://127.0.0.1:{port}"
            assert (await http.get(f"{base}/healthz")).json()["status"] == "ok"
            assert (await http.get(f"{base}/readyz")).status_code == 200
            assert "swagger-ui" in (await http.get(f"{base}/docs")).text
            titles.add((await http.get(f"{base}/openapi.json")).json()["info"]["title"])
        assert len(titles) == 4
        # The banner carries tokens that work: the DWP administrator's is the first one printed.
        token = banner.split("DWP administrator")[1].split()[2]
        headers = {"Authorization": f"Bearer {token}"}
        me = await http.get(f"http://127.0.0.1:{ports[0]}/me", headers=headers)
        assert me.status_code == 200, me.text
        assert me.json()["roles"] == ["dwp_admin"]
        # The seeded directory arrives in the read model.
        seen: set[str] = set()
        for _ in range(100):
            organisations = (
                await http.get(f"http://127.0.0.1:{ports[0]}/directory/organisations", headers=headers)
            ).json()
            seen = {o["organisation_id"] for o in organisations}
            if seen >= SEEDED:
                break
            await asyncio.sleep(0.1)
        assert seen >= SEEDED

    process.send_signal(signal.SIGINT)
    assert await asyncio.to_thread(process.wait, 30) == 0
    async with httpx.AsyncClient(timeout=1) as http:
        for port in ports:
            with pytest.raises(httpx.HTTPError):
                await http.get(f"http://127.0.0.1:{port}/healthz")
