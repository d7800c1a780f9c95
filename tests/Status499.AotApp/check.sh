#!/usr/bin/env bash
# Publishes tests/Status499.AotApp with Native AOT and runs the native binary: a token route, a route that only
# configuration (AddStatus499(IConfiguration)) makes a token route, generateToken's signed tokens, and a client that
# leaves. Needs clang and zlib1g-dev (./test.sh installs them). Prints PASS/FAIL lines (tests/scripts/lib.sh); the exit
# code is 0 unless a check failed.
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
  fail "aot: publishes with PublishAot=true without trim or AOT warnings" "$(grep -E 'warning|error' "$out.log" | sort -u | first 20)"
  rm -f "$out.log"
  exit 1
fi
rm -f "$out.log"

# Its own home folder: Data Protection keeps the signed tokens' key ring in ~/.aspnet. The route below is a token route
# only through configuration, as a container's environment would set it.
mkdir -p "$out/home"
if ! HOME="$out/home" Status499__Routes__0__Pattern='/arcgis/rest/services/{**path}' Status499__Routes__0__Meaning=TokenRequired \
     start_app "$out/Status499.AotApp"; then
  fail "aot: the native app starts" "$(tail -20 "$APP_LOG")"
  exit 1
fi

results="$(
  http_check "aot: a plain route answers 200" 200 "hello" "$APP_URL/"
  http_check "aot: a token route without a token answers the ArcGIS 499 body" 200 '"code":499' "$APP_URL/report?f=json"
  http_check "aot: a token route with the token answers 200" 200 "report" "$APP_URL/report" -H "X-Esri-Authorization: Bearer aot-token"
  http_check "aot: a route made a token route by configuration answers the ArcGIS 499 body without a token" 200 '"code":499' \
    "$APP_URL/arcgis/rest/services/demo?f=json"
)"
echo "$results"

# generateToken issues a signed token (Data Protection) that the configured token route then accepts.
issued="$(curl -s -m 10 -d username=aot-user -d 'password=aot-Pa55word!' -d f=json "$APP_URL/arcgis/tokens/generateToken")"
token="$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' <<<"$issued")"
if [ -n "$token" ]; then
  pass "aot: generateToken issues a signed token for the configured user"
else
  fail "aot: generateToken issues a signed token for the configured user" "answered '${issued:0:200}'; log: $(tail -20 "$APP_LOG")"
  failed=1
fi
signed="$(http_check "aot: the signed token opens the route made a token route by configuration" 200 "demo" \
  "$APP_URL/arcgis/rest/services/demo" -H "X-Esri-Authorization: Bearer $token")"
echo "$signed"
results="$results"$'\n'"$signed"

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
# A here-string, not a pipe: grep -q may stop reading before echo is done (see tests/scripts/lib.sh).
grep -q '^FAIL' <<<"$results" && failed=1
exit "$failed"
