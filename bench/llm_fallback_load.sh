#!/usr/bin/env bash
# N phone calls whose time turn only the LLM fallback understands, all at once, against the real
# bella (with a throwaway PostgreSQL and Redis) and the local Chat Completions stub answering each
# request after 1 s; /healthz is polled meanwhile. Prints bella-load's figures (docs/PERFORMANCE.md).
#   bench/llm_fallback_load.sh [N=100]        (BUILD=dir to reuse a build; default build/release)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"

calls=${1:-100}
dir=${BUILD:-$BELLA_ROOT/build/release}
ensure_packages
say "building bella, bella-load and openai_stub (Release) in $dir"
build "$dir" -DCMAKE_BUILD_TYPE=Release -DBELLA_INTEGRATION_TESTS=ON -DBELLA_BUILD_BENCH=ON
cmake --build "$dir" --target bella bella-load openai_stub >/dev/null

work=$(mktemp -d /tmp/bella-llm-load.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  stop_postgres "$work/pg"
  stop_redis "$work/redis"
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

pg_port=$(free_port); start_postgres "$work/pg" "$pg_port"
redis_port=$(free_port); start_redis "$work/redis" "$redis_port"

# port_from FILE: the port of the first "listening ... port=N" line, waiting up to 10 s.
port_from() {
  for _ in $(seq 100); do
    grep -qo 'port=[0-9]*' "$1" 2>/dev/null && { grep -o 'port=[0-9]*' "$1" | head -1 | cut -d= -f2; return; }
    sleep 0.1
  done
  die "no listening line in $1: $(tail -5 "$1")"
}

"$dir/tests/openai_stub" --key load-key >"$work/stub.log" 2>&1 & pids+=($!)
stub_port=$(port_from "$work/stub.log")
curl -fsS -X POST "127.0.0.1:$stub_port/__script" \
  -d '{"default":{"kind":"success","delay_ms":1000,"content":{"datetime":"2030-03-07T14:00"}}}' >/dev/null

token=$(openssl rand -hex 16)
PORT=0 HOST=127.0.0.1 LOG_FORMAT=text LOG_LEVEL=info \
  DATABASE_URL="postgresql://postgres@127.0.0.1:$pg_port/postgres" REDIS_URL="redis://127.0.0.1:$redis_port/0" \
  OPENAI_API_KEY=load-key OPENAI_BASE_URL="http://127.0.0.1:$stub_port/v1" \
  BELLA_FAKE_NOW=2030-03-05T10:00:00-07:00 TWILIO_AUTH_TOKEN="$token" PUBLIC_BASE_URL=https://bella.example.test \
  "$dir/bella" >"$work/bella.log" 2>&1 & pids+=($!)
bella_port=$(port_from "$work/bella.log")

say "$calls calls, 1 s LLM replies; bella on :$bella_port"
"$dir/bench/bella-load" --port "$bella_port" --calls "$calls" --token "$token" \
  --public-base https://bella.example.test --seconds 30
