# Helpers for the script checks run by ./test.sh. Each check prints one line, "PASS <name>" or "FAIL <name>: <why>",
# which ./test.sh counts with the test suite's results.

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# Starts "$@" in the background with its output in $APP_LOG, on 127.0.0.1 and a port the app picks itself, and sets
# APP_PID and APP_URL from its "Now listening on:" line. Returns non-zero if it does not listen within 60 s.
start_app() {
  APP_LOG="$(mktemp)"
  ASPNETCORE_URLS="http://127.0.0.1:0" ASPNETCORE_ENVIRONMENT=Production "$@" >"$APP_LOG" 2>&1 &
  APP_PID=$!
  APP_URL=""
  for _ in $(seq 1 600); do
    APP_URL="$(sed -n 's/.*Now listening on: \(http:[^ ]*\).*/\1/p' "$APP_LOG" | head -1)"
    [ -n "$APP_URL" ] && return 0
    kill -0 "$APP_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

stop_app() {
  if [ -n "${APP_PID:-}" ]; then
    kill "$APP_PID" 2>/dev/null
    wait "$APP_PID" 2>/dev/null
    APP_PID=""
  fi
}

# http_check NAME EXPECTED_STATUS EXPECTED_BODY_SUBSTRING URL [curl args...]
http_check() {
  local name="$1" want_status="$2" want_body="$3" url="$4"; shift 4
  local body status
  body="$(curl -s -m 10 -o - -w '\n%{http_code}' "$@" "$url")"
  status="${body##*$'\n'}"; body="${body%$'\n'*}"
  if [ "$status" = "$want_status" ] && [[ "$body" == *"$want_body"* ]]; then
    pass "$name"
  else
    fail "$name" "GET $url answered $status '${body:0:200}', expected $want_status with '$want_body'"
  fi
}
