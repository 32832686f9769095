"""Apply the migrations to DATABASE_URL, then rebuild any read model whose shape changed (the migrations job of a
deployment; concurrent runs wait)."""

from __future__ import annotations

import asyncio
import sys

from shared import migrations
from shared.db import resolve_database_url
from shared.settings import Settings
from tools.rebuild import rebuild_stale


def main() -> int:
    url = resolve_database_url(Settings())
    migrations.upgrade(url)
    print(f"migrations at head ({migrations.head_revision()})")
    # Beside the live generations, swapped in at the end: services still running keep serving meanwhile.
    rebuilt = asyncio.run(rebuild_stale(url))
    print(f"read models rebuilt: {', '.join(rebuilt)}" if rebuilt else "read models current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
