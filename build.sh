#!/usr/bin/env bash
# MaceTools build entry point. Tasks:
#   ./build.sh [build]   Release build; lays out out/MaceTools (the module, with its driver worker in worker/), out/cli/macetools
#                        (the command line, with the bench and fuzz verbs), out/agents/linux-x64 and linux-arm64 (the self-contained agents
#                        ssh hosts run) and out/MaceTools.<version>.nupkg (Install-PSResource's package)
#   ./build.sh test      installs what the tests need, builds, runs every test; ends with "N passed, N failed, N skipped"
#   ./build.sh deps      installs only what the tests need: Debian packages, pinned pwsh and Pester in .tools/
#   ./build.sh pester    runs the Pester suite alone against the built out/MaceTools (-Path FILE for one file)
#   ./build.sh demo      the README's main job: converts examples/paddleocr's model, compiles it for the local device, verifies, times and
#                        tunes it, validates the model against ONNX Runtime and times it with default and tuned sizes; writes those
#                        results as out/demo-report.html
#   ./build.sh bench     fuzzers (codec, deployment files, inventories: 100,000 cases each); benchmarks: codec throughput and memory; OpenCL start-up, load overhead, parallel and warm builds;
#                        GFLOP/s per kernel against a C# loop and the device peak
#   ./build.sh manifest  regenerates the checked-in MaceTools.psd1 from the cmdlet metadata
#   ./build.sh markdown  creates/updates docs/help/*.md parameter blocks from the cmdlet metadata
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
CONFIG=Release
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '==> %s\n' "$*" >&2; }

need_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "build.sh: the .NET SDK (10.0) is required: https://dot.net (it is not in Debian's archive)" >&2
    exit 2
  fi
}

# Debian packages the tests use; installed only when missing, as root or through sudo.
# MACETOOLS_PRETEND_MISSING="pkg ..." treats those packages as missing too, so a test can run the install path for real.
ensure_packages() {
  local missing=()
  have_lib() { ldconfig -p 2>/dev/null | grep -q "$1 " || [ -e "/usr/lib/x86_64-linux-gnu/$1" ] || [ -e "/lib/x86_64-linux-gnu/$1" ]; }
  have_lib libz.so.1 || missing+=(zlib1g)
  # OpenCL: the ICD loader (libOpenCL.so.1) and pocl, a real OpenCL 3.0 driver on the CPU; clinfo to look at it.
  have_lib libOpenCL.so.1 || missing+=(ocl-icd-libopencl1)
  [ -e /etc/OpenCL/vendors/pocl.icd ] || missing+=(pocl-opencl-icd)
  command -v clinfo >/dev/null 2>&1 || missing+=(clinfo)
  # adb: the Android tests run the real adb client and server against a device stand-in on a loopback port.
  command -v adb >/dev/null 2>&1 || missing+=(adb)
  # ONNX's single-operator node tests (model.onnx + reference input/output tensors) for the ONNX reader and per-op tests.
  [ -d /usr/share/libonnx-testdata/data/node ] || missing+=(libonnx-testdata)
  # Remote tests: real sshd servers in network namespaces (tests/MaceTools.Tests/Remote/SshFleet.cs), reached with the OpenSSH client.
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  # The report's viewer test loads a page in headless Chromium; Liberation Sans is metric-compatible with the Arial the
  # charts are measured for (without it Chromium falls back to a wider face and long labels crowd the axis).
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  [ -e /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] || missing+=(fonts-liberation)
  # The arm64 test host (tests/Pester/Arm64Vm.psm1): a Debian arm64 root made by debootstrap's first stage and unpacked
  # with dpkg-deb (tests/vm/arm64-image.sh), booted under qemu-system-aarch64; qemu-aarch64-static runs its ldconfig and
  # the agent discovery floor test; cpio packs its initrd; mke2fs writes its disk without a mount.
  command -v qemu-system-aarch64 >/dev/null 2>&1 || missing+=(qemu-system-arm)
  command -v qemu-aarch64-static >/dev/null 2>&1 || missing+=(qemu-user-static)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  command -v cpio >/dev/null 2>&1 || missing+=(cpio)
  command -v mke2fs >/dev/null 2>&1 || missing+=(e2fsprogs)
  # pwsh (a .NET tool) needs ICU for its globalization.
  ls /usr/lib/x86_64-linux-gnu/libicuuc.so.* >/dev/null 2>&1 || missing+=(libicu72)
  # shellcheck disable=SC2206
  missing+=(${MACETOOLS_PRETEND_MISSING:-})
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  # env sets the variable for apt-get whether or not sudo stands before it (a bare VAR=x after an empty word is a command).
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get)
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "build.sh: missing packages ${missing[*]}: run as root or install sudo" >&2; exit 2; }
    apt=(sudo "${apt[@]}")
  fi
  "${apt[@]}" update -qq
  "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Real PowerShell and Pester for the Pester suite, pinned, in the git-ignored .tools/ (NuGet only: no other host).
