#!/usr/bin/env bash
# Compose smoke test: build the image, start api + postgres + redis, wait for /readyz, book one
# appointment through signed Twilio webhooks, read it back through the staff API. Prints PASS or
# FAIL and always tears the stack down. Needs docker, docker-compose, curl, jq, openssl.
# Where no registry is reachable, run ../shared/tools/offline-docker.sh first.
# Env: SMOKE_KEEP=1 keeps the stack up for inspection; BELLA_IMAGE overrides the image tag.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
compose_file=$root/docker/docker-compose.yml

step() { printf '\n== %s\n' "$*"; }
fail() { printf '\nFAIL: %s\n' "$*"; exit 1; }
for tool in docker docker-compose curl jq openssl; do
  command -v "$tool" >/dev/null || fail "$tool is not installed"
done

# --- a private, throwaway configuration: unique project, random secrets, a free port ----------
project="bella-smoke-$(date +%s)-$$"
export BELLA_IMAGE=${BELLA_IMAGE:-bella:smoke}
export POSTGRES_USER=bella POSTGRES_DB=bella
POSTGRES_PASSWORD=$(openssl rand -hex 16)
API_KEY=$(openssl rand -hex 16)
TWILIO_AUTH_TOKEN=$(openssl rand -hex 16)
TWILIO_ACCOUNT_SID="AC$(openssl rand -hex 16)"
METRICS_TOKEN=$(openssl rand -hex 16)
export POSTGRES_PASSWORD API_KEY TWILIO_AUTH_TOKEN TWILIO_ACCOUNT_SID METRICS_TOKEN
# The URL Twilio would call (an ALB's, say). Signatures are computed over it, not over the
# loopback port curl really talks to, exactly as behind a load balancer.
export PUBLIC_BASE_URL=https://bella-smoke.example.com
BELLA_HOST_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export BELLA_HOST_PORT
export BUSINESS_TZ=${BUSINESS_TZ:-America/Edmonton}
export LOG_FORMAT=json LOG_LEVEL=info OPENAI_API_KEY=
base="http://127.0.0.1:$BELLA_HOST_PORT"
# Creating containers on a slow storage driver (vfs) can take minutes.
export COMPOSE_HTTP_TIMEOUT=${COMPOSE_HTTP_TIMEOUT:-600}
dc() { docker-compose -p "$project" -f "$compose_file" "$@"; }

teardown() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "--- api log (last 60 lines)"
    dc logs --no-color --tail=60 api 2>/dev/null || true
  fi
  if [ "${SMOKE_KEEP:-0}" = 1 ]; then
    echo "SMOKE_KEEP=1: leaving project $project up (docker-compose -p $project -f $compose_file down -v)"
  else
    dc down -v --remove-orphans >/dev/null 2>&1 || true
    # Anything compose was still creating when it gave up.
    docker ps -aq --filter "label=com.docker.compose.project=$project" | xargs -r docker rm -fv >/dev/null 2>&1 || true
    docker network rm "${project}_default" >/dev/null 2>&1 || true
    docker volume rm "${project}_pgdata" >/dev/null 2>&1 || true
  fi
  [ "$rc" -eq 0 ] && echo "PASS" || echo "FAIL (exit $rc)"
}
trap teardown EXIT
trap 'exit 130' INT TERM

# --- build ---------------------------------------------------------------------------------------
step "build $BELLA_IMAGE"
# --network host: the sandbox's default bridge has no NAT (harmless elsewhere).
# The stack under test never talks to RDS: no CA bundle download (the deploy build fetches it).
docker build --network host --build-arg RDS_CA_BUNDLE_URL= --build-arg BELLA_COMMIT="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)" \
  -f docker/Dockerfile -t "$BELLA_IMAGE" . || fail "docker build"
docker image inspect "$BELLA_IMAGE" --format 'OCI labels: {{json .Config.Labels}}'
docker image inspect "$BELLA_IMAGE" --format 'image size: {{.Size}} bytes'

# --- up ----------------------------------------------------------------------------------------------
step "up (project $project, port $BELLA_HOST_PORT)"
dc up -d --no-build || fail "docker-compose up"

step "wait for /readyz"
ready=""
for _ in $(seq 90); do
  if curl -fsS --max-time 2 "$base/readyz" >/tmp/"$project".ready 2>/dev/null; then ready=1; break; fi
  sleep 2
done
[ -n "$ready" ] || { curl -sS --max-time 2 "$base/readyz" || true; fail "/readyz never answered 200"; }
cat /tmp/"$project".ready; echo; rm -f /tmp/"$project".ready
curl -fsS "$base/healthz" >/dev/null || fail "/healthz"
curl -fsS -H "Authorization: Bearer $METRICS_TOKEN" "$base/metrics" | grep -q '^# TYPE ' \
  || fail "/metrics is not Prometheus text"
echo "readyz, healthz and metrics OK"

# --- one signed booking call ---------------------------------------------------------------------
urlenc() { jq -rn --arg v "$1" '$v|@uri'; }

