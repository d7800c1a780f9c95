#!/usr/bin/env bash
# Publishes tests/Status499.AotApp with Native AOT and runs the native binary. Needs clang and zlib1g-dev (./test.sh
# installs them). Prints PASS/FAIL lines (tests/scripts/lib.sh); the exit code is 0 unless a check failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/scripts/lib.sh
configuration="${CONFIGURATION:-Release}"
out="$(mktemp -d)"
failed=0
trap 'stop_app; rm -rf "$out"' EXIT

# Warnings are errors in this repository, ILC's trim and AOT warnings (IL2xxx, IL3xxx) included; the grep catches any
# warning that would not fail the publish. A native publish leaves no managed Status499.AotApp.dll behind.
if dotnet publish tests/Status499.AotApp -c "$configuration" -o "$out" -nologo >"$out.log" 2>&1 \
   && ! grep -E 'warning (IL|CA|CS)[0-9]+' "$out.log" >/dev/null \
   && [ -x "$out/Status499.AotApp" ] && [ ! -e "$out/Status499.AotApp.dll" ]; then
  pass "aot: publishes with PublishAot=true without trim or AOT warnings"
else
  fail "aot: publishes with PublishAot=true without trim or AOT warnings" "$(grep -E 'warning|error' "$out.log" | sort -u | head -20)"
  rm -f "$out.log"
  exit 1
fi
rm -f "$out.log"

if ! start_app "$out/Status499.AotApp"; then
  fail "aot: the native app starts" "$(tail -20 "$APP_LOG")"
  exit 1
fi

results="$(
  http_check "aot: a plain route answers 200" 200 "hello" "$APP_URL/"
  http_check "aot: a token route without a token answers the ArcGIS 499 body" 200 '"code":499' "$APP_URL/report?f=json"
  http_check "aot: a token route with the token answers 200" 200 "report" "$APP_URL/report" -H "X-Esri-Authorization: Bearer aot-token"
)"
echo "$results"

# A client that leaves /slow after 1 s: the middleware outside UseStatus499() must see 499.
curl -s -m 1 "$APP_URL/slow" >/dev/null 2>&1
seen=""
for _ in $(seq 1 100); do
  seen="$(curl -s -m 5 "$APP_URL/last-slow-status")"
  [ "$seen" = "499" ] && break
  sleep 0.1
done
if [ "$seen" = "499" ] && ! grep -q '^fail:' "$APP_LOG"; then
  pass "aot: a client that leaves is recorded as 499, not logged as an error"
else
  fail "aot: a client that leaves is recorded as 499, not logged as an error" "last status '$seen'; log: $(tail -20 "$APP_LOG")"
  failed=1
fi
stop_app
echo "$results" | grep -q '^FAIL' && failed=1
exit "$failed"
