#!/usr/bin/env bash
# Times MetaLearn's benchmark program against the PyTorch reference, alternating runs on the same machine.
#
#   benchmarks/compare.sh <path/to/reference_maml.py> [workload ...]
#
# Workloads default to: sine-maml omniglot-conv4-maml makeclass-maml.
# Environment: RUNS (3), ITERATIONS (30; omniglot runs max(3, N/10) in both programs), THREADS (2),
#              METALEARN_ARGS (extra options for MetaLearn, e.g. "--per-task").
# Prints each run's ms per meta-iteration, the median of the MetaLearn/reference ratios and both final metrics.
set -euo pipefail

if [[ $# -lt 1 || ! -f "$1" ]]; then
    echo "usage: $0 <path/to/reference_maml.py> [workload ...]  (the reference script must exist)" >&2
    exit 2
fi
reference=$(realpath "$1")
shift
if [[ $# -gt 0 ]]; then workloads=("$@"); else workloads=(sine-maml omniglot-conv4-maml makeclass-maml); fi
runs=${RUNS:-3}
iterations=${ITERATIONS:-30}
threads=${THREADS:-2}
read -r -a metalearn_args <<< "${METALEARN_ARGS:-}"
python=/usr/bin/python3
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
project="$repo/benchmarks/MetaLearn.Benchmarks"
dll="$project/bin/Release/net10.0/MetaLearn.Benchmarks.dll"

if ! "$python" -c 'import torch, sklearn' 2>/dev/null; then
    echo "# installing python3-torch and python3-sklearn (the reference needs them)" >&2
    apt-get install -y python3-torch python3-sklearn >/dev/null || { apt-get update >/dev/null && apt-get install -y python3-torch python3-sklearn >/dev/null; }
fi

echo "# building MetaLearn.Benchmarks (Release)" >&2
dotnet build -c Release "$project" -v quiet -nologo >/dev/null

# field <line> <key>: the value of key=value in a result line, or n/a.
field() { local v; v=$(grep -o "$2=[^ ]*" <<< "$1" | head -n1 | cut -d= -f2); echo "${v:-n/a}"; }
median() { sort -g | awk 'NF { a[++n] = $1 } END { if (n == 0) { print "n/a" } else if (n % 2) { print a[(n + 1) / 2] } else { printf "%.3f\n", (a[n / 2] + a[n / 2 + 1]) / 2 } }'; }

echo "# $(uptime)"
echo "# runs=$runs iterations=$iterations threads=$threads metalearn_args=${METALEARN_ARGS:-} torch=$("$python" -c 'import torch; print(torch.__version__)')"
printf '%-22s %4s %14s %14s %8s\n' workload run metalearn_ms reference_ms ratio
summary=()
for w in "${workloads[@]}"; do
    ratios=()
    ml_metric=n/a
    ref_metric=n/a
    for ((r = 1; r <= runs; r++)); do
        ml_line=$(dotnet "$dll" --workload "$w" --iterations "$iterations" --threads "$threads" "${metalearn_args[@]}" 2>/dev/null | grep "^$w " || true)
        ref_line=$("$python" "$reference" --threads "$threads" --iters "$iterations" --only "$w" 2>/dev/null | grep "^$w " || true)
        ml_ms=$(field "$ml_line" ms_per_meta_iteration)
        ref_ms=$(field "$ref_line" ms_per_meta_iteration)
        ml_metric=$(field "$ml_line" final_metric)
        ref_metric=$(field "$ref_line" final_metric)
        ratio=n/a
        if [[ $ml_ms != n/a && $ref_ms != n/a ]]; then
            ratio=$(awk -v a="$ml_ms" -v b="$ref_ms" 'BEGIN { printf "%.3f", a / b }')
            ratios+=("$ratio")
        fi
        printf '%-22s %4d %14s %14s %8s\n' "$w" "$r" "$ml_ms" "$ref_ms" "$ratio"
    done
    med=$(printf '%s\n' "${ratios[@]+"${ratios[@]}"}" | median)
    summary+=("$(printf '%-22s %18s %18s %18s' "$w" "$med" "$ml_metric" "$ref_metric")")
done
echo
printf '%-22s %18s %18s %18s\n' workload median_ratio metalearn_metric reference_metric
printf '%s\n' "${summary[@]}"
echo "# $(uptime)"
