#!/usr/bin/env bash
# Managed heap per idle keep-alive connection: alone, empty middleware and with Status499, in one run.
# Each connection sends one request and stays open; the server's heap is read after a full GC before and after.
# With GCDUMP_DIR set, a dotnet-gcdump of the server is also taken while the connections are open (needs dotnet-gcdump:
# `dotnet tool install -g dotnet-gcdump`) and its report written next to it: the per-connection breakdown in
# docs/benchmarks.md compares the "with" and "alone" reports.
# MODES: the KestrelLoadApp modes to compare (default "alone empty with"; the probe-* modes give the floor an app meets
# when its own code registers on RequestAborted, uses OnStarting/OnCompleted or sets a feature: docs/benchmarks.md).
# Usage: [GCDUMP_DIR=dir] [MODES="..."] bash tests/Status499.Benchmarks/run-idle.sh [connections]
set -euo pipefail
cd "$(dirname "$0")"
. ../scripts/lib.sh
connections=${1:-4000}
ulimit -n 65536 2>/dev/null || true
dotnet build -c Release >/dev/null
dll=bin/Release/net10.0/Status499.Benchmarks.dll
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; true' EXIT
for route in "/ok" "/secure good"; do
  for mode in ${MODES:-alone empty with}; do
    port="$(free_port)"
    dotnet "$dll" kestrel "$mode" "http://127.0.0.1:$port" >/dev/null &
    pid=$!
    wait_for_url "http://127.0.0.1:$port/ok" "$pid" 60
    if [ -n "${GCDUMP_DIR:-}" ]; then
      mkdir -p "$GCDUMP_DIR"
      dump="$GCDUMP_DIR/${mode}-$(tr -d '/ ' <<<"${route% *}").gcdump"
      # shellcheck disable=SC2086
      IDLE_HOLD_SECONDS=30 dotnet "$dll" idle-connections 127.0.0.1 "$port" "$connections" $route >"$dump.idle.txt" &
      client=$!
      # The client prints its line once every connection is open, then holds them for 30 s.
      deadline=$((SECONDS + 600))
      until [ -s "$dump.idle.txt" ] || [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$client" 2>/dev/null; do sleep 0.5; done
      echo "$mode: $(cat "$dump.idle.txt")"
      dotnet-gcdump collect -p "$pid" -o "$dump" >/dev/null
      dotnet-gcdump report "$dump" >"$dump.txt"
      echo "  gcdump: $dump, report: $dump.txt"
      wait "$client"
    else
      # shellcheck disable=SC2086
      echo "$mode: $(dotnet "$dll" idle-connections 127.0.0.1 "$port" "$connections" $route)"
    fi
    kill "$pid"; wait "$pid" 2>/dev/null || true
    pid=""
  done
done
