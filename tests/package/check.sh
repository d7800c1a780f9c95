#!/usr/bin/env bash
# Packs Status499 into artifacts/package and checks it as a user meets it: what the .nupkg and .snupkg hold (README,
# icon, XML docs, portable PDBs with SourceLink), then a fresh `dotnet new web` app that installs the package from that
# folder, uses it and runs on Kestrel. Prints PASS/FAIL lines (tests/scripts/lib.sh); exit code 0 unless one failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/scripts/lib.sh
configuration="${CONFIGURATION:-Release}"
feed="$PWD/artifacts/package"
work="$(mktemp -d)"
failed=0
trap 'stop_app; rm -rf "$work"' EXIT
check() { if eval "$2"; then pass "$1"; else fail "$1" "${3:-}"; failed=1; fi; }

rm -rf "$feed"
if ! dotnet pack src/Status499/Status499.csproj -c "$configuration" -o "$feed" -nologo >"$work/pack.log" 2>&1; then
  fail "package: dotnet pack succeeds" "$(grep -E 'error|warning' "$work/pack.log" | sort -u | head -20)"
  exit 1
fi
nupkg="$(ls "$feed"/Status499.*.nupkg | grep -v '\.snupkg$' | head -1)"
snupkg="${nupkg%.nupkg}.snupkg"
version="$(basename "$nupkg" .nupkg)"; version="${version#Status499.}"
echo "packed $(basename "$nupkg") and $(basename "$snupkg")"

# --- What the packages hold. ---
unzip -l "$nupkg" >"$work/nupkg.txt"
unzip -p "$nupkg" Status499.nuspec >"$work/nuspec.xml"
unzip -p "$nupkg" README.md >"$work/README.md"
expected_lib=""
for tfm in net8.0 net9.0 net10.0; do expected_lib="$expected_lib lib/$tfm/Status499.dll lib/$tfm/Status499.xml"; done
check "package: lib/net8.0, net9.0 and net10.0 each hold Status499.dll and its XML docs, plus README.md and icon.png" \
  'for f in $expected_lib README.md icon.png; do grep -q " $f\$" "$work/nupkg.txt" || exit 1; done' \
  "$(cat "$work/nupkg.txt")"
check "package: the nuspec names the licence, icon, README and the repository commit" \
  'grep -q "<license type=\"expression\">MIT</license>" "$work/nuspec.xml" && grep -q "<icon>icon.png</icon>" "$work/nuspec.xml" \
   && grep -q "<readme>README.md</readme>" "$work/nuspec.xml" \
   && grep -Eq "<repository type=\"git\" url=\"https://github.com/status499/status499\"[^>]* commit=\"[0-9a-f]{40}\"" "$work/nuspec.xml"' \
  "$(cat "$work/nuspec.xml")"
# A gallery shows the README out of the repository: every link must be absolute.
check "package: the packed README links only to absolute URLs" \
  '! grep -oE "\]\([^)]*\)" "$work/README.md" | grep -vE "^\]\((https://|#)"' \
  "$(grep -oE "\]\([^)]*\)" "$work/README.md" | grep -vE "^\]\((https://|#)")"
check "symbols: the .snupkg holds a portable PDB for net8.0, net9.0 and net10.0; the .nupkg holds none" \
  '[ -f "$snupkg" ] && for tfm in net8.0 net9.0 net10.0; do unzip -l "$snupkg" | grep -q " lib/$tfm/Status499.pdb\$" || exit 1; \
   [ "$(unzip -p "$snupkg" lib/$tfm/Status499.pdb | head -c 4)" = "BSJB" ] || exit 1; done; ! grep -q "\.pdb\$" "$work/nupkg.txt"' \
  "$(unzip -l "$snupkg" 2>&1)"
# SourceLink's JSON sits uncompressed in the PDB: {"documents":{"/_/*":"https://raw.githubusercontent.com/<owner>/<repo>/<commit>/*"}}.
commit="$(git rev-parse HEAD 2>/dev/null)"
sourcelink="$(unzip -p "$snupkg" lib/net10.0/Status499.pdb | grep -aoE '\{"documents":\{[^}]*\}\}' | head -1)"
check "symbols: SourceLink maps the sources to github.com/status499/status499 at the packed commit" \
  '[[ "$sourcelink" == *"\":\"https://raw.githubusercontent.com/status499/status499/$commit/*\""* ]]' \
  "SourceLink JSON: '$sourcelink', commit $commit"

# --- A newcomer: a fresh web app that installs the package from the folder feed. ---
app="$work/Newcomer"
# The folder feed is added to the machine's own package sources (which serve the framework's packages); a packages
# folder of its own keeps an older build of the same version in the machine's cache from being used instead.
cat >"$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config>
    <add key="globalPackagesFolder" value="$work/packages" />
  </config>
  <packageSources>
    <add key="status499-local" value="$feed" />
  </packageSources>
</configuration>
XML
if ! (dotnet new web -n Newcomer -o "$app" >"$work/new.log" 2>&1 \
      && cd "$app" && dotnet add package Status499 --version "$version" >>"$work/new.log" 2>&1); then
  fail "newcomer: dotnet new web + dotnet add package Status499 --version $version" "$(tail -20 "$work/new.log")"
  exit 1
fi
check "newcomer: the package restored is the one just packed" \
  'cmp -s "$nupkg" "$work/packages/status499/$version/status499.$version.nupkg"' \
  "$(ls -R "$work/packages/status499" 2>&1 | head)"
cat >"$app/Program.cs" <<'CS'
using Status499;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddStatus499().AddStaticTokens("newcomer-token");

var app = builder.Build();
app.UseRouting();
app.UseStatus499();

app.MapGet("/", () => "Hello World!");
app.MapGet("/report", () => "report").RequireToken();

app.Run();
CS
if ! (cd "$app" && dotnet build -c "$configuration" -nologo >"$work/build.log" 2>&1); then
  fail "newcomer: the app builds" "$(grep -E 'error|warning' "$work/build.log" | sort -u | head -20)"
  exit 1
fi
if ! start_app dotnet "$app/bin/$configuration/net10.0/Newcomer.dll"; then
  fail "newcomer: the app starts on Kestrel" "$(tail -20 "$APP_LOG")"
  exit 1
fi
results="$(
  http_check "newcomer: a normal route answers 200" 200 "Hello World!" "$APP_URL/"
  http_check "newcomer: a token route without a token answers the ArcGIS 499 body" 200 \
    '{"error":{"code":499,"message":"Token Required"' "$APP_URL/report?f=json"
  http_check "newcomer: without f=json the status line is 499" 499 '"code":499' "$APP_URL/report"
  http_check "newcomer: with the token the route answers 200" 200 "report" "$APP_URL/report?token=newcomer-token"
)"
echo "$results"
echo "$results" | grep -q '^FAIL' && failed=1
exit "$failed"
