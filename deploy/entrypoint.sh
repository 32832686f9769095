#!/bin/sh
# The container's command names what it runs.
set -eu
case "${1:-}" in
  intake|escalation|ice_gateway|reporting)
    exec uvicorn "services.$1.main:create_app" --factory --host 0.0.0.0 --port "${PORT:-8000}" \
      --no-access-log --proxy-headers --timeout-graceful-shutdown 20 ;;
  migrate)
    exec python -m tools.migrate ;;
  *)
    echo "usage: intake | escalation | ice_gateway | reporting | migrate" >&2
    exit 64 ;;
esac
