#!/usr/bin/env bash
# Issue 23 part 5: the gateway against what teams use today, rotated in one run on one machine (docs/benchmarks.md).
# Modes, each in front of the same upstream (FeatureQueryUpstream: an ArcGIS-like FeatureServer query, five features):
#   yarp     YARP alone (YarpLoadApp), no Status499;
#   gateway  the gateway sample (GatewayLoadApp): token check, 499 accounting, token removal, on its appsettings.json;
#   nginx    nginx (Debian's package) with auth_request to a token-check endpoint (TokenCheckApp) that checks the same
#            gateway token with Status499's validator, 204/401; what an ops team builds today.
# Every process is started afresh per round and mode; the order of the modes rotates from round to round. wrk sends
# the same request in every mode: GET <query> with "X-Esri-Authorization: Bearer <token>", a token minted once at the
# gateway's generateToken before the rounds (its key ring is shared by every gateway and token-check process).
# CPUs (when there are two or more and taskset exists): every server-side process (upstream, proxy, nginx and its
# worker, token check) on CPU 0, wrk on CPU 1. So each mode gets the same budget, one core for the whole server side,
# whatever number of processes it needs, and the load generator never competes with what it measures.
# Keep-alive everywhere: wrk to the proxy; YARP's pooled connections to the upstream; nginx to the upstream and to the
# token check through upstream blocks with keepalive, HTTP/1.1 and an empty Connection header (nginx's default is a
# new HTTP/1.0 connection per request, which would penalise nginx for its configuration, not its work).
# Reported per round and mode: requests, req/s, p99 (wrk --latency), non-2xx and socket errors, and bytes allocated per
# request in the .NET process in front (yarp, gateway) or, for nginx, in the token-check process, from its
# GC.GetTotalAllocatedBytes(precise: true) delta over the measured run; then the medians over the rounds.
# Needs dotnet, wrk, nginx (with auth_request, as Debian's is), curl.
# Usage: bash tests/Status499.Benchmarks/run-gateway-compare.sh [seconds, default 10] [rounds, default 3]
# Environment: WARMUP (seconds of load before each measured run, default 10: tier-1 JIT, docs/benchmarks.md issue 22),
#              CONNECTIONS (wrk connections, default 4; at most 64, nginx's keepalive pool), MODES (default "yarp gateway nginx"),
#              NGINX_ACCESS_LOG=1 (nginx writes its access log; off by default, as the .NET processes log nothing).
set -euo pipefail
cd "$(dirname "$0")"
. ../scripts/lib.sh
seconds=${1:-10}
rounds=${2:-3}
warmup=${WARMUP:-10}
connections=${CONNECTIONS:-4}
read -r -a modes <<<"${MODES:-yarp gateway nginx}"
[ "$connections" -le 64 ] || { echo "CONNECTIONS must be at most 64 (nginx's keepalive pool)"; exit 1; }
command -v nginx >/dev/null || { echo "nginx is not installed: apt-get install nginx"; exit 1; }
dotnet build -c Release >/dev/null
dll=bin/Release/net10.0/Status499.Benchmarks.dll
gateway_user=bench gateway_password=bench-password   # GatewayCompare.Username and Password
query=/arcgis/rest/services/Demo/FeatureServer/0/query
query_args='?where=1%3D1&outFields=*&f=json'

work=$(mktemp -d)
pids=()
stop_all() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap 'stop_all; rm -rf "$work"' EXIT

server_cpu=() ; client_cpu=()
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then server_cpu=(taskset -c 0); client_cpu=(taskset -c 1); fi

# start_dotnet ROLE URL READY_PATH ARGS...: a gateway-compare process on the server CPU, ready once GET URL+READY_PATH
# answers 2xx; its output goes to $work/ROLE.log, printed if it does not start.
start_dotnet() {
  local role=$1 url=$2 ready=$3; shift 3
  "${server_cpu[@]}" dotnet "$dll" gateway-compare "$role" "$url" "$@" >"$work/$role.log" 2>&1 &
  pids+=($!)
  wait_for_url "$url$ready" "$!" 60 || { cat "$work/$role.log"; exit 1; }
}

