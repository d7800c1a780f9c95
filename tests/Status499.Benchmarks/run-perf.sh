#!/usr/bin/env bash
# Where the server's CPU goes under wrk load (issue 22), by shared object and by frame, with Linux perf and the
# runtime's perf map (DOTNET_PerfMapEnabled=1), so JIT-compiled frames have names. Same pinning as run-wrk-rotate.sh:
# server on CPU 0, wrk -t1 -c4 on CPU 1. For each mode, perf samples the server from its first request for
# WINDOW seconds (default 6: run-wrk-rotate.sh's 3 s warm-up + 3 s measured) or, with SKIP=n, from n seconds in.
# Needs wrk and perf (Debian: linux-perf) and permission to profile (root, or kernel.perf_event_paranoid <= 1).
# Usage: [WINDOW=6] [SKIP=0] bash tests/Status499.Benchmarks/run-perf.sh [route, default secure] [modes, default "alone with"]
set -euo pipefail
cd "$(dirname "$0")"
. ../scripts/lib.sh
route=${1:-secure}
modes=${2:-alone with}
window=${WINDOW:-6}
skip=${SKIP:-0}
out=${OUT:-/tmp/status499-perf}
mkdir -p "$out"
if [ -n "${DLL:-}" ]; then dll=$DLL; else dotnet build -c Release >/dev/null; dll=bin/Release/net10.0/Status499.Benchmarks.dll; fi
pid=""; load=""
trap '[ -n "$load" ] && kill "$load" 2>/dev/null; [ -n "$pid" ] && kill "$pid" 2>/dev/null; true' EXIT
header=()
[ "$route" = secure ] && header=(-H "X-Esri-Authorization: Bearer good")
for mode in $modes; do
  url="http://127.0.0.1:$(free_port)"
  # W^X off: with it on, JIT-compiled code runs from a memfd double mapping that perf does not match with the perf map.
  DOTNET_PerfMapEnabled=1 DOTNET_PerfMapShowOptimizationTiers=1 DOTNET_EnableWriteXorExecute=0 taskset -c 0 dotnet "$dll" kestrel "$mode" "$url" >/dev/null &
  pid=$!
  wait_for_url "$url/ok" "$pid" 60
  taskset -c 1 wrk -t1 -c4 -d"$((skip + window + 1))s" "${header[@]}" "$url/$route" > "$out/$mode.wrk" &
  load=$!
  sleep "$skip"
  perf record -F 999 -g -p "$pid" -o "$out/$mode.data" -- sleep "$window" 2>/dev/null
  wait "$load"; load=""
  kill "$pid"; wait "$pid" 2>/dev/null || true
  pid=""
  echo "== $route $mode: seconds $skip-$((skip + window)) of load ($(awk '/Requests\/sec/ { print $2 }' "$out/$mode.wrk") req/s over the whole wrk run); by shared object"
  perf report -i "$out/$mode.data" --no-children --sort dso -g none --stdio 2>/dev/null | grep -E '^ +[0-9]' | first 8
  echo "== $route $mode: top frames"
  perf report -i "$out/$mode.data" --no-children --sort dso,sym -g none --stdio 2>/dev/null | grep -E '^ +[0-9]' | first 15
  echo "== $route $mode: the library's frames (Status499.*), the five hottest, then their sum and the JIT's share"
  perf report -i "$out/$mode.data" --no-children --sort sym -g none --stdio 2>/dev/null | grep -E '^ +[0-9]' > "$out/$mode.sym"
  awk '/Status499\./ && !/Status499\.Benchmarks/' "$out/$mode.sym" | first 5 | cut -c1-220
  awk '/Status499\./ && !/Status499\.Benchmarks/ { sub("%", "", $1); total += $1; n++ } END { printf "%d frames, %.2f%% of samples\n", n, total }' "$out/$mode.sym"
  awk '/\[(QuickJitted|MinOptJitted|Instrumented[A-Za-z0-9]*)\]$/ { sub("%", "", $1); t0 += $1 } END { printf "code at a lower tier than Tier1 (every assembly): %.2f%% of samples\n", t0 }' "$out/$mode.sym"
  perf report -i "$out/$mode.data" --no-children --sort dso -g none --stdio 2>/dev/null | awk '/libclrjit/ { print "the JIT compiling: " $1 " of samples" }'
done
