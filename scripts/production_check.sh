#!/usr/bin/env bash
# Follows the README's production section word for word on a fresh PostgreSQL database: runs its
# marked blocks (<!-- production:NAME --> before a fenced block), serves with gunicorn on a free
# port and signs the first manager in through forwarded HTTPS, as nginx would send it. Fails when
# the README drifts from what works. Cleans up after itself (database, server, files).
set -euo pipefail
cd "$(dirname "$0")/.."

PG="postgresql+psycopg://postgres@127.0.0.1:5432"
DB="${PRODUCTION_CHECK_DB:-test_prod}"
HOST_NAME="clinic.example.org"
WORK="$(mktemp -d)"
SERVER_PID=""

fail() { echo "production check: $*" >&2; exit 1; }
psql_admin() { psql -h 127.0.0.1 -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 -c "$1"; }

cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  psql_admin "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# The fenced block after the marker `<!-- production:$1 -->`; fails when it is missing.
block() {
  local text
  text="$(awk -v marker="<!-- production:$1 -->" '
    $0 == marker { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' README.md)"
  [ -n "$text" ] || fail "README has no block marked production:$1"
  printf '%s\n' "$text"
}

# The README's environment, with this check's own database and key in place of the
# placeholders; every other line is taken as written.
environment() {
  local names
  names="$(block environment | sed -n 's/^\([A-Z_]*\)=.*/\1/p' | sort | tr '\n' ' ')"
  [ "$names" = "APP_ENV CLINIC_NAME CLINIC_TIMEZONE DATABASE_URL MIGRATION_DATABASE_URL PROXY_FIX SECRET_KEY " ] \
    || fail "the README's environment names changed: $names"
  block environment | grep -v '^\(SECRET_KEY\|DATABASE_URL\|MIGRATION_DATABASE_URL\)=' > "$WORK/env"
  set -a
  # shellcheck disable=SC1091
  . "$WORK/env"
  SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
  DATABASE_URL="$PG/$DB"
  MIGRATION_DATABASE_URL="$PG/$DB"
  set +a
  [ "$APP_ENV" = production ] && [ "$PROXY_FIX" = 1 ] || fail "APP_ENV or PROXY_FIX changed"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Runs the setup block with the password on standard input: in a session of its own, with no
# terminal, the hidden prompt reads it from there (twice, for the confirmation).
setup() {
  local password="$1"
  printf '%s\n%s\n' "$password" "$password" \
    | setsid -w bash -euo pipefail -c "$(block setup)" >"$WORK/setup.log" 2>&1 \
    || { cat "$WORK/setup.log" >&2; fail "the setup block failed"; }
}

serve() {
  PORT="$(free_port)"
  GUNICORN_CMD_ARGS="--bind 127.0.0.1:$PORT" WEB_CONCURRENCY=2 \
    setsid bash -euo pipefail -c "$(block serve)" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 60); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.5
  done
  cat "$WORK/server.log" >&2
  fail "gunicorn did not answer /healthz"
}

# A request as nginx forwards it; curl keeps no Secure cookie over plain HTTP, so the session
# cookie is carried by hand.
forwarded() {
  curl -sS -D "$WORK/headers" -o "$WORK/body" -w '%{http_code}' \
    -H "X-Forwarded-Proto: https" -H "X-Forwarded-Host: $HOST_NAME" \
    -H "X-Forwarded-For: 203.0.113.7" -H "Cookie: session=${SESSION:-}" \
    "$@"
}

session_cookie() {
  local line
  line="$(grep -i '^Set-Cookie: session=' "$WORK/headers" | tr -d '\r')"
  [ -n "$line" ] || fail "no session cookie in the answer"
  case "$line" in *"; Secure"*) ;; *) fail "session cookie not Secure: $line" ;; esac
  case "$line" in *Expires*|*Max-Age*) fail "session cookie kept on disk: $line" ;; esac
  SESSION="$(printf '%s' "$line" | sed 's/^[^=]*=\([^;]*\).*/\1/')"
}

sign_in() {
  local email="$1" name="$2" password="$3" token status
  status="$(forwarded "http://127.0.0.1:$PORT/login")"
  [ "$status" = 200 ] || fail "GET /login answered $status"
  grep -qi '^Strict-Transport-Security: max-age=' "$WORK/headers" || fail "no HSTS header"
  session_cookie
  token="$(sed -n 's/.*name="csrf_token" type="hidden" value="\([^"]*\)".*/\1/p' "$WORK/body")"
  status="$(forwarded -H "Referer: https://$HOST_NAME/login" --data-urlencode "email=$email" \
    --data-urlencode "password=$password" --data-urlencode "csrf_token=$token" \
    "http://127.0.0.1:$PORT/login")"
  [ "$status" = 302 ] || fail "signing in answered $status"
  session_cookie
  status="$(forwarded "http://127.0.0.1:$PORT$(sed -n 's/^Location: \(\S*\).*/\1/ip' "$WORK/headers" | tr -d '\r')")"
  [ "$status" = 200 ] && grep -qF "$name" "$WORK/body" \
    || fail "the dashboard answered $status without the manager's name"
}

main() {
  local started=$SECONDS password email name
  environment
  psql_admin "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
  psql_admin "CREATE DATABASE $DB" >/dev/null
  bash -euo pipefail -c "$(block install)"
  password="$(python3 -c 'import secrets; print("Prod-Check-" + secrets.token_urlsafe(12))')"
  setup "$password"
  email="$(block setup | sed -n 's/.*--email \(\S*\).*/\1/p')"
  name="$(block setup | sed -n 's/.*--name "\([^"]*\)".*/\1/p')"
  serve
  sign_in "$email" "$name" "$password"
  grep -q '"method": "POST", "path": "/login", "status": "302".*"request_id": "[0-9a-f]\{32\}"' \
    "$WORK/server.log" || fail "no JSON access line for the sign-in"
  echo "production check: OK in $((SECONDS - started)) s (README's production section, signed in over forwarded HTTPS)"
}

main
