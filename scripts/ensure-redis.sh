#!/usr/bin/env bash
# Makes the queue tests runnable: installs Debian's redis-server when missing and starts one on
# 127.0.0.1:${ASSAY_TEST_REDIS_PORT:-6390} when none answers there (no disk persistence, its
# files under .cache/redis). Under CI=true every failure is fatal; elsewhere it warns and exits
# 0, and the queue tests then skip with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${ASSAY_TEST_REDIS_PORT:-6390}"

fail() {
  echo "ensure-redis: $*" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  echo "ensure-redis: continuing without Redis; the queue tests will be skipped" >&2
  exit 0
}

as_root() {
  if [ "$(id -u)" = "0" ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else return 1
  fi
}

answers() { redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG; }

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  echo "ensure-redis: installing redis-server" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 \
    && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-server >&2 \
    || fail "could not install redis-server (run: sudo apt-get install -y redis-server)"
fi

if answers; then
  echo "ensure-redis: redis answers on 127.0.0.1:$PORT" >&2
  exit 0
fi

DIR="$PWD/.cache/redis"
mkdir -p "$DIR"
# Bound to loopback only, no RDB/AOF files: the tests need a live server, not durability.
redis-server --bind 127.0.0.1 --port "$PORT" --daemonize yes --dir "$DIR" \
  --save '' --appendonly no --maxmemory-policy noeviction \
  --logfile "$DIR/redis-$PORT.log" --pidfile "$DIR/redis-$PORT.pid" >&2 \
  || fail "redis-server did not start on 127.0.0.1:$PORT (see $DIR/redis-$PORT.log)"
for _ in $(seq 1 50); do
  if answers; then
    echo "ensure-redis: started redis-server on 127.0.0.1:$PORT" >&2
    exit 0
  fi
  sleep 0.1
done
fail "redis-server on 127.0.0.1:$PORT does not answer (see $DIR/redis-$PORT.log)"
