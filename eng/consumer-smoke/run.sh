#!/usr/bin/env bash
# Consumer smoke test: packs MetaLearn, builds a throwaway console app OUTSIDE the repository that
# references the packed package (plus TorchSharp-cpu), and checks that TorchSharp's native shim loads
# and computes a correct second-order gradient, and that a MAML learner meta-trained by the app, saved and loaded in a
# fresh process predicts the same classes and probabilities within 1e-6, both with `dotnet run` and from `dotnet publish` output.
# See eng/consumer-smoke/README.md.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
tolerance="1e-9"
start_seconds=$SECONDS

version="1.0.0-smoke.$(date +%s).$$"
work="$(mktemp -d "${TMPDIR:-/tmp}/metalearn-consumer-smoke.XXXXXX")"
feed="$work/feed"
app="$work/app"
nuget_cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"

cleanup() {
  rm -rf -- "$work"
  # The unique smoke version is useless once the run is over; drop only that one cache entry.
  rm -rf -- "$nuget_cache/metalearn/$version"
}
trap cleanup EXIT

# Prints the errors (or, if none are tagged, the tail) of an MSBuild log.
show_log() {
  grep -E ': (error|warning) ' "$1" | sort -u >&2 || tail -n 40 "$1" >&2
}

# Prints the loader's complaints about unmet, non-weak GLIBCXX version requirements of a native library
# (none: prints nothing). A requirement the fix made weak shows up as "weak version ... not found": harmless.
glibcxx_errors() {
  LD_LIBRARY_PATH="$(dirname "$1")" ldd -r "$1" 2>&1 | grep -F "version \`GLIBCXX_" | grep -vF "weak version" || true
}

fail() {
  echo "consumer-smoke: FAIL: $*" >&2
  exit 1
}

case "$work" in
  "$repo_root"/*) fail "temp dir $work is inside the repository; set TMPDIR elsewhere" ;;
esac

echo "consumer-smoke: packing MetaLearn $version -> $feed"
dotnet pack "$repo_root/src/MetaLearn" -c Release -o "$feed" -p:Version="$version" -nologo -v:quiet \
  || fail "dotnet pack failed"
nupkg="$feed/MetaLearn.$version.nupkg"
[[ -f "$nupkg" ]] || fail "expected package $nupkg was not produced"
for entry in buildTransitive/MetaLearn.targets buildTransitive/ElfVersionPatcher.cs; do
  unzip -l "$nupkg" "$entry" >/dev/null 2>&1 || fail "$nupkg lacks $entry"
done

echo "consumer-smoke: creating consumer app in $app"
mkdir -p "$app"
sed "s/@METALEARN_VERSION@/$version/g" "$script_dir/app/ConsumerSmoke.csproj.template" > "$app/ConsumerSmoke.csproj"
cp "$script_dir/app/Program.cs" "$app/Program.cs"
# Adds the local feed; no <clear/>, so the machine's default sources stay available.
cat > "$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$feed" />
  </packageSources>
</configuration>
XML

# Runs the app ($@ = command), checks its output; $1 = label, $2 = directory the shim must be loaded from.
check_app() {
  local label="$1" expected_dir="$2"
  shift 2
  local out="$work/$label.out" err="$work/$label.err"
  if ! "$@" >"$out" 2>"$err"; then
    echo "consumer-smoke: $label: app exited non-zero; stdout:" >&2
    cat "$out" >&2
    echo "consumer-smoke: $label: stderr:" >&2
    cat "$err" >&2
    fail "$label: the app did not run (native shim failed to load?)"
  fi
  local value expected shim
  value="$(sed -n 's/^second_derivative=//p' "$out")"
  expected="$(sed -n 's/^expected=//p' "$out")"
  shim="$(sed -n 's/^native_shim=//p' "$out")"
  if [[ -z "$value" || -z "$expected" ]]; then
    cat "$out" >&2
    cat "$err" >&2
    fail "$label: app output lacks second_derivative= or expected="
  fi
  case "$shim" in
    "$expected_dir"/*) ;;
    *) cat "$out" >&2; fail "$label: libLibTorchSharp.so was loaded from '$shim', not from the app output $expected_dir" ;;
  esac
  local number='^[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$'
  [[ "$value" =~ $number && "$expected" =~ $number ]] \
    || fail "$label: second_derivative=$value or expected=$expected is not a finite number"
  if ! awk -v a="$value" -v b="$expected" -v t="$tolerance" \
      'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; then
    fail "$label: second_derivative=$value differs from expected=$expected by more than $tolerance"
  fi
  local roundtrip
  roundtrip="$(sed -n 's/^learner_roundtrip=//p' "$out")"
  if [[ "$roundtrip" != "same" ]]; then
    cat "$out" >&2
    cat "$err" >&2
    fail "$label: the learner saved by the app did not predict the same classes and probabilities within 1e-6 in a fresh process (learner_roundtrip=$roundtrip)"
  fi
  local weights
  weights="$(sed -n 's/^pytorch_weights_roundtrip=//p' "$out")"
  if [[ "$weights" != "identical" ]]; then
    cat "$out" >&2
    cat "$err" >&2
    fail "$label: PyTorch weights saved and loaded by the app differ (pytorch_weights_roundtrip=$weights)"
  fi
  local unmet
  unmet="$(glibcxx_errors "$shim")"
  [[ -z "$unmet" ]] || fail "$label: the loaded shim still has an unmet requirement: $unmet"
  echo "consumer-smoke: $label: second_derivative=$value expected=$expected shim=$shim"
  echo "consumer-smoke: $label: $(grep -E '^learner_(training|bytes|max_abs_difference)=' "$out" | tr '\n' ' ')learner_roundtrip=$roundtrip pytorch_weights_roundtrip=$weights"
}

echo "consumer-smoke: dotnet build + dotnet run"
dotnet build "$app" -c Release -nologo -v:normal >"$work/build.log" 2>&1 \
  || { show_log "$work/build.log"; fail "dotnet build of the consumer app failed"; }
grep -F "MetaLearn: " "$work/build.log" | sed 's/^ */consumer-smoke: build: /' || true
check_app run "$app/bin" dotnet run --project "$app" -c Release --no-build --no-launch-profile

