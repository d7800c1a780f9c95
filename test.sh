#!/usr/bin/env bash
# Runs every test of this repository on a machine with the .NET 10 SDK and Node.js 20+, and installs what the tests
# need first. Ends with one line: "N passed, N failed" (", N skipped" if any), counting every runtime and check;
# exits non-zero if anything failed.
#
#   1. system packages (apt), the Node clients (npm ci) and the ArcGIS Maps SDK test page
#   2. one Release build of Status499.sln
#   3. tests/Status499.Tests on net8.0, net9.0 and net10.0 (the older runtimes self-contained from NuGet runtime packs),
#      tests/Status499.Telemetry.Tests (OpenTelemetry export) on the same three, then tests/Status499.Analyzers.Tests
#   4. tests/package/check.sh: pack, check the .nupkg/.snupkg, a fresh `dotnet new web` app using the package
#   5. tests/Status499.AotApp/check.sh: a Native AOT publish of an app using the library, run and checked
#
# .ci/run (CI) runs exactly this script. Pass test filters through to dotnet test with e.g.
# `./test.sh --filter "FullyQualifiedName!~RealClients"` (the script checks still run).
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export CONFIGURATION=Release
FRAMEWORKS=(net8.0 net9.0 net10.0)

# ---------------------------------------------------------------------------------------------------------------------
# System packages the tests need (Debian package names), installed with ONE apt-get install line below. Add to this list.
#   chromium           the ArcGIS Maps SDK test (tests/Status499.Tests/RealClients)
#   clang, zlib1g-dev  the Native AOT publish (tests/Status499.AotApp)
#   curl, unzip        the package and AOT checks
#   redis-server       the two-instance generateToken lockout test (it starts its own server on a free port)
#   gdal-bin           GDAL's ogrinfo/ogr2ogr against the demo's feature service (tests/Status499.Tests/RealClients)
#   nginx              round robin over two gateway instances (Gateway/GatewayNginxTests; each test starts its own nginx
#                      on a free port, so the package's service need not run)
#   python3-qgis,      QGIS 3.22 headless (tests/clients/qgis/read-layer.py, RealClients/QgisClientTests and the gateway's):
#   qgis-providers     its arcgisfeatureserver provider and EsriToken auth method are in qgis-providers
APT_PACKAGES=(chromium clang zlib1g-dev curl unzip redis-server gdal-bin nginx python3-qgis qgis-providers)
# ---------------------------------------------------------------------------------------------------------------------

step() { echo "==> $*"; }
passed=0; failed=0; skipped=0
setup_failures=()

missing=()
# No grep -q (or head) reading a pipe anywhere here: under pipefail the writer's SIGPIPE fails the pipeline.
for p in "${APT_PACKAGES[@]}"; do
  installed="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)"
  [[ "$installed" == *"install ok installed"* ]] || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  step "installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  apt_log="$(mktemp)"
  $sudo apt-get update -q >"$apt_log" 2>&1
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" 2>&1 \
    | tee -a "$apt_log" | grep --line-buffered -E '^(Setting up|E:)'
  if [ "${PIPESTATUS[0]}" -eq 0 ]; then
    step "installed ${missing[*]}"
  else
    tail -20 "$apt_log"
    setup_failures+=("apt-get install ${missing[*]}")
  fi
  rm -f "$apt_log"
else
  step "Debian packages present: ${APT_PACKAGES[*]}"
fi

# Services the tests need (e.g. a server installed above) are started here, before the build, and stopped by PID on exit.

# The Node clients for the real-client tests. npm writes node_modules/.package-lock.json when an install completes.
if [ ! tests/clients/node_modules/.package-lock.json -nt tests/clients/package-lock.json ]; then
  step "npm ci in tests/clients (about a minute)"
  (cd tests/clients && npm ci --no-audit --no-fund --loglevel=error) || setup_failures+=("npm ci in tests/clients")
fi
# The Maps SDK test page the test host serves at /maps-sdk/ (tests/clients/maps-sdk/dist), rebuilt when its sources change.
dist=tests/clients/maps-sdk/dist
if [ ! -f "$dist/index.html" ] || [ ! -d "$dist/assets/esri" ] \
   || [ -n "$(find tests/clients/maps-sdk -path "$dist" -prune -o -type f -newer "$dist/index.html" -print -quit)" ]; then
  step "building the ArcGIS Maps SDK test page (tests/clients/maps-sdk)"
  (cd tests/clients && node maps-sdk/build.mjs) || setup_failures+=("node maps-sdk/build.mjs")
fi

step "dotnet build Status499.sln -c $CONFIGURATION"
if ! dotnet build Status499.sln -c "$CONFIGURATION" -nologo -v:minimal; then
  echo "0 passed, 1 failed"
  exit 1
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
count_trx() {
  local trx="$1" counters p f nx
  counters="$(grep -o -m 1 '<Counters [^>]*>' "$trx")"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  nx="$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")"
  echo "${p:-0} ${f:-0} ${nx:-0}"
}
declare -A per_runtime
summary_order=()
# One dotnet test run of a project (on one target framework, or its only one), counted from its .trx file.
# Filters and other dotnet test options ("$@") apply to the library's tests, not to the analyzer tests.
run_tests() {
  local name="$1" project="$2" tfm="$3" status p f nx trx
  shift 3
  trx="${name// /-}.trx"
  step "tests: $name"
  dotnet test "$project" -c "$CONFIGURATION" --no-build ${tfm:+-f "$tfm"} \
    --logger "trx;LogFileName=$trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@"
  status=$?
  read -r p f nx < <( [ -f "$results/$trx" ] && count_trx "$results/$trx" || echo "0 0 0" )
  # A run that failed without failing a test (a crash, a hang, no result file) counts as one failure.
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + nx))
  per_runtime[$name]="passed $p, failed $f, skipped $nx"; summary_order+=("$name")
}
for tfm in "${FRAMEWORKS[@]}"; do
  run_tests "$tfm" tests/Status499.Tests "$tfm" "$@"
done
# The OpenTelemetry export tests: a project of their own, since OpenTelemetry brings its own DiagnosticSource.
for tfm in "${FRAMEWORKS[@]}"; do
  run_tests "telemetry $tfm" tests/Status499.Telemetry.Tests "$tfm" "$@"
done
run_tests analyzers tests/Status499.Analyzers.Tests ""

run_checks() {
  local name="$1" script="$2" out status p f
  step "$name"
  out="$(mktemp)"
  bash "$script" | tee "$out"
  status=${PIPESTATUS[0]}
  p=$(grep -c '^PASS ' "$out"); f=$(grep -c '^FAIL ' "$out")
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
  per_runtime[$name]="passed $p, failed $f"; summary_order+=("$name")
  rm -f "$out"
}
run_checks "package checks" tests/package/check.sh
run_checks "native AOT checks" tests/Status499.AotApp/check.sh

failed=$((failed + ${#setup_failures[@]}))
echo
for key in "${summary_order[@]}"; do
  echo "  $key -- ${per_runtime[$key]}"
done
for s in "${setup_failures[@]}"; do echo "  setup failed: $s"; done
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
