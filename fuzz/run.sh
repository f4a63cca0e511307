#!/usr/bin/env bash
# The long fuzz runs: SharpFuzz instruments the appliance's assemblies, AFL++ drives each target from its seed
# corpus (fuzz/corpus/TARGET). The test command only replays the corpus (tests/Appliance.Tests/Fuzz); this script
# is run by hand, for hours if you like, and its figures go into docs/fuzzing.md.
#
#   fuzz/run.sh [TARGET...]          every target when none is named (Appliance.Fuzz list prints them)
#   EXECS=1000000                     AFL++'s -E: stop each target after about this many executions
#   SECONDS_PER_TARGET=0              AFL++'s -V: stop after this many seconds instead (0: no time limit)
#   FUZZ_OUT=fuzz/out                 findings: FUZZ_OUT/TARGET/default/{crashes,hangs,queue,fuzzer_stats}
#
# A crash is an input under FUZZ_OUT/TARGET/default/crashes/; replay it with the uninstrumented build (the
# instrumented one in FUZZ_OUT/bin only runs under afl-fuzz):
#   dotnet fuzz/Appliance.Fuzz/bin/Release/net10.0/Appliance.Fuzz.dll replay TARGET FILE
# then copy it into fuzz/corpus/TARGET/ so the tests keep it once the bug is fixed.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="${FUZZ_OUT:-$here/out}"
execs="${EXECS:-1000000}"
seconds="${SECONDS_PER_TARGET:-0}"

command -v afl-fuzz >/dev/null || { apt-get update -qq && apt-get install -y -qq afl++ >/dev/null; }
export PATH="$PATH:$HOME/.dotnet/tools"
command -v sharpfuzz >/dev/null || dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0 >/dev/null

# A fresh, instrumented copy: sharpfuzz rewrites the assemblies in place, never the build output.
rm -rf "${out:?}/bin"
dotnet publish "$here/Appliance.Fuzz/Appliance.Fuzz.csproj" -c Release -o "$out/bin" --nologo -v quiet
for assembly in Appliance.Core.dll appliance.dll; do
  sharpfuzz "$out/bin/$assembly" >/dev/null
done

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(dotnet "$out/bin/Appliance.Fuzz.dll" list | awk '{print $1}')
fi

# AFL++ checks the binary for its own instrumentation, which a .NET program has not: SharpFuzz supplies it.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
limits=(-E "$execs")
[ "$seconds" != 0 ] && limits+=(-V "$seconds")

summary="$out/summary.tsv"
printf 'target\texecs_done\tseconds\texecs_per_sec\tcorpus_count\tsaved_crashes\tsaved_hangs\tedges_found\n' > "$summary"
for target in "${targets[@]}"; do
  mkdir -p "$out/$target"
  echo "== $target: up to $execs execs"
  # -t: generous, the first input pays for the JIT. -x: the target's dictionary, when it has one.
  dict=()
  [ -f "$here/dict/$target.dict" ] && dict=(-x "$here/dict/$target.dict")
  afl-fuzz -i "$here/corpus/$target" -o "$out/$target" -t 5000 -m none "${limits[@]}" "${dict[@]}" \
    -- "$out/bin/Appliance.Fuzz" "$target" > "$out/$target/afl.log" 2>&1 || { echo "afl-fuzz failed: $out/$target/afl.log"; tail -20 "$out/$target/afl.log"; }
  stats="$out/$target/default/fuzzer_stats"
  if [ -f "$stats" ]; then
    get() { awk -F' *: *' -v k="$1" '$1 == k {print $2}' "$stats"; }
    start=$(get start_time); last=$(get last_update)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$(get execs_done)" "$((last - start))" "$(get execs_per_sec)" \
      "$(get corpus_count)" "$(get saved_crashes)" "$(get saved_hangs)" "$(get edges_found)" >> "$summary"
  fi
done
column -t "$summary"
