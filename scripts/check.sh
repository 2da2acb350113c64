#!/usr/bin/env bash
# The README's test command: everything the tests need, then lint, types and every test.
set -euo pipefail
cd "$(dirname "$0")/.."

npx biome check .
npx tsc -p tsconfig.json --noEmit
npm run build
bash scripts/ensure-docker.sh
bash scripts/ensure-docker-tls.sh
bash scripts/ensure-chromium.sh
bash scripts/ensure-redis.sh
npx vitest run
