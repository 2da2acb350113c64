#!/usr/bin/env bash
# Makes the python sandbox usable: installs docker.io and debootstrap from Debian's packages
# when missing, starts dockerd when no engine answers, and builds the sandbox image (quick when
# it exists). Needs root (or sudo) for the first two steps. Under CI=true every failure is
# fatal; elsewhere it warns and exits 0, and the Docker tests then skip with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "ensure-docker: $*" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  echo "ensure-docker: continuing without Docker; the Docker tests will be skipped" >&2
  exit 0
}

as_root() {
  if [ "$(id -u)" = "0" ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else return 1
  fi
}

has() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }
engine_up() { has docker && docker info >/dev/null 2>&1; }

install() {
  echo "ensure-docker: installing $*" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 \
    && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2 \
    || fail "could not install $* (run: sudo apt-get install -y $*)"
}

if ! engine_up; then
  { has docker && has dockerd; } || install docker.io
  if [ -n "${DOCKER_HOST:-}" ]; then fail "no Docker engine answers at DOCKER_HOST=$DOCKER_HOST"; fi
  log="${TMPDIR:-/tmp}/assay-dockerd.log"
  echo "ensure-docker: starting dockerd (log: $log)" >&2
  # No bridge and no iptables: sandboxes run with network "none", and CI machines often
  # cannot change iptables.
  as_root sh -c "nohup dockerd --bridge=none --iptables=false </dev/null >'$log' 2>&1 &" \
    || fail "could not start dockerd (run: sudo dockerd --bridge=none --iptables=false &)"
  for _ in $(seq 1 60); do
    engine_up && break
    sleep 1
  done
  engine_up || fail "dockerd did not answer within 60 s; see $log"
fi

if [ ! -f dist/src/cli/main.js ]; then npm run build >&2; fi
image="$(node -e "import('./dist/sandbox/image/recipe.js').then((m) => console.log(m.defaultImageName()))")"
if ! docker image inspect "$image" >/dev/null 2>&1; then
  has debootstrap || install debootstrap
fi
node bin/assay.js sandbox build >&2 || fail "could not build the sandbox image $image (see above)"
