#!/usr/bin/env bash
# Bytes allocated per request by the whole server process, and throughput, for a minimal endpoint on Kestrel,
# without and with UseStatus499(). Needs wrk (apt-get install -y wrk).
# Usage: bash tests/Status499.Benchmarks/run-wrk.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-10}
dotnet build -c Release >/dev/null
for mode in without with; do
  dotnet bin/Release/net10.0/Status499.Benchmarks.dll kestrel "$mode" http://127.0.0.1:5099 >/dev/null &
  pid=$!
  until curl -sf http://127.0.0.1:5099/hello >/dev/null; do sleep 0.2; done
  wrk -t1 -c32 -d3s http://127.0.0.1:5099/hello >/dev/null          # warm-up: JIT, tiering, connection caches
  before=$(curl -s http://127.0.0.1:5099/gc)
  out=$(wrk -t1 -c32 -d"${seconds}s" http://127.0.0.1:5099/hello)
  after=$(curl -s http://127.0.0.1:5099/gc)
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  echo "$mode Status499: $requests requests, $rps req/s, $(( (after - before) / requests )) bytes allocated per request (whole process)"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
