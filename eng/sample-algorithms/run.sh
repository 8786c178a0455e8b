#!/usr/bin/env bash
# Runs `MetaClassification train` once for every --algorithm the sample accepts (the nine of MetaAlgorithms.Names),
# with few iterations and tasks, and checks that each exits with 0 and ends with meta_accuracy=<number>. It catches an
# algorithm the sample cannot build a model for (CAVIA needs the features plus its context size as inputs; ProtoNets
# and R2D2 an embedding without a class head) before a user does. About a minute on 2 quiet cores after the build.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dotnet build -c Release "$repo_root/samples/MetaClassification" -v quiet -nologo >/dev/null
sample="$repo_root/samples/MetaClassification/bin/Release/net10.0/MetaClassification.dll"

failed=0
for algorithm in maml fomaml metasgd anil reptile protonet imaml r2d2 cavia; do
  set +e
  output="$(dotnet "$sample" train --algorithm "$algorithm" --iterations 20 --meta-batch 4 --eval-tasks 5 --validation-tasks 5 --scratch-steps 5 --threads 1 2>&1)"
  code=$?
  set -e
  model="$(grep -m1 '^model:' <<<"$output" || true)"
  last="$(tail -n 1 <<<"$output")"
  if [[ $code -eq 0 && "$last" =~ ^meta_accuracy=[0-9.]+$ ]]; then
    echo "ok      $algorithm: $last (${model#model: })"
  else
    echo "FAILED  $algorithm: exit code $code" >&2
    tail -n 15 <<<"$output" >&2
    failed=1
  fi
done

exit $failed
