"""`make token ROLE=... ORG=...`: mint a development bearer token; the token alone is the last line.

With no arguments: a DWP administrator. Paste the token into Swagger UI's Authorize button.
"""

from __future__ import annotations

import argparse
import sys

from shared.auth import Role, mint_token
from shared.settings import Settings
from tools.devdirectory import kind_for


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", default=Role.DWP_ADMIN.value, help="comma-separated roles: " + ", ".join(Role))
    parser.add_argument("--org", default=None, help="organisation id (default: dwp for DWP roles, else provider-alpha)")
    parser.add_argument("--sub", default=None, help="the user id (subject)")
    parser.add_argument("--hours", type=int, default=8, help="lifetime in hours")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse(argv)
    try:
        roles = tuple(Role(r.strip()) for r in args.role.split(",") if r.strip())
    except ValueError as exc:
        print(f"unknown role: {exc}; roles are: {', '.join(Role)}", file=sys.stderr)
        return 2
    organisation = args.org or ("dwp" if set(roles) & {Role.DWP_ADMIN, Role.DATA_PROTECTION_OFFICER} else None)
    organisation = organisation or _default_org(roles)
    kind = kind_for(organisation, roles)
    token = mint_token(
        Settings(),
        subject=args.sub or f"dev-{'-'.join(r.value for r in roles)}",
        organisation_id=organisation,
        organisation_kind=kind,
        roles=roles,
        ttl_seconds=args.hours * 3600,
    )
    print(f"# {', '.join(roles)} at {organisation} ({kind.value}), valid {args.hours} h", file=sys.stderr)
    print(token)
    return 0


def _default_org(roles: tuple[Role, ...]) -> str:
    defaults = {"ice": "ice", "phso": "phso", "dwp_mi": "dwp-mi", "dwp_business": "dwp"}
    return defaults.get(kind_for("", roles).value, "provider-alpha")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
