# Shared by scripts/run and scripts/test: package check, build, and throwaway PostgreSQL/Redis.
# shellcheck shell=bash

BELLA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian 12 packages the build, the tests and the local run need.
BELLA_PACKAGES=(
  g++ cmake ninja-build pkg-config ccache
  libboost-dev libssl-dev libpqxx-dev libpq-dev libhiredis-dev nlohmann-json3-dev
  libphonenumber-dev libspdlog-dev libfmt-dev libcurl4-openssl-dev libhowardhinnant-date-dev
  libgtest-dev libgmock-dev libbenchmark-dev libxml2-dev wcanadian
  postgresql redis-server tzdata ca-certificates openssl curl procps iproute2 python3 python3-yaml
  chromium firefox-esr yamllint shellcheck
  clang-14 libclang-rt-14-dev
)

say() { printf '\033[1m[bella]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[bella] %s\033[0m\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) to run: $*"; fi
}

# Installs only what is missing, so a second run costs one dpkg-query.
ensure_packages() {
  local missing=()
  for p in "${BELLA_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get install failed for: ${missing[*]}"
  fi
}

# Node.js and npm for docs/ (redocly lint, the API reference page, the response validator) and the
# staff page's browser test. Not in BELLA_PACKAGES: a machine with another Node.js (e.g.
# NodeSource's, which bundles npm and conflicts with Debian's npm) keeps it.
ensure_node() {
  if command -v node >/dev/null && command -v npm >/dev/null; then return; fi
  say "installing Debian packages: nodejs npm"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null \
    || die "apt-get install failed for: nodejs npm"
}

# docs/node_modules from docs/package-lock.json (pinned @redocly/cli, ajv), once per lockfile.
ensure_docs_tools() {
  ensure_node
  local stamp="$BELLA_ROOT/docs/node_modules/.bella-lock"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$BELLA_ROOT/docs/package-lock.json"; then return; fi
  say "installing docs tools (npm ci in docs/)"
  (cd "$BELLA_ROOT/docs" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in docs/"
  cp "$BELLA_ROOT/docs/package-lock.json" "$stamp"
}

# The browser test's npm packages (pinned in tests/browser/package-lock.json), installed when the
# lockfile changed since the last install.
ensure_browser_test_deps() {
  ensure_node
  local dir="$BELLA_ROOT/tests/browser"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.bella-lock"; then
    say "installing the browser test's npm packages (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci failed in tests/browser"
    cp "$dir/package-lock.json" "$dir/node_modules/.bella-lock"
  fi
}

# build DIR [cmake args...]: configure once, then incremental ninja.
build() {
  local dir=$1; shift
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # Paths relative to the checkout (and -ffile-prefix-map in CMake): a second clone on the same
  # machine reuses the cache. PCH-using files are cached only with these sloppiness settings.
  export CCACHE_BASEDIR="$BELLA_ROOT"
  export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S "$BELLA_ROOT" -B "$dir" -G Ninja "${launcher[@]}" "$@" >/dev/null || die "cmake configure failed"
  fi
  cmake --build "$dir" -j "$(nproc)" || die "build failed"
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# Runs a PostgreSQL server binary as an unprivileged user: initdb/postgres refuse to run as root.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    port_is_free "$p" && { echo "$p"; return 0; }
  done
  die "no free port found"
}

wait_for_port() {  # port seconds
  for _ in $(seq 1 $(($2 * 10))); do port_is_free "$1" || return 0; sleep 0.1; done
  return 1
}

# start_postgres DIR PORT [postgres options...]: creates the cluster on first use, starts it on
# 127.0.0.1:PORT (extra options, e.g. -c shared_preload_libraries=pg_stat_statements, go to postgres).
start_postgres() {
  local dir=$1 port=$2 bin extra; shift 2
  extra=${*:+ $*}
  bin=$(pg_bin) || true
  [ -n "$bin" ] || die "PostgreSQL server binaries not found (package postgresql)"
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$dir" -A trust -U postgres -E UTF8 >/dev/null || die "initdb failed"
  fi
  as_pg "$bin/pg_ctl" -D "$dir" -w -t 30 -l "$dir/server.log" \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200$extra" start >/dev/null \
    || { tail -n 20 "$dir/server.log" >&2; die "PostgreSQL did not start"; }
}

stop_postgres() {  # DIR
  local bin; bin=$(pg_bin)
  [ -f "$1/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$1" -m fast -w stop >/dev/null 2>&1 || true
}

# start_redis DIR PORT [extra redis-server args]
start_redis() {
  local dir=$1 port=$2; shift 2
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" "$@" || die "redis-server did not start"
  wait_for_port "$port" 10 || die "redis-server is not answering on $port"
}

stop_redis() {  # DIR: stops it and waits (up to 5 s) until it has exited, so its files can go
  local pid
  [ -f "$1/redis.pid" ] || return 0
  pid=$(cat "$1/redis.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$1/redis.pid"
}
