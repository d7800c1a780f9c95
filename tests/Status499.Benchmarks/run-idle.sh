#!/usr/bin/env bash
# Managed heap per idle keep-alive connection: alone, empty middleware and with Status499, in one run.
# Each connection sends one request and stays open; the server's heap is read after a full GC before and after.
# Usage: bash tests/Status499.Benchmarks/run-idle.sh [connections]
set -euo pipefail
cd "$(dirname "$0")"
connections=${1:-4000}
ulimit -n 65536 2>/dev/null || true
dotnet build -c Release >/dev/null
dll=bin/Release/net10.0/Status499.Benchmarks.dll
for route in "/ok" "/secure good"; do
  for mode in alone empty with; do
    dotnet "$dll" kestrel "$mode" http://127.0.0.1:5098 >/dev/null &
    pid=$!
    until curl -sf http://127.0.0.1:5098/ok >/dev/null; do sleep 0.2; done
    # shellcheck disable=SC2086
    echo "$mode: $(dotnet "$dll" idle-connections 127.0.0.1 5098 "$connections" $route)"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
