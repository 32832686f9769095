"""Apply the migrations to DATABASE_URL (the migrations job of a deployment; concurrent runs wait)."""

from __future__ import annotations

import sys

from shared import migrations
from shared.db import resolve_database_url
from shared.settings import Settings


def main() -> int:
    url = resolve_database_url(Settings())
    migrations.upgrade(url)
    print(f"migrations at head ({migrations.head_revision()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