PWSH_VERSION=7.6.10
PWSH="$ROOT/.tools/pwsh/pwsh"
ensure_test_tools() {
  need_dotnet
  if [ ! -x "$PWSH" ] || ! grep -qx "$PWSH_VERSION" "$ROOT/.tools/pwsh/.version" 2>/dev/null; then
    say "installing PowerShell $PWSH_VERSION (.NET tool) into .tools/pwsh"
    rm -rf "$ROOT/.tools/pwsh"
    dotnet tool install --tool-path "$ROOT/.tools/pwsh" PowerShell --version "$PWSH_VERSION" >/dev/null
    echo "$PWSH_VERSION" > "$ROOT/.tools/pwsh/.version"
  fi
  # Pester's version is pinned in tools/TestTools/TestTools.proj; the restore is a no-op when it is there.
  dotnet restore "$ROOT/tools/TestTools/TestTools.proj" --packages "$ROOT/.tools/nuget" -v:q -nologo >/dev/null
}

build_tool() { dotnet "$ROOT/tools/MaceTools.Build/bin/$CONFIG/net10.0/MaceTools.Build.dll" "$@" --repo "$ROOT"; }

build() {
  need_dotnet
  say "building MaceTools.sln ($CONFIG)"
  dotnet build MaceTools.sln -c "$CONFIG" -nologo -clp:NoSummary -v:q
  say "laying out out/MaceTools"
  build_tool layout --configuration "$CONFIG"
  say "publishing out/cli/macetools"
  dotnet publish src/MaceTools.Cli -c "$CONFIG" -o out/cli -nologo -v:q --no-build
  # The agents ssh hosts run (src/MaceTools.Core/Remote/AgentSet.cs): self-contained, so a board needs no .NET of its own,
  # one per architecture a host's uname -m may report. Not trimmed: the trim analyser flags the agent's reflection-based
  # JSON (IL2026), so trimming is not safe. Each carries only its own platform's native libraries.
  local rid
  for rid in linux-x64 linux-arm64; do
    say "publishing out/agents/$rid (self-contained)"
    rm -rf "out/agents/$rid"
    dotnet publish src/MaceTools.Cli -c "$CONFIG" -r "$rid" --self-contained -o "out/agents/$rid" -nologo -v:q
  done
  # The ssh test fleet as a process (Pester's Start-MaceTestFleet); beside the module, never in it.
  dotnet publish tests/MaceTools.TestHosts -c "$CONFIG" -o out/testhosts -nologo -v:q --no-build
  # `macetools bench` and `fuzz` load MaceTools.Bench.dll from beside the CLI; the module's worker copy goes without it.
  cp "bench/MaceTools.Bench/bin/$CONFIG/net10.0/MaceTools.Bench.dll" out/cli/
  package
}

# out/MaceTools.<version>.nupkg: what Install-PSResource installs, written by Publish-PSResource in pwsh (PSResourceGet).
package() {
  local pwsh="$PWSH"
  [ -x "$pwsh" ] || pwsh=$(command -v pwsh || true)
  if [ -z "$pwsh" ]; then say "no pwsh (./build.sh deps installs it): out/MaceTools.*.nupkg not written"; return 0; fi
  say "packing out/MaceTools.*.nupkg (Publish-PSResource)"
  rm -f out/MaceTools.*.nupkg
  local scratch; scratch=$(mktemp -d)
  # A scratch XDG_DATA_HOME: the throw-away repository registration never touches the user's own list.
  XDG_DATA_HOME="$scratch" "$pwsh" -NoProfile -NonInteractive -File tools/Package/Publish-MaceModule.ps1 -ModulePath "$ROOT/out/MaceTools" -OutDir "$ROOT/out" >/dev/null
  rm -rf "$scratch"
}

