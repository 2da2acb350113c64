#!/usr/bin/env bash
# Makes the remote-Docker TLS test runnable: a second Docker engine endpoint on
# 127.0.0.1:${ASSAY_TEST_DOCKER_TLS_PORT:-23760} that requires mutual TLS, served by a dockerd of
# its own (own --data-root, --exec-root, --pidfile and unix socket, so the main engine is never
# restarted), with throwaway certificates under .cache/docker-tls (a one-day CA, a server
# certificate for IP 127.0.0.1, a client certificate in .cache/docker-tls/client, which is the
# DOCKER_CERT_PATH the test uses) and the sandbox image loaded from the main engine. Run after
# scripts/ensure-docker.sh. Under CI=true every failure is fatal; elsewhere it warns and exits 0,
# and the test uses an in-process TLS endpoint in front of the main engine instead.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${ASSAY_TEST_DOCKER_TLS_PORT:-23760}"
DIR="$PWD/.cache/docker-tls"
CLIENT="$DIR/client"

fail() {
  echo "ensure-docker-tls: $*" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  echo "ensure-docker-tls: continuing; the TLS test uses its in-process endpoint" >&2
  exit 0
}

as_root() {
  if [ "$(id -u)" = "0" ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else return 1
  fi
}

tls_docker() {
  DOCKER_HOST="tcp://127.0.0.1:$PORT" DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$CLIENT" docker "$@"
}

command -v openssl >/dev/null 2>&1 || fail "openssl is missing (apt-get install -y openssl)"
command -v dockerd >/dev/null 2>&1 || fail "dockerd is missing (run scripts/ensure-docker.sh)"

ec() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "$@" 2>/dev/null; }
if [ ! -f "$CLIENT/key.pem" ]; then
  mkdir -p "$CLIENT"
  ec -x509 -keyout "$DIR/ca-key.pem" -out "$DIR/ca.pem" -days 1 -subj /CN=assay-test-ca
  ec -keyout "$DIR/server-key.pem" -out "$DIR/server.csr" -subj /CN=127.0.0.1
  printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$DIR/server.ext"
  openssl x509 -req -in "$DIR/server.csr" -CA "$DIR/ca.pem" -CAkey "$DIR/ca-key.pem" \
    -CAcreateserial -days 1 -out "$DIR/server-cert.pem" -extfile "$DIR/server.ext" 2>/dev/null
  ec -keyout "$CLIENT/key.pem" -out "$DIR/client.csr" -subj /CN=assay-test-client
  printf 'extendedKeyUsage=clientAuth\n' >"$DIR/client.ext"
  openssl x509 -req -in "$DIR/client.csr" -CA "$DIR/ca.pem" -CAkey "$DIR/ca-key.pem" \
    -CAcreateserial -days 1 -out "$CLIENT/cert.pem" -extfile "$DIR/client.ext" 2>/dev/null
  cp "$DIR/ca.pem" "$CLIENT/ca.pem"
fi

if ! tls_docker version >/dev/null 2>&1; then
  mkdir -p "$DIR/data" "$DIR/exec"
  echo "ensure-docker-tls: starting a second dockerd on 127.0.0.1:$PORT (log: $DIR/dockerd.log)" >&2
  # Loopback only, TLS with client certificates required, no bridge or iptables changes.
  as_root sh -c "nohup dockerd --data-root '$DIR/data' --exec-root '$DIR/exec' \
    --pidfile '$DIR/dockerd.pid' -H 'unix://$DIR/docker.sock' -H 'tcp://127.0.0.1:$PORT' \
    --tlsverify --tlscacert '$DIR/ca.pem' --tlscert '$DIR/server-cert.pem' \
    --tlskey '$DIR/server-key.pem' --bridge=none --iptables=false --ip6tables=false \
    </dev/null >'$DIR/dockerd.log' 2>&1 &" || fail "could not start dockerd"
  for _ in $(seq 1 60); do
    tls_docker version >/dev/null 2>&1 && break
    sleep 1
  done
  tls_docker version >/dev/null 2>&1 || fail "the TLS dockerd did not answer in 60 s; see $DIR/dockerd.log"
fi

if [ ! -f dist/sandbox/image/recipe.js ]; then npm run build >&2; fi
image="$(node -e "import('./dist/sandbox/image/recipe.js').then((m) => console.log(m.defaultImageName()))")"
if ! tls_docker image inspect "$image" >/dev/null 2>&1; then
  echo "ensure-docker-tls: loading $image into the TLS engine" >&2
  docker save "$image" | tls_docker load >&2 || fail "could not load $image into the TLS engine"
fi
echo "ensure-docker-tls: tcp://127.0.0.1:$PORT answers with TLS; DOCKER_CERT_PATH=$CLIENT" >&2
