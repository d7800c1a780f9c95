# Helpers for the script checks run by ./test.sh. Each check prints one line, "PASS <name>" or "FAIL <name>: <why>",
# which ./test.sh counts with the test suite's results.

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# No reader that stops early (grep -q, head, a grep whose output is /dev/null) on a pipe: under `set -o pipefail` the
# writer is killed by SIGPIPE and the whole pipeline fails, depending on timing and on where the match is. Capture the
# output in a variable or file and search that; to shorten a listing, use `first` instead of head.

# first N: the first N lines of standard input. Unlike head it reads its input to the end, so the writer is never cut off.
first() { awk -v n="$1" 'NR <= n'; }

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now (for apps that cannot be told to pick one).
# Below Linux's ephemeral range (32768-60999 by default): a port that a client connection (or one in TIME_WAIT, after
# run-idle.sh's thousands) holds locally cannot be bound, though nothing listens on it.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# wait_for_url URL PID [SECONDS]: polls URL until it answers 2xx. Gives up, saying why on stderr, when PID has exited or
# after SECONDS (default 60).
wait_for_url() {
  local url="$1" pid="$2" limit="${3:-60}"
  local deadline=$((SECONDS + limit))
  until curl -sf -m 5 -o /dev/null "$url"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "the server (pid $pid) exited before $url answered" >&2
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "$url did not answer within $limit s" >&2
      return 1
    fi
    sleep 0.2
  done
}

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