run_tests() {
  ensure_packages
  ensure_test_tools
  build
  local results="$ROOT/out/test-results"
  rm -rf "$results"
  say "running xunit tests"
  set +e
  # Chromium was installed above: the viewer tests fail, instead of skipping, if it is missing after all.
  MACETOOLS_REQUIRE_CHROMIUM=1 dotnet test tests/MaceTools.Tests -c "$CONFIG" --no-build -nologo \
    --logger "trx;LogFileName=xunit.trx" --logger "console;verbosity=minimal" --results-directory "$results" 2>&1 | tail -n 400
  set -e
  local trx="$results/xunit.trx"
  if [ ! -f "$trx" ]; then echo "build.sh: no test results ($trx)" >&2; echo "0 passed, 1 failed"; exit 1; fi
  local counters passed failed total executed skipped
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  attr() { printf '%s' "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(attr total); executed=$(attr executed); passed=$(attr passed); failed=$(( $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted) ))
  skipped=$(( total - executed ))

  # Pester in real pwsh: what only PowerShell shows (binding, prompts, completion, formatting, Get-Help, help examples).
  say "running Pester in pwsh $PWSH_VERSION"
  local pp=0 pf=1 ps=0
  "$PWSH" -NoProfile -NonInteractive -File tests/Pester/Invoke-MacePester.ps1 -ResultFile "$results/pester.counts" 2>&1 | tee "$results/pester.log" | tail -n 200 || true
  if [ -f "$results/pester.counts" ]; then read -r pp pf ps < "$results/pester.counts"; else echo "build.sh: Pester wrote no counts (see $results/pester.log)" >&2; fi
  say "xunit: $passed passed, $failed failed, $skipped skipped; Pester: $pp passed, $pf failed, $ps skipped"
  passed=$((passed + pp)); failed=$((failed + pf)); skipped=$((skipped + ps))
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

demo() {
  ensure_packages
  build
  local m="$ROOT/out/cli/macetools" cfg="examples/paddleocr/mace.yml"
  local tmp; tmp=$(mktemp -d)
  say "macetools device list   (the local OpenCL devices and how MACE identifies them)"
  "$m" device list
  say "macetools kernel list --config $cfg   (PaddleOCR's direction classifier converted to MACE's kernels; first rows)"
  "$m" kernel list --config "$cfg" > "$tmp/kernels.txt"
  head -n 8 "$tmp/kernels.txt"
  say "... $(($(wc -l < "$tmp/kernels.txt") - 2)) kernel launches in all"
  say "macetools program new --config $cfg --dest $tmp   (every program of the model compiled for the local device)"
  "$m" program new --config "$cfg" --dest "$tmp" --cache-dir "$tmp/cache" >/dev/null
  local made; made=$(ls "$tmp"/paddleocr_cls_compiled_opencl_kernel.*.bin)
  say "macetools program test $made --device 0   (MACE's rules for the device, and every entry loaded on it in a worker)"
  "$m" program test "$made" --device 0 || true
  # The report's input: each verb's --json lines (results on stdout), collected as a CI job would; their stderr shows
  # here without the verbose lines.
  local results="$tmp/results.jsonl"
  quiet() { grep -v '^{"verbose":' >&2 || true; }
  "$m" program test "$made" --device 0 --json >> "$results" 2>/dev/null || true
  say "macetools program measure $made --device 0 --config $cfg --json   (start-up with and without the file, and the time to first inference)"
  "$m" program measure "$made" --device 0 --repeat 3 --config "$cfg" --json > "$tmp/measure.jsonl" 2> >(quiet)
  cat "$tmp/measure.jsonl" >> "$results"
  sed -n 's/.*"withoutFileMs":\([0-9]*\)[.0-9]*,"withFileMs":\([0-9]*\)[.0-9]*,"speedup":\([0-9]*\.\{0,1\}[0-9]\{0,1\}\).*/start-up: \1 ms without the file, \2 ms with it (\3x faster); the programs and the first inference are in the report/p' "$tmp/measure.jsonl"
  say "macetools tune --config $cfg --dest $tmp --json   (every kernel's work-group size searched on the device; MACE's tuned-parameter file)"
  "$m" tune --config "$cfg" --dest "$tmp" --json > "$tmp/tune.jsonl" 2> >(quiet)
  cat "$tmp/tune.jsonl" >> "$results"
  # The tuner's summary line: the re-timed total against MACE's default sizes, with its 95% interval (a tie keeps the default).
  local summary; summary=$(grep '"\$type":"MaceTuningSummary"' "$tmp/tune.jsonl" | head -n 1)
  field() { grep -o "\"$1\":[-0-9.]*" <<< "$summary" | head -n 1 | cut -d: -f2; }
  [ -n "$summary" ] && printf 'tuning, each kernel re-timed alone against MACE'"'"'s default sizes: %.1f%% faster [%.1f, %.1f] over %s kernels (%s measurably faster, %s ties kept at the default)\n' \
    "$(field gainPercent)" "$(field gainLowPercent)" "$(field gainHighPercent)" "$(field kernels)" "$(field faster)" "$(field noMeasurableGain)"
  # The file end to end: the sizes kept after timing every key's candidates inside the model, against the default sizes in fresh pairs.
  local ctx; ctx=$(grep -c '"inContext":true' <<< "$summary" || true)
  [ "$ctx" = 1 ] && [ "$(field modelPairs)" != 0 ] && printf 'tuning, the whole model re-timed end to end against MACE'"'"'s default sizes: %.1f%% [%.1f, %.1f] %s (%s keys changed after timing in context)\n' \
    "$(field modelGainPercent)" "$(field modelGainLowPercent)" "$(field modelGainHighPercent)" "$(grep -o '"modelVerdict":"[A-Za-z]*"' <<< "$summary" | cut -d'"' -f4)" "$(field contextChanged)"
  [ "$ctx" = 1 ] && [ "$(field modelPairs)" = 0 ] && echo "tuning, timed inside the model: no key's candidate was measurably faster than MACE's default there; the file keeps the default sizes (a tie)"
  local tuned; tuned=$(ls "$tmp"/paddleocr_cls_tuned_opencl_parameter.*.bin)
  "$m" tuning show "$tuned" | head -n 8
  say "... $(grep -vc MaceTuningSummary "$tmp/tune.jsonl") kernels tuned; each one's gain against MACE's default size is in the report"
  say "macetools program test $tuned --config $cfg   (does the tuned file hold every key the model's kernels look up?)"
  "$m" program test "$tuned" --config "$cfg" || true
  "$m" program test "$tuned" --config "$cfg" --json >> "$results" 2>/dev/null || true
  say "macetools program test examples/mace-files/*.bin --mace-version v1.1.1-0-g8c75d39   (real MACE files: what MACE v1.1.1 would do with them)"
  "$m" program test examples/mace-files/*.bin --mace-version v1.1.1-0-g8c75d39 || true
  "$m" program test examples/mace-files/*.bin --mace-version v1.1.1-0-g8c75d39 --json >> "$results" 2>/dev/null || true
  # The model itself on the device: validated against ONNX Runtime, then timed with MACE's default sizes and the tuned file.
  jfield() { grep -o "\"$1\":[^,}]*" <<< "$2" | head -n 1 | cut -d: -f2- | tr -d '"'; }
  say "macetools model validate --config $cfg --count 10 --json   (the model run on the device against ONNX Runtime's CPU provider, MACE's validate.py metrics)"
  "$m" model validate --config "$cfg" --count 10 --json > "$tmp/validate.jsonl" 2> >(quiet) || true
  cat "$tmp/validate.jsonl" >> "$results"
  while read -r line; do
    printf '%s: %s, cosine %s (threshold %s), pixel accuracy %s, max abs error %s over %s inputs\n' "$(jfield output "$line")" \
      "$([ "$(jfield passed "$line")" = true ] && echo passed || echo FAILED)" "$(jfield cosine "$line")" "$(jfield threshold "$line")" \
      "$(jfield pixelAccuracy "$line")" "$(jfield maxAbsError "$line")" "$(jfield samples "$line")"
  done < <(grep '"\$type":"MaceValidationResult"' "$tmp/validate.jsonl")
  say "macetools model measure --config $cfg --tuned-parameter $(basename "$tuned") --round 20 --json   (latency: default sizes, tuned, ONNX Runtime CPU in interleaved rounds)"
  "$m" model measure --config "$cfg" --tuned-parameter "$tuned" --round 20 --json > "$tmp/latency.jsonl" 2> >(quiet) || true
  cat "$tmp/latency.jsonl" >> "$results"
  while read -r line; do
    local gain=""
    [ "$(jfield gain "$line")" != null ] && gain=$(printf ', gain over default %.1f%% [%.1f, %.1f] %s' "$(jfield gainPercent "$line")" "$(jfield gainLowPercent "$line")" \
      "$(jfield gainHighPercent "$line")" "$(jfield verdict "$line")")
    local overhead=""  # ONNX Runtime has no kernel times, so no overhead
    [ "$(jfield kernelMs "$line")" != 0 ] && overhead=$(awk "BEGIN { printf \", host overhead %.1f%%\", 100 * $(jfield hostOverhead "$line") }")
    printf '%s: median %.2f ms [%.2f, %.2f], p90 %.2f ms%s, first inference %.1f ms%s\n' "$(jfield way "$line")" "$(jfield median "$line")" \
      "$(jfield medianLow "$line")" "$(jfield medianHigh "$line")" "$(jfield p90 "$line")" "$overhead" "$(jfield firstInferenceMs "$line")" "$gain"
  done < <(grep '"\$type":"MaceLatencyResult"' "$tmp/latency.jsonl")
  say "macetools report --in results.jsonl --out out/demo-report.html   (the results above as one HTML page: charts and tables)"
  cp "$results" "$ROOT/out/demo-results.jsonl"   # kept: the report's input, for rendering again or for a CI job's own report
  "$m" report --in "$results" --out "$ROOT/out/demo-report.html" --title "MaceTools demo: PaddleOCR's direction classifier on $(hostname)" >/dev/null
  echo "$ROOT/out/demo-report.html"
  # A picture of it where Chromium is installed (./build.sh deps installs it): what a reviewer sees without a browser.
  if command -v chromium >/dev/null 2>&1 && timeout 60 chromium --headless --disable-gpu --no-sandbox --hide-scrollbars --window-size=1200,3000 \
       --user-data-dir="$tmp/chromium" --screenshot="$ROOT/out/demo-report.png" "file://$ROOT/out/demo-report.html" >/dev/null 2>&1; then
    echo "$ROOT/out/demo-report.png"
  fi
  rm -rf "$tmp"
}

case "${1:-build}" in
  build) build ;;
  test) run_tests ;;
  demo) demo ;;
  bench) ensure_packages; build; "$ROOT/out/cli/macetools" fuzz codec; "$ROOT/out/cli/macetools" fuzz config; "$ROOT/out/cli/macetools" fuzz inventory; "$ROOT/out/cli/macetools" bench codec; "$ROOT/out/cli/macetools" bench opencl; "$ROOT/out/cli/macetools" bench kernels; "$ROOT/out/cli/macetools" bench convert; "$ROOT/out/cli/macetools" bench tune; "$ROOT/out/cli/macetools" bench model ;;
  manifest) need_dotnet; dotnet build tools/MaceTools.Build -c "$CONFIG" -v:q -nologo; dotnet build src/MaceTools -c "$CONFIG" -v:q -nologo; build_tool manifest ;;
  markdown) need_dotnet; dotnet build tools/MaceTools.Build -c "$CONFIG" -v:q -nologo; dotnet build src/MaceTools -c "$CONFIG" -v:q -nologo; build_tool markdown ;;
  deps) ensure_packages; ensure_test_tools ;;
  pester) ensure_test_tools; "$PWSH" -NoProfile -NonInteractive -File tests/Pester/Invoke-MacePester.ps1 "${@:2}" ;;
  *) echo "usage: ./build.sh [build|test|deps|pester [-Path FILE]|demo|bench|manifest|markdown]" >&2; exit 2 ;;
esac
