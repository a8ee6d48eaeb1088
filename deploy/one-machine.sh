#!/usr/bin/env bash
# One machine, one hall (docs/deployment.md): two hallq processes behind nginx with TLS, on
# PostgreSQL and Redis. From a fresh clone:
#
#   HALLQ_DATABASE_URL=postgresql://hallq@127.0.0.1/hallq deploy/one-machine.sh start
#   deploy/one-machine.sh stop
#
# start: installs hallq from this checkout into HALLQ_HOME/venv (unless HALLQ names an installed
# `hallq`), upgrades the database once, makes a self-signed certificate unless TLS_CERT/TLS_KEY
# are given, starts `hallq serve --workers N` (which restarts a worker that dies) and a private
# nginx instance (its own prefix in HALLQ_HOME/nginx: the system's nginx is not touched), and waits
# until https answers. tests/e2e/test_one_machine.py runs it in CI.
#
# Settings (environment)                         default
#   HALLQ_HOME           state: venv, key, certificate, nginx, logs   /var/lib/hallq
#   HALLQ_DATABASE_URL   PostgreSQL                   postgresql://hallq@127.0.0.1/hallq
#   HALLQ_MESSAGE_QUEUE  Redis                        redis://127.0.0.1:6379/0
#   HALLQ_WORKERS        server processes             2
#   HALLQ_PORT           the first one's port         5001 (then 5002, …)
#   HTTPS_LISTEN         nginx's TLS address          443
#   SERVER_NAME          nginx's server_name          _
#   TLS_CERT, TLS_KEY    certificate and key (PEM)    self-signed, HALLQ_HOME/tls/
#   HALLQ                an installed hallq command   HALLQ_HOME/venv/bin/hallq
#   NGINX                nginx                        /usr/sbin/nginx
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
home=${HALLQ_HOME:-/var/lib/hallq}
workers=${HALLQ_WORKERS:-2}
port=${HALLQ_PORT:-5001}
listen=${HTTPS_LISTEN:-443}
nginx=${NGINX:-/usr/sbin/nginx}
export HALLQ_DATABASE_URL=${HALLQ_DATABASE_URL:-postgresql://hallq@127.0.0.1/hallq}
export HALLQ_MESSAGE_QUEUE=${HALLQ_MESSAGE_QUEUE:-redis://127.0.0.1:6379/0}
mkdir -p "$home"
home=$(cd "$home" && pwd)
hallq=${HALLQ:-$home/venv/bin/hallq}
nginx_args=(-p "$home/nginx" -c "$home/nginx/nginx.conf" -e "$home/nginx/logs/error.log")

say() { echo "one-machine: $*"; }

stop() {
  if [ -f "$home/nginx/nginx.pid" ]; then
    "$nginx" "${nginx_args[@]}" -s quit 2>/dev/null || true
  fi
  if [ -f "$home/hallq.pid" ]; then
    pid=$(cat "$home/hallq.pid")
    if kill -TERM "$pid" 2>/dev/null; then
      for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$home/hallq.pid"
  fi
  for _ in $(seq 1 50); do [ -f "$home/nginx/nginx.pid" ] || break; sleep 0.1; done
  say "stopped"
}

start() {
  if [ -z "${HALLQ:-}" ] && [ ! -x "$hallq" ]; then
    say "installing hallq from $repo into $home/venv"
    python3 -m venv "$home/venv"
    "$home/venv/bin/pip" install --quiet "$repo"
  fi
  if [ -z "${HALLQ_SECRET_KEY:-}" ]; then   # the same key for every process, kept across restarts
    [ -f "$home/secret" ] || (umask 077 && python3 -c 'import secrets; print(secrets.token_hex(32))' > "$home/secret")
    HALLQ_SECRET_KEY=$(cat "$home/secret")
    export HALLQ_SECRET_KEY
  fi
  "$hallq" db upgrade                       # once, before the workers start
  cert=${TLS_CERT:-$home/tls/cert.pem}
  key=${TLS_KEY:-$home/tls/key.pem}
  if [ -z "${TLS_CERT:-}" ] && [ ! -f "$cert" ]; then
    mkdir -p "$home/tls"
    (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout "$key" -out "$cert" -days 825 -subj "/CN=${SERVER_NAME:-localhost}" \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null)
    say "self-signed certificate $cert (replace it with the hall's own: TLS_CERT, TLS_KEY)"
  fi
  "$hallq" nginx-config --workers "$workers" --port "$port" --listen "$listen" \
    --server-name "${SERVER_NAME:-_}" --certificate "$cert" --certificate-key "$key" \
    --standalone "$home/nginx" >/dev/null
  "$nginx" "${nginx_args[@]}" -t -q
  cd "$home"
  setsid nohup "$hallq" serve --workers "$workers" --port "$port" > "$home/hallq.log" 2>&1 < /dev/null &
  echo $! > "$home/hallq.pid"
  "$nginx" "${nginx_args[@]}"
  host=${listen%:*}; [ "$host" = "$listen" ] && host=127.0.0.1
  url="https://$host:${listen##*:}"
  ready() {   # every worker, and nginx in front of them
    for p in $(seq "$port" $((port + workers - 1))); do
      curl -fsS -o /dev/null "http://127.0.0.1:$p/healthz" 2>/dev/null || return 1
    done
    curl -kfsS -o /dev/null "$url/healthz" 2>/dev/null
  }
  for _ in $(seq 1 240); do
    if ready; then
      say "hallq answers on $url ($workers workers from port $port; log $home/hallq.log)"
      say "board tokens: $hallq token create --role board --hall HALL   (with this HALLQ_DATABASE_URL)"
      return 0
    fi
    kill -0 "$(cat "$home/hallq.pid")" 2>/dev/null || { tail -20 "$home/hallq.log"; stop; exit 1; }
    sleep 0.5
  done
  say "no answer on $url after 120 s"; tail -20 "$home/hallq.log"; stop; exit 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop   (settings: see the top of this file)" >&2; exit 2 ;;
esac
