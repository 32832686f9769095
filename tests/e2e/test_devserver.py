"""`make run`'s runner as real processes: four uvicorn services answer, then Ctrl-C stops them all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from shared.settings import PROJECT_ROOT


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@pytest.fixture
def devserver(database_url: str):
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
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.devserver"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    banner: list[str] = []
    deadline = time.monotonic() + 90
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        banner.append(line)
        if sum(b.startswith("=" * 78) for b in banner) == 2:  # the banner's closing rule
            break
    yield process, ports, "".join(banner)
    if process.poll() is None:
        process.kill()
        process.wait()


def test_four_services_serve_docs_health_and_openapi_then_stop_on_ctrl_c(devserver) -> None:
    process, ports, banner = devserver
    assert process.poll() is None, banner
    titles = set()
    for port in ports:
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/healthz", timeout=5).json()["status"] == "ok"
        assert httpx.get(f"{base}/readyz", timeout=5).status_code == 200
        assert "swagger-ui" in httpx.get(f"{base}/docs", timeout=5).text
        titles.add(httpx.get(f"{base}/openapi.json", timeout=5).json()["info"]["title"])
    assert len(titles) == 4
    # The banner carries tokens that work: the DWP administrator's is the first one printed.
    token = banner.split("DWP administrator")[1].split()[2]
    me = httpx.get(f"http://127.0.0.1:{ports[0]}/me", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert me.status_code == 200, me.text
    assert me.json()["roles"] == ["dwp_admin"]
    # The seeded directory is there.
    organisations = httpx.get(
        f"http://127.0.0.1:{ports[0]}/directory/organisations", headers={"Authorization": f"Bearer {token}"}, timeout=5
    ).json()
    assert isinstance(organisations, list), organisations
    assert {"provider-alpha", "provider-alpha-sub", "provider-beta", "jobcentre-leeds"} <= {
        o["organisation_id"] for o in organisations
    }

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    for port in ports:
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
