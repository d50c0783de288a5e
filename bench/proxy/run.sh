#!/usr/bin/env bash
# Passthrough cost of EdgeRouter next to nginx, both proxying the same simulator ("instant" model, no latency).
# Each round runs wrk against the simulator directly, through nginx and through EdgeRouter, interleaved so that
# machine noise hits all three alike; the report gives medians over the rounds of requests/s, latency and the
# proxy's CPU time per request (from /proc). Layout: proxy on CPU 1; wrk and the simulator share CPU 0.
#   bench/proxy/run.sh [rounds=5] [seconds=10] [connections=32]
# Needs wrk and nginx (installed with apt when missing and running as root).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rounds="${1:-5}"; seconds="${2:-10}"; conns="${3:-32}"
for tool in wrk nginx; do
  if ! command -v "$tool" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$tool" ]; then
    [ "$(id -u)" = 0 ] || { echo "run.sh: $tool is missing" >&2; exit 1; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
  fi
done
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
rid="linux-$( [ "$(uname -m)" = aarch64 ] && echo arm64 || echo x64 )"
binary="artifacts/publish/$rid/edgerouter"
[ -x "$binary" ] || ./build.sh publish "$rid" >/dev/null

work="$(mktemp -d)"
mkdir -p "$work/body" "$work/proxy"
sed "s#__WORK__#$work#g" bench/proxy/nginx.conf > "$work/nginx.conf"
cpu0=(); cpu1=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then cpu0=(taskset -c 0); cpu1=(taskset -c 1); fi
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
"${cpu0[@]}" "$binary" sim --config bench/load/sim.json >/dev/null 2>&1 & pids+=($!)
"${cpu1[@]}" "$nginx_bin" -c "$work/nginx.conf" >/dev/null 2>&1 & nginx=$!; pids+=($nginx)
"${cpu1[@]}" "$binary" --config bench/load/gateway.json >/dev/null 2>&1 & gateway=$!; pids+=($gateway)
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:18100/readyz?full" >/dev/null 2>&1 && curl -fs -o /dev/null http://127.0.0.1:18110/healthz 2>/dev/null && break
  sleep 0.05
done

ticks() { [ -z "$1" ] && echo 0 || awk '{print $14+$15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
measure() { # target url pid stream
  local t0 t1 line
  STREAM=$4 "${cpu0[@]}" wrk -t1 -c"$conns" -d2s -s bench/proxy/post.lua "$2" >/dev/null 2>&1 || true
  t0=$(ticks "$3")
  line=$(STREAM=$4 "${cpu0[@]}" wrk -t1 -c"$conns" -d"${seconds}s" -s bench/proxy/post.lua "$2" | grep '^RESULT')
  t1=$(ticks "$3")
  awk -v line="$line" -v t="$1" -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$4" 'BEGIN {
    split(line, f, "\t"); cpu = (f[2] > 0 && b > a) ? (b - a) / hz * 1e6 / f[2] : 0
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%.1f\n", t, (s == "1" ? "stream" : "json"), f[3], f[4], f[5], f[6], cpu }'
}

results="$work/results.tsv"
echo "edgerouter $("$binary" version | cut -d' ' -f2) vs $("$nginx_bin" -v 2>&1 | cut -d/ -f2), $(nproc) cores, ${rounds}x${seconds}s rounds, $conns connections, $(date -u +%Y-%m-%dT%H:%MZ)"
for round in $(seq 1 "$rounds"); do
  for stream in 0 1; do
    measure direct http://127.0.0.1:18080/v1/chat/completions "" "$stream" >> "$results"
    measure nginx http://127.0.0.1:18110/v1/chat/completions "$nginx" "$stream" >> "$results"
    measure edgerouter http://127.0.0.1:18100/v1/chat/completions "$gateway" "$stream" >> "$results"
  done
done

awk -F'\t' '
  function median(list,   n, i, j, t, a) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { k = $1 "/" $2; rps[k] = rps[k] " " $3; p50[k] = p50[k] " " $4; p99[k] = p99[k] " " $5; err[k] += $6; cpu[k] = cpu[k] " " $7 }
  END {
    print "| target | body | req/s | p50 ms | p99 ms | errors | proxy CPU µs/request |"
    print "|---|---|---|---|---|---|---|"
    split("json stream", bodies, " "); split("direct nginx edgerouter", targets, " ")
    for (b = 1; b <= 2; b++) for (t = 1; t <= 3; t++) {
      k = targets[t] "/" bodies[b]
      printf "| %s | %s | %.0f | %.3f | %.3f | %d | %s |\n", targets[t], bodies[b], median(rps[k]), median(p50[k]), median(p99[k]), err[k],
        (t == 1 ? "-" : sprintf("%.1f", median(cpu[k])))
    }
    for (b = 1; b <= 2; b++) {
      e = median(cpu["edgerouter/" bodies[b]]); g = median(cpu["nginx/" bodies[b]])
      if (g > 0) printf "EdgeRouter / nginx CPU per request (%s): %.2fx\n", bodies[b], e / g
    }
  }' "$results"
