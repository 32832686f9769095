"""The deployment's migrations job: `python -m tools.migrate` (the image's `migrate` command)."""

from __future__ import annotations

import asyncio
import os
import sys

from shared.migrations import head_revision
from shared.settings import PROJECT_ROOT


async def test_the_migrations_job_brings_the_database_to_head(database_url: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tools.migrate",
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()
    assert head_revision() in output.decode()