# post_webhook URL_PATH NAME=VALUE...: form POST signed per Twilio (URL + sorted name+value pairs,
# HMAC-SHA1 with the auth token, base64). Prints the TwiML body; fails on a non-200 status.
post_webhook() {
  local path=$1; shift
  local data="" payload pair sig status body
  payload="$PUBLIC_BASE_URL$path"
  while IFS= read -r pair; do
    payload+="${pair%%=*}${pair#*=}"
  done < <(printf '%s\n' "$@" | LC_ALL=C sort -t= -k1,1 -k2)
  sig=$(printf '%s' "$payload" | openssl dgst -sha1 -hmac "$TWILIO_AUTH_TOKEN" -binary | base64)
  for pair in "$@"; do
    data+="${data:+&}$(urlenc "${pair%%=*}")=$(urlenc "${pair#*=}")"
  done
  body=$(mktemp)
  status=$(curl -sS -o "$body" -w '%{http_code}' --max-time 15 -X POST "$base$path" \
             -H 'Content-Type: application/x-www-form-urlencoded' \
             -H "X-Twilio-Signature: $sig" --data "$data") || { rm -f "$body"; return 1; }
  if [ "$status" != 200 ]; then
    echo "POST $path -> HTTP $status: $(head -c 400 "$body")" >&2
    rm -f "$body"
    return 1
  fi
  cat "$body"; rm -f "$body"
}

# What the caller hears, for the log.
said() { sed -e 's/<[^>]*>/ /g' -e 's/&apos;/'"'"'/g' -e 's/&quot;/"/g' -e 's/&amp;/\&/g' | tr -s ' \n' ' '; }

# Where the next turn goes: the <Gather action=...> of the last TwiML, as a path under PUBLIC_BASE_URL.
next_path() {
  local action
  action=$(grep -o 'action="[^"]*"' <<<"$1" | head -1 | sed -e 's/^action="//' -e 's/"$//' -e 's/&amp;/\&/g')
  [ -n "$action" ] || action=/twilio/voice/collect
  action=${action#"$PUBLIC_BASE_URL"}
  printf '%s' "$action"
}

call_sid="CA$(openssl rand -hex 16)"
caller=+14035550123
name="Sarah Johnson"
# The next business day (Mon-Fri, skipping Alberta's fixed-date holidays) at 10:00 in the clinic's zone.
day=$(TZ=$BUSINESS_TZ date +%F)
while :; do
  day=$(TZ=$BUSINESS_TZ date -d "$day + 1 day" +%F)
  dow=$(date -d "$day" +%u)
  case "$(date -d "$day" +%m-%d)" in 01-01|07-01|11-11|12-25|12-26) continue ;; esac
  [ "$dow" -le 5 ] && break
done
expect_epoch=$(TZ=$BUSINESS_TZ date -d "$day 10:00" +%s)
when="$(date -d "$day" '+%B %-d') at 10 am"
common=("CallSid=$call_sid" "AccountSid=$TWILIO_ACCOUNT_SID" "From=$caller" "To=+15875550100"
        "Caller=$caller" "Called=+15875550100" "Direction=inbound" "ApiVersion=2010-04-01")

step "call $call_sid (booking $day 10:00 $BUSINESS_TZ)"
twiml=$(post_webhook /twilio/voice "${common[@]}" "CallStatus=ringing") || fail "POST /twilio/voice"
grep -q '^<?xml' <<<"$twiml" || fail "TwiML does not start with <?xml"
echo "bella: $(said <<<"$twiml")"
for utterance in "My name is $name" "My mobile number is 403 555 0123" "$when" "yes"; do
  path=$(next_path "$twiml")
  echo "caller ($path): $utterance"
  twiml=$(post_webhook "$path" "${common[@]}" "CallStatus=in-progress" \
            "SpeechResult=$utterance" "Confidence=0.92") || fail "POST $path"
  echo "bella: $(said <<<"$twiml")"
done
said <<<"$twiml" | grep -q "You're all set" || fail "the call did not end with a booking"
grep -q '<Hangup' <<<"$twiml" || fail "the last TwiML does not hang up"

# --- read it back through the staff API ----------------------------------------------------------
step "staff API"
from=$(date -u -d "@$((expect_epoch - 86400))" +%Y-%m-%dT%H:%M:%SZ)
to=$(date -u -d "@$((expect_epoch + 86400))" +%Y-%m-%dT%H:%M:%SZ)
list=$(curl -fsS --max-time 10 -H "X-API-Key: $API_KEY" -H 'Accept: application/json' \
         "$base/appointments?from=$(urlenc "$from")&to=$(urlenc "$to")") || fail "GET /appointments"
echo "$list" | jq -c . | head -c 1500; echo
# The appointment this call booked (the booking is keyed by its CallSid): caller, number, instant.
match=$(jq -c --arg sid "$call_sid" '[.items[] | select(.call_sid == $sid)] | first // empty' <<<"$list")
[ -n "$match" ] || fail "no appointment with call_sid $call_sid between $from and $to"
[ "$(jq -r .user.full_name <<<"$match")" = "$name" ] || fail "booked name: $(jq -r .user.full_name <<<"$match")"
[ "$(jq -r .user.mobile <<<"$match")" = "$caller" ] || fail "booked mobile: $(jq -r .user.mobile <<<"$match")"
[ "$(jq -r .status <<<"$match")" = scheduled ] || fail "status: $(jq -r .status <<<"$match")"
got_epoch=$(date -d "$(jq -r .starts_at <<<"$match")" +%s)
[ "$got_epoch" = "$expect_epoch" ] ||
  fail "appointment starts at $(date -u -d "@$got_epoch" +%FT%TZ), expected $(date -u -d "@$expect_epoch" +%FT%TZ)"
echo "booked: $name at $(TZ=$BUSINESS_TZ date -d "@$expect_epoch" '+%F %H:%M %Z')"
