#!/usr/bin/env bash
# Starts a published edgerouter binary on its embedded default config and exercises it like a user would:
# readiness, one plain and one streamed chat completion (with the gateway headers), embeddings, models,
# metrics, an invalid request, then a clean shutdown on SIGTERM.
set -euo pipefail
binary="${1:?usage: smoke-test.sh path/to/edgerouter}"
port="${SMOKE_PORT:-18090}"
base="http://127.0.0.1:$port"
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

fail() { echo "smoke: FAIL: $*" >&2; echo "--- gateway log ---" >&2; cat "$work/log" >&2 || true; exit 1; }

[ -x "$binary" ] || fail "$binary is not an executable"
start=$(date +%s%N)
EDGEROUTER_URLS="$base" "$binary" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "$base/readyz" >/dev/null 2>&1; then break; fi
  kill -0 "$pid" 2>/dev/null || fail "the gateway exited during startup"
  sleep 0.05
done
curl -fsS "$base/readyz" >/dev/null || fail "not ready after 5 s"
echo "smoke: ready in $(( ($(date +%s%N) - start) / 1000000 )) ms"

chat='{"model":"auto","messages":[{"role":"user","content":"Say hello"}]}'
curl -sS -D "$work/headers" -o "$work/plain" -H 'content-type: application/json' -d "$chat" "$base/v1/chat/completions"
grep -q '"object":"chat.completion"' "$work/plain" || fail "plain completion: $(cat "$work/plain")"
for header in x-request-id x-edgerouter-route x-edgerouter-model x-edgerouter-provider x-edgerouter-overhead-ms; do
  grep -qi "^$header:" "$work/headers" || fail "plain completion lacks $header"
done
echo "smoke: plain completion from $(grep -i '^x-edgerouter-model:' "$work/headers" | tr -d '\r' | cut -d' ' -f2)"

stream='{"model":"fast","stream":true,"messages":[{"role":"user","content":"Stream a greeting"}]}'
curl -sSN -D "$work/sheaders" -o "$work/stream" -H 'content-type: application/json' -d "$stream" "$base/v1/chat/completions"
grep -qi '^content-type: text/event-stream' "$work/sheaders" || fail "stream content type"
grep -q '"object":"chat.completion.chunk"' "$work/stream" || fail "stream chunks: $(head -c 300 "$work/stream")"
tail -c 20 "$work/stream" | grep -q 'data: \[DONE\]' || fail "stream does not end with [DONE]"
grep -q '"usage"' "$work/stream" && fail "stream shows a usage chunk the client did not ask for"
grep -qi '^x-edgerouter-model: sim/cheap' "$work/sheaders" || fail "stream headers: $(cat "$work/sheaders")"
echo "smoke: streamed $(grep -c '^data: ' "$work/stream") events"

curl -fsS -H 'content-type: application/json' -d '{"model":"sim/embed","input":"hello"}' "$base/v1/embeddings" | grep -q '"embedding"' || fail "embeddings"
curl -fsS "$base/v1/models" | grep -q '"id":"auto"' || fail "models"
status=$(curl -sS -o "$work/bad" -w '%{http_code}' -H 'content-type: application/json' -d '{"model":"auto"}' "$base/v1/chat/completions")
[ "$status" = 400 ] && grep -q '"missing_required_parameter"' "$work/bad" || fail "missing messages gave $status: $(cat "$work/bad")"
curl -fsS "$base/metrics" | grep -q 'edgerouter_requests_total{route="auto"' || fail "metrics"
grep -q 'request .* route=auto' "$work/log" || fail "no decision log line"

kill -TERM "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$pid" 2>/dev/null && fail "still running 5 s after SIGTERM"
wait "$pid" && code=0 || code=$?
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
echo "smoke: OK ($(stat -c %s "$binary") bytes)"
