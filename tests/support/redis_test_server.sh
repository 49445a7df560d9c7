#!/bin/sh
# Starts throwaway Redis servers for *_redistest (plain + TLS with a fresh CA) and prints the
# environment the tests read. Usage: eval "$(tests/support/redis_test_server.sh start DIR PORT TLSPORT)"
#        tests/support/redis_test_server.sh restart DIR PORT     (the BELLA_TEST_REDIS_RESTART command)
#        tests/support/redis_test_server.sh stop DIR PORT TLSPORT
set -eu
cmd=$1 dir=$2 port=$3 tls_port=${4:-}
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

wait_ping() {  # $1 = extra redis-cli args
  i=0
  until redis-cli $1 ping >/dev/null 2>&1; do
    sleep 0.05; i=$((i + 1)); [ $i -gt 200 ] && { echo "redis did not start: $1" >&2; exit 1; }
  done
}

start_plain() {
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$dir/plain.pid" --logfile "$dir/plain.log"
  wait_ping "-p $port"
}

case $cmd in
  start)
    mkdir -p "$dir"
    start_plain
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bella test CA" \
      -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
      -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$dir/san.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
      -days 2 -extfile "$dir/san.ext" -out "$dir/server.crt" 2>/dev/null
    redis-server --port 0 --tls-port "$tls_port" --bind 127.0.0.1 --tls-cert-file "$dir/server.crt" \
      --tls-key-file "$dir/server.key" --tls-ca-cert-file "$dir/ca.crt" --tls-auth-clients no \
      --save '' --appendonly no --daemonize yes --pidfile "$dir/tls.pid" --logfile "$dir/tls.log"
    wait_ping "-p $tls_port --tls --cacert $dir/ca.crt"
    echo "export BELLA_TEST_REDIS_URL=redis://127.0.0.1:$port/0"
    echo "export BELLA_TEST_REDIS_RESTART='$self restart $dir $port'"
    echo "export BELLA_TEST_REDISS_URL=rediss://127.0.0.1:$tls_port/0"
    echo "export BELLA_TEST_REDIS_CA_FILE=$dir/ca.crt"
    ;;
  restart)  # whether or not it is running; returns once it answers
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
    i=0
    while redis-cli -p "$port" ping >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    start_plain
    ;;
  stop)
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
    [ -n "$tls_port" ] && redis-cli -p "$tls_port" --tls --cacert "$dir/ca.crt" shutdown nosave >/dev/null 2>&1 || true
    ;;
esac