echo "consumer-smoke: dotnet publish + run published app"
publish_dir="$work/publish"
dotnet publish "$app" -c Release -nologo -v:normal -o "$publish_dir" >"$work/publish.log" 2>&1 \
  || { show_log "$work/publish.log"; fail "dotnet publish of the consumer app failed"; }
grep -F "MetaLearn: " "$work/publish.log" | sed 's/^ */consumer-smoke: publish: /' || true
check_app publish "$publish_dir" dotnet "$publish_dir/ConsumerSmoke.dll"

# Control: on a machine whose libstdc++ lacks GLIBCXX_3.4.32, the same app with the fix switched off must
# fail to load the shim; otherwise the checks above would prove nothing about the fix.
libstdcxx="$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ && !found { print $NF; found = 1 }')"
control="skipped (system libstdc++ provides GLIBCXX_3.4.32 or was not found)"
if [[ -n "$libstdcxx" && -f "$libstdcxx" ]] && ! grep -qa 'GLIBCXX_3\.4\.32' "$libstdcxx"; then
  echo "consumer-smoke: control: $libstdcxx lacks GLIBCXX_3.4.32; building with MetaLearnWeakenGlibcxx=false"
  unpatched="$work/unpatched"
  dotnet build "$app" -c Release -nologo -v:quiet -p:MetaLearnWeakenGlibcxx=false -o "$unpatched" >"$work/control.log" 2>&1 \
    || { show_log "$work/control.log"; fail "control: dotnet build with MetaLearnWeakenGlibcxx=false failed"; }
  # Run through an inner shell whose stderr is discarded, so an abort is not reported as a job message.
  if bash -c '"$@" >"$0.out" 2>"$0.err"' "$work/control" dotnet "$unpatched/ConsumerSmoke.dll" 2>/dev/null; then
    cat "$work/control.out" >&2
    fail "control: the unpatched app ran, so this machine does not need the fix and the smoke test proves nothing"
  fi
  grep -q 'Failed to load native component .*libLibTorchSharp\.so' "$work/control.out" "$work/control.err" \
    || { cat "$work/control.out" "$work/control.err" >&2; fail "control: the unpatched app failed, but not while loading libLibTorchSharp.so"; }
  # TorchSharp does not pass on dlerror(); ask the loader directly why the unpatched shim cannot load.
  unmet="$(glibcxx_errors "$unpatched/runtimes/linux-x64/native/libLibTorchSharp.so")"
  [[ "$unmet" == *GLIBCXX_3.4.32* ]] \
    || fail "control: the unpatched shim failed to load, but ldd reports no missing GLIBCXX_3.4.32"
  control="unpatched build fails with GLIBCXX_3.4.32 as expected"
  echo "consumer-smoke: control: $control"
fi

echo "consumer-smoke: OK MetaLearn $version consumed from a local feed; second derivative matches within $tolerance and a meta-trained learner saved, reloaded in a fresh process and adapted predicts the same classes and probabilities within 1e-6, for dotnet run and published app; control: $control ($((SECONDS - start_seconds))s)"
