#!/usr/bin/env bash
# Compares EdgeRouter.Vectors' HNSW with hnswlib (C++, -march=native: AVX-512 here) on identical vectors, one thread each.
#   bench/vectors/run.sh [dump-dir]        default dump-dir: /tmp/peers/vec-clustered (a folder named *random* gets
#                                          the uniformly random set when it has to be generated)
# Environment: PEERS (the peers folder, default ../shared/peers), ISA (IlcInstructionSet of the AOT binary, default
# x86-x64-v3 as the gateway ships; x86-x64-v4 for AVX-512), CPU (core to pin both runs to, default 1; empty = unpinned),
# EXTRA (more vectorbench runs' flags, e.g. "--quantize"), SKIP_HNSWLIB=1.
# Data: the peers' vector_bench.py makes the "clustered" set (100,000 × 384, 1,000 clusters, σ = 0.05, seed 42, 1,000
# queries, exact top-10 by faiss) and dumps it; --impls none skips its own (~15 min) benchmarks, so this takes ~1 min.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
peers="${PEERS:-../shared/peers}"
data="${1:-/tmp/peers/vec-clustered}"
isa="${ISA:-x86-x64-v3}"
cpu="${CPU-1}"
pin=()
if [ -n "$cpu" ] && command -v taskset >/dev/null; then pin=(taskset -c "$cpu"); fi

need=()
/usr/bin/python3 -c 'import numpy, faiss' 2>/dev/null || need+=(python3-numpy python3-faiss)
[ -f /usr/include/hnswlib/hnswlib.h ] || need+=(libhnswlib-dev)
command -v g++ >/dev/null || need+=(g++)
if [ ${#need[@]} -gt 0 ]; then
  echo "run.sh: installing ${need[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -f "$data/meta.json" ]; then
  # The data set is named by the folder: ...-random gives uniformly random unit vectors, anything else clustered.
  dataset=clustered
  case "$(basename "$data")" in *random*) dataset=random ;; esac
  echo "run.sh: generating the $dataset data set into $data" >&2
  /usr/bin/python3 "$peers/vector/vector_bench.py" --dataset "$dataset" --dump-dir "$data" --impls none >/dev/null
fi

mkdir -p /tmp/peers
g++ -O3 -march=native -DNDEBUG -o /tmp/peers/hnsw_native "$peers/vector/hnsw_native.cpp"
rid="linux-$( [ "$(uname -m)" = aarch64 ] && echo arm64 || echo x64 )"
out="artifacts/vectorbench/$isa"
dotnet publish bench/vectors -c Release -r "$rid" -p:IlcInstructionSet="$isa" -o "$out" >/dev/null

echo "## $(basename "$data") — $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%Y-%m-%dT%H:%MZ)"
if [ "${SKIP_HNSWLIB:-0}" != 1 ]; then
  echo "### hnswlib $(dpkg-query -W -f '${Version}' libhnswlib-dev 2>/dev/null) (g++ -O3 -march=native)"
  "${pin[@]}" /tmp/peers/hnsw_native "$data" 16 200 16,32,64,128
fi
echo "### EdgeRouter.Vectors (native AOT, IlcInstructionSet=$isa)"
"${pin[@]}" "$out/vectorbench" "$data" --m 16 --ef-construction 200 --ef 16,32,64,128
if [ -n "${EXTRA:-}" ]; then
  # shellcheck disable=SC2086
  "${pin[@]}" "$out/vectorbench" "$data" --m 16 --ef-construction 200 --ef 16,32,64,128 --exact 0 $EXTRA
fi