# The token: minted once at a gateway's generateToken (24 h, the library's maximum), unbound (no client parameter).
# The upstream address is not used by generateToken. The token is never printed.
keys="$work/keys"
mkdir -p "$keys"
url="http://127.0.0.1:$(free_port)"
start_dotnet gateway "$url" /gc "http://127.0.0.1:9/" "$keys"
token=$(curl -s -d "username=$gateway_user" -d "password=$gateway_password" -d f=json -d expiration=1440 "$url/arcgis/tokens/generateToken" \
  | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
stop_all
[ -n "$token" ] || { echo "generateToken gave no token"; exit 1; }
header=(-H "X-Esri-Authorization: Bearer $token")

# nginx_conf PORT UPSTREAM_PORT CHECK_PORT: nginx's configuration, every file it writes inside $work/nginx.
nginx_conf() {
  local dir="$work/nginx" user="" access_log="off"
  [ "$(id -u)" = 0 ] && user="user $(id -un);"   # as root, workers would switch to nobody, who cannot enter $work
  [ "${NGINX_ACCESS_LOG:-0}" = 1 ] && access_log="$dir/access.log"
  mkdir -p "$dir"
  cat <<EOF
$user
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
    access_log $access_log;
    client_body_temp_path $dir/client_body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    upstream service { server 127.0.0.1:$2; keepalive 64; }
    upstream token_check { server 127.0.0.1:$3; keepalive 64; }
    server {
        listen 127.0.0.1:$1;
        location = /ready { return 204; }
        location /arcgis/rest/services/ {
            auth_request /_token_check;
            proxy_pass http://service;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # As the gateway: the token opens the proxy, not the service; YARP's default X-Forwarded-* headers.
            proxy_set_header X-Esri-Authorization "";
            proxy_set_header Authorization "";
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Forwarded-Host \$http_host;
        }
        location = /_token_check {
            internal;
            proxy_pass http://token_check/check;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Original-URI \$request_uri;
        }
    }
}
EOF
}

# to_ms VALUE: wrk's latency (e.g. 812.00us, 1.23ms, 1.05s) in milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }

results="$work/results"
: >"$results"
expected=""
printf '%-6s %-8s %10s %10s %8s %7s %10s  %s\n' round mode requests req/s p99/ms errors B/req "(B/req of)"
for round in $(seq 1 "$rounds"); do
  # Rotate: round r starts with mode r (mod the number of modes), so no mode always runs first or last.
  order=()
  for i in "${!modes[@]}"; do order+=("${modes[$(( (i + round - 1) % ${#modes[@]} ))]}"); done
  for mode in "${order[@]}"; do
    upstream="http://127.0.0.1:$(free_port)"
    start_dotnet upstream "$upstream" "$query"
    [ -n "$expected" ] || expected=$(curl -s "$upstream$query$query_args")
    url="http://127.0.0.1:$(free_port)"
    case "$mode" in
      yarp)    start_dotnet yarp "$url" /gc "$upstream/"; gc="$url"; measured=yarp ;;
      gateway) start_dotnet gateway "$url" /gc "$upstream/" "$keys"; gc="$url"; measured=gateway ;;
      nginx)
        gc="http://127.0.0.1:$(free_port)"
        start_dotnet token-check "$gc" /gc "$keys"
        port=${url##*:}
        nginx_conf "$port" "${upstream##*:}" "${gc##*:}" >"$work/nginx.conf"
        "${server_cpu[@]}" nginx -e "$work/nginx/error.log" -p "$work/nginx" -c "$work/nginx.conf" -g 'daemon off;' >"$work/nginx.log" 2>&1 &
        pids+=($!)
        wait_for_url "$url/ready" "$!" 15 || { cat "$work/nginx.log" "$work/nginx/error.log"; exit 1; }
        measured=token-check ;;
      *) echo "unknown mode $mode"; exit 1 ;;
    esac
    # The proxied answer is the upstream's, byte for byte, with the token; without it the proxy refuses.
    [ "$(curl -s "${header[@]}" "$url$query$query_args")" = "$expected" ] || { echo "$mode: the query with the token did not return the upstream's body"; exit 1; }
    [ "$(curl -s "$url$query$query_args")" != "$expected" ] || [ "$mode" = yarp ] || { echo "$mode: the query without a token was let through"; exit 1; }
    "${client_cpu[@]}" wrk -t1 -c"$connections" -d"${warmup}s" "${header[@]}" "$url$query$query_args" >/dev/null   # warm-up: JIT, tiering, pools
    before=$(curl -s "$gc/gc")
    out=$("${client_cpu[@]}" wrk -t1 -c"$connections" -d"${seconds}s" --latency "${header[@]}" "$url$query$query_args")
    after=$(curl -s "$gc/gc")
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")
    errors=$(echo "$out" | awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}')
    bytes=$(awk -v a="$after" -v b="$before" -v r="$requests" 'BEGIN { printf "%.1f", (a - b) / r }')
    printf '%-6s %-8s %10s %10s %8s %7s %10s  %s\n' "$round" "$mode" "$requests" "$rps" "$p99" "$errors" "$bytes" "($measured)"
    echo "$mode $rps $p99 $bytes $measured" >>"$results"
    stop_all
  done
done

# median over the rounds of column COLUMN (2 req/s, 3 p99, 4 B/req) for MODE
median() { awk -v m="$1" -v c="$2" '$1 == m {print $c}' "$results" | sort -g | awk '{v[NR] = $1} END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
echo "medians over $rounds round(s), ${seconds} s each after ${warmup} s of warm-up, wrk -t1 -c$connections:"
printf '%-8s %10s %8s %10s  %s\n' mode req/s p99/ms B/req "(B/req of)"
for mode in "${modes[@]}"; do
  printf '%-8s %10s %8s %10s  %s\n' "$mode" "$(median "$mode" 2)" "$(median "$mode" 3)" "$(median "$mode" 4)" \
    "($(awk -v m="$mode" '$1 == m {print $5; exit}' "$results"))"
done
