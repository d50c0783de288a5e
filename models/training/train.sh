#!/usr/bin/env bash
# Reproduces every model under models/: bash models/training/train.sh [--tiny] [--out DIR] [--data DIR] [--work DIR]
#   --tiny   whole pipeline on a tiny data subset with a tiny model (~1-2 minutes), for the CI smoke test;
#            writes to --out (default: a new temp dir), never over the shipped artifacts.
#   --data   the shared datasets (default: ../shared/data relative to the repository root).
#   --router-head-only   retrain only router-head/ on the encoder already in --out (default models/), then rewrite
#            the model cards, training/metrics.json and manifest.json (~25 minutes, most of it embedding).
#   --router-label L     the router head's label: auto (default: chosen by cross-validation on MMLU train),
#            weak_wrong, gain or net_gain (see router.py).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PY=/usr/bin/python3

need=()
$PY -c 'import torch' 2>/dev/null || need+=(python3-torch)
$PY -c 'import onnx' 2>/dev/null || need+=(python3-onnx)
$PY -c 'import numpy' 2>/dev/null || need+=(python3-numpy)
# OpenBLAS: Debian's torch calls the system BLAS; the reference BLAS is ~20x slower on this workload.
[ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ] || [ -e /usr/lib/aarch64-linux-gnu/openblas-pthread/libblas.so.3 ] \
  || need+=(libopenblas0-pthread)
# jemalloc: glibc malloc returns torch's large activation buffers to the OS after every op, and the page
# faults to get them back cost more than the maths on this VM (elementwise ops ~20x slower).
JEMALLOC=$(ls /usr/lib/*-linux-gnu/libjemalloc.so.2 2>/dev/null | head -1 || true)
[ -n "$JEMALLOC" ] || need+=(libjemalloc2)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi

args=("$@")
tiny=0
has_out=0
for a in "$@"; do
  [ "$a" = "--tiny" ] && tiny=1
  [ "$a" = "--out" ] && has_out=1
done
if [ $tiny = 1 ] && [ $has_out = 0 ]; then
  args+=(--out "$(mktemp -d -t edgerouter-models-tiny-XXXXXX)")
fi

JEMALLOC=$(ls /usr/lib/*-linux-gnu/libjemalloc.so.2 2>/dev/null | head -1 || true)
if [ -n "$JEMALLOC" ]; then
  export LD_PRELOAD="$JEMALLOC${LD_PRELOAD:+:$LD_PRELOAD}" MALLOC_CONF="retain:true,dirty_decay_ms:-1,muzzy_decay_ms:-1"
fi
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=2 PYTHONHASHSEED=0
cd "$REPO"
start=$(date +%s)
$PY -u "$HERE/train.py" "${args[@]}"
echo "train.sh: wall time $(( $(date +%s) - start )) s"
