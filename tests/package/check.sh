#!/usr/bin/env bash
# Packs Status499 into artifacts/package and checks it as a user meets it: what the .nupkg and .snupkg hold (README,
# icon, XML docs, the analyzer, portable PDBs with SourceLink), then a fresh `dotnet new web` app that installs the
# package from that folder, uses it, gets the analyzer's warning for a careless handler and runs on Kestrel. Prints
# PASS/FAIL lines (tests/scripts/lib.sh); exit code 0 unless one failed. Each check runs in a subshell: a check that
# fails prints its FAIL line and the script goes on with the next one.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/scripts/lib.sh
configuration="${CONFIGURATION:-Release}"
feed="$PWD/artifacts/package"
work="$(mktemp -d)"
failed=0
trap 'stop_app; rm -rf "$work"' EXIT
check() { if (eval "$2"); then pass "$1"; else fail "$1" "${3:-}"; failed=1; fi; }

rm -rf "$feed"
if ! dotnet pack src/Status499/Status499.csproj -c "$configuration" -o "$feed" -nologo >"$work/pack.log" 2>&1; then
  fail "package: dotnet pack succeeds" "$(grep -E 'error|warning' "$work/pack.log" | sort -u | first 20)"
  exit 1
fi
nupkg=""
for f in "$feed"/Status499.*.nupkg; do [ -f "$f" ] && nupkg="$f"; done
if [ -z "$nupkg" ]; then
  fail "package: dotnet pack writes Status499.<version>.nupkg to $feed" "$(ls -l "$feed" 2>&1)"
  exit 1
fi
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
# The analyzer (docs/analyzers.md) and its code fix load in every C# project that references the package.
check "package: analyzers/dotnet/cs holds the analyzer and its code fix" \
  'grep -q " analyzers/dotnet/cs/Status499.Analyzers.dll\$" "$work/nupkg.txt" && grep -q " analyzers/dotnet/cs/Status499.Analyzers.CodeFixes.dll\$" "$work/nupkg.txt"' \
  "$(grep analyzers/ "$work/nupkg.txt")"
check "package: the nuspec names the licence, icon, README and the repository commit" \
  'grep -q "<license type=\"expression\">MIT</license>" "$work/nuspec.xml" && grep -q "<icon>icon.png</icon>" "$work/nuspec.xml" \
   && grep -q "<readme>README.md</readme>" "$work/nuspec.xml" \
   && grep -Eq "<repository type=\"git\" url=\"https://github.com/status499/status499\"[^>]* commit=\"[0-9a-f]{40}\"" "$work/nuspec.xml"' \
  "$(cat "$work/nuspec.xml")"
# A gallery shows the README out of the repository: every link must be absolute.
check "package: the packed README links only to absolute URLs" \
  '! grep -oE "\]\([^)]*\)" "$work/README.md" | grep -vE "^\]\((https://|#)"' \
  "$(grep -oE "\]\([^)]*\)" "$work/README.md" | grep -vE "^\]\((https://|#)")"
unzip -l "$snupkg" >"$work/snupkg.txt" 2>&1
check "symbols: the .snupkg holds a portable PDB for net8.0, net9.0 and net10.0; the .nupkg holds none" \
  '[ -f "$snupkg" ] && for tfm in net8.0 net9.0 net10.0; do grep -q " lib/$tfm/Status499.pdb\$" "$work/snupkg.txt" || exit 1; \
   unzip -p "$snupkg" lib/$tfm/Status499.pdb >"$work/$tfm.pdb" && [ "$(head -c 4 "$work/$tfm.pdb")" = "BSJB" ] || exit 1; done; \
   ! grep -q "\.pdb\$" "$work/nupkg.txt"' \
  "$(cat "$work/snupkg.txt")"
# SourceLink's JSON sits uncompressed in the PDB: {"documents":{"/_/*":"https://raw.githubusercontent.com/<owner>/<repo>/<commit>/*"}}.
commit="$(git rev-parse HEAD 2>/dev/null)"
unzip -p "$snupkg" lib/net10.0/Status499.pdb >"$work/sourcelink.pdb" 2>/dev/null
sourcelink="$(grep -aoE '\{"documents":\{[^}]*\}\}' "$work/sourcelink.pdb" | first 1)"
check "symbols: SourceLink maps the sources to github.com/status499/status499 at the packed commit" \
  '[[ "$sourcelink" == *"\":\"https://raw.githubusercontent.com/status499/status499/$commit/*\""* ]]' \
  "SourceLink JSON: '$sourcelink', commit $commit"

# --- A newcomer: a fresh web app that installs the package from the folder feed. ---
app="$work/Newcomer"
packages="$work/packages"
# The folder feed is added to the machine's own package sources (which serve the framework's packages); a packages
# folder of its own keeps an older build of the same version in the machine's cache from being used instead. It is
# passed on every restore (--package-directory, --packages): NUGET_PACKAGES, which CI caches commonly set, outranks
# the nuget.config's globalPackagesFolder.
cat >"$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config>
    <add key="globalPackagesFolder" value="$packages" />
  </config>
  <packageSources>
    <add key="status499-local" value="$feed" />
  </packageSources>
</configuration>
XML
if ! (dotnet new web -n Newcomer -o "$app" --no-restore >"$work/new.log" 2>&1 \
      && cd "$app" && dotnet add package Status499 --version "$version" --package-directory "$packages" >>"$work/new.log" 2>&1); then
  fail "newcomer: dotnet new web + dotnet add package Status499 --version $version" "$(tail -20 "$work/new.log")"
  exit 1
fi
check "newcomer: the package restored is the one just packed" \
  'cmp -s "$nupkg" "$packages/status499/$version/status499.$version.nupkg"' \
  "$(ls -R "$packages/status499" 2>&1 | first 10)"
# /careless is what S499001 is for: it awaits without the request's token, and the newcomer's build must say so.
cat >"$app/Program.cs" <<'CS'
using Status499;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddStatus499().AddStaticTokens("newcomer-token");

var app = builder.Build();
app.UseRouting();
app.UseStatus499();

app.MapGet("/", () => "Hello World!");
app.MapGet("/report", () => "report").RequireToken();
app.MapGet("/careless", async () =>
{
    await Task.Delay(100);
    return "finished";
});

app.Run();
CS
if ! (cd "$app" && dotnet restore --packages "$packages" >"$work/build.log" 2>&1 \
      && dotnet build -c "$configuration" --no-restore -nologo >>"$work/build.log" 2>&1); then
  fail "newcomer: the app builds" "$(grep -E 'error|warning' "$work/build.log" | sort -u | first 20)"
  exit 1
fi
check "newcomer: the build reports S499001 for the handler that awaits without the request's token" \
  'grep -Eq "Program\.cs\(14,[0-9]+\): warning S499001" "$work/build.log"' \
  "$(grep -E 'warning|error' "$work/build.log" | sort -u | first 20)"
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
# A here-string, not a pipe: grep -q may stop reading before echo is done (see tests/scripts/lib.sh).
grep -q '^FAIL' <<<"$results" && failed=1
exit "$failed"
