#!/usr/bin/env bash
# Throughput and bytes allocated per request on Kestrel for /ok, /async and the token route, rotating
# ASP.NET Core alone, an empty middleware and Status499 within ONE run, so that the shared machine's load affects
# all three alike. The server is pinned to CPU 0 and wrk to CPU 1 (taskset) when there are two or more cores.
# Bytes per request = the server's GC.GetTotalAllocatedBytes(precise: true) delta / requests. Needs wrk.
# JIT n/ms = methods the JIT compiled (every tier) and ms it spent compiling during the measured run (issue 22).
# Usage: bash tests/Status499.Benchmarks/run-wrk-rotate.sh [seconds] [rounds] [routes, default "ok async secure"]
set -euo pipefail
cd "$(dirname "$0")"
. ../scripts/lib.sh
seconds=${1:-10}
warmup=${WARMUP:-3}   # seconds of load before the measured run (tier-1 JIT needs ~10-15 s under load: docs/benchmarks.md, issue 22)
rounds=${2:-2}
routes=${3:-ok async secure}
# DLL: a prebuilt server (e.g. a ReadyToRun publish, docs/benchmarks.md); default: this project, built here.
if [ -n "${DLL:-}" ]; then dll=$DLL; else dotnet build -c Release >/dev/null; dll=bin/Release/net10.0/Status499.Benchmarks.dll; fi
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; true' EXIT
server_cpu=() ; client_cpu=()
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then server_cpu=(taskset -c 0); client_cpu=(taskset -c 1); fi
printf '%-6s %-8s %-6s %12s %10s %8s %12s\n' round route mode requests req/s B/req "JIT n/ms"
for round in $(seq 1 "$rounds"); do
  for route in $routes; do
    header=()
    [ "$route" = secure ] && header=(-H "X-Esri-Authorization: Bearer good")
    for mode in alone empty with; do
      url="http://127.0.0.1:$(free_port)"
      "${server_cpu[@]}" dotnet "$dll" kestrel "$mode" "$url" >/dev/null &
      pid=$!
      wait_for_url "$url/ok" "$pid" 60
      [ "$(curl -s -o /dev/null -w '%{http_code}' "${header[@]}" "$url/$route")" = 200 ] || { echo "GET /$route failed in $mode"; exit 1; }
      "${client_cpu[@]}" wrk -t1 -c4 -d"${warmup}s" "${header[@]}" "$url/$route" >/dev/null     # warm-up: JIT, tiering, caches
      before=$(curl -s "$url/gc"); jit_before=($(curl -s "$url/jit"))
      out=$("${client_cpu[@]}" wrk -t1 -c4 -d"${seconds}s" "${header[@]}" "$url/$route")
      after=$(curl -s "$url/gc"); jit_after=($(curl -s "$url/jit"))
      requests=$(echo "$out" | awk '/requests in/ {print $1}')
      rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
      printf '%-6s %-8s %-6s %12s %10s %8s %12s\n' "$round" "/$route" "$mode" "$requests" "$rps" \
        "$(awk -v a="$after" -v b="$before" -v r="$requests" 'BEGIN { printf "%.1f", (a - b) / r }')" \
        "$((jit_after[0] - jit_before[0]))/$((jit_after[1] - jit_before[1]))"
      kill "$pid"; wait "$pid" 2>/dev/null || true
      pid=""
    done
  done
done
