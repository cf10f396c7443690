#!/usr/bin/env bash
# Follows the README's production section word for word on a fresh PostgreSQL database: runs its
# marked blocks (<!-- production:NAME --> before a fenced block), serves with gunicorn on a free
# port and signs the first manager in through forwarded HTTPS, as nginx would send it. Fails when
# the README drifts from what works. Cleans up after itself (database, server, files).
set -euo pipefail
cd "$(dirname "$0")/.."

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
  drop_database >/dev/null 2>&1 || true
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

# The README's environment, with this check's own database, roles, key and files in place of
# the placeholders; every other line is taken as written.
environment() {
  local names
  names="$(block environment | sed -n 's/^\([A-Z_]*\)=.*/\1/p' | sort | tr '\n' ' ')"
  [ "$names" = "APP_ENV AUDIT_ANCHOR_LOG AUDIT_PUBLIC_KEY AUDIT_SIGNING_KEY BACKUP_DIR CLINIC_NAME CLINIC_TIMEZONE DATABASE_URL MAIL_FROM MAIL_HOST MIGRATION_DATABASE_URL PROXY_FIX SECRET_KEY " ] \
    || fail "the README's environment names changed: $names"
  block environment | grep -v '^\(SECRET_KEY\|DATABASE_URL\|MIGRATION_DATABASE_URL\|AUDIT_[A-Z_]*\|BACKUP_DIR\|MAIL_HOST\)=' > "$WORK/env"
  set -a
  # shellcheck disable=SC1091
  . "$WORK/env"
  SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
  DATABASE_URL="postgresql+psycopg://${DB}_app@127.0.0.1:5432/$DB"
  MIGRATION_DATABASE_URL="postgresql+psycopg://${DB}_owner@127.0.0.1:5432/$DB"
  AUDIT_SIGNING_KEY="$WORK/anchors/anchor-key.pem"
  AUDIT_PUBLIC_KEY="$WORK/anchors/anchor-key.pub.pem"
  AUDIT_ANCHOR_LOG="$WORK/anchors/anchors.jsonl"
  BACKUP_DIR="$WORK/backups"
  MAIL_HOST=""  # no mail leaves a check
  set +a
  [ "$APP_ENV" = production ] && [ "$PROXY_FIX" = 1 ] || fail "APP_ENV or PROXY_FIX changed"
}

# The database and its two roles of the README's step 2 (trust authentication here).
create_database() {
  drop_database
  psql_admin "CREATE ROLE ${DB}_owner LOGIN" >/dev/null
  psql_admin "CREATE ROLE ${DB}_app LOGIN" >/dev/null
  psql_admin "CREATE DATABASE $DB OWNER ${DB}_owner" >/dev/null
}

drop_database() {
  psql_admin "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
  psql_admin "DROP ROLE IF EXISTS ${DB}_app" >/dev/null 2>&1
  psql_admin "DROP ROLE IF EXISTS ${DB}_owner" >/dev/null 2>&1
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

# The Location of the last answer, as a path.
location() {
  sed -n 's/^Location: \(\S*\).*/\1/ip' "$WORK/headers" | tr -d '\r'
}

csrf_token() {
  sed -n 's/.*name="csrf_token" type="hidden" value="\([^"]*\)".*/\1/p' "$WORK/body"
}

sign_in() {
  local email="$1" password="$2" status
  status="$(forwarded "http://127.0.0.1:$PORT/login")"
  [ "$status" = 200 ] || fail "GET /login answered $status"
  grep -qi '^Strict-Transport-Security: max-age=' "$WORK/headers" || fail "no HSTS header"
  session_cookie
  status="$(forwarded -H "Referer: https://$HOST_NAME/login" --data-urlencode "email=$email" \
    --data-urlencode "password=$password" --data-urlencode "csrf_token=$(csrf_token)" \
    "http://127.0.0.1:$PORT/login")"
  [ "$status" = 302 ] || fail "signing in answered $status"
  session_cookie
}

# Production asks a manager to set up a second factor first: scan (here, read) the key, answer
# with the current code, and get the recovery codes.
set_up_second_factor() {
  local status secret code
  status="$(forwarded "http://127.0.0.1:$PORT$(location)")"
  # the home page sends a manager without a second factor to its set-up
  [ "$status" != 302 ] || status="$(forwarded "http://127.0.0.1:$PORT$(location)")"
  [ "$status" = 200 ] && grep -q "Set up a second factor" "$WORK/body" \
    || fail "the first sign-in answered $status, not the second factor's set-up"
  secret="$(sed -n 's/.*<code>\([A-Z2-7]*\)<\/code>.*/\1/p' "$WORK/body")"
  [ -n "$secret" ] || fail "no key on the set-up page"
  session_cookie
  code="$(.venv/bin/python -c 'import pyotp, sys; print(pyotp.TOTP(sys.argv[1]).now())' "$secret")"
  status="$(forwarded -H "Referer: https://$HOST_NAME/account/second-factor" \
    --data-urlencode "code=$code" --data-urlencode "csrf_token=$(csrf_token)" \
    "http://127.0.0.1:$PORT/account/second-factor")"
  [ "$status" = 200 ] && grep -qi "recovery code" "$WORK/body" \
    || fail "setting up the second factor answered $status without recovery codes"
  if grep -qi '^Set-Cookie: session=' "$WORK/headers"; then session_cookie; fi
}

dashboard_names() {
  local name="$1" status
  status="$(forwarded "http://127.0.0.1:$PORT/")"
  [ "$status" = 200 ] && grep -qF "$name" "$WORK/body" \
    || fail "the dashboard answered $status without the manager's name"
}

main() {
  local started=$SECONDS password email name
  environment
  create_database
  bash -euo pipefail -c "$(block install)"
  password="$(python3 -c 'import secrets; print("Prod-Check-" + secrets.token_urlsafe(12))')"
  setup "$password"
  email="$(block setup | sed -n 's/.*--email \(\S*\).*/\1/p')"
  name="$(block setup | sed -n 's/.*--name "\([^"]*\)".*/\1/p')"
  serve
  sign_in "$email" "$password"
  set_up_second_factor
  dashboard_names "$name"
  [ -s "$WORK/anchors/anchors.jsonl" ] || fail "the setup made no anchor"
  grep -q '"method": "POST", "path": "/login", "status": "302".*"request_id": "[0-9a-f]\{32\}"' \
    "$WORK/server.log" || fail "no JSON access line for the sign-in"
  echo "production check: OK in $((SECONDS - started)) s (README's production section, signed in over forwarded HTTPS)"
}

main
