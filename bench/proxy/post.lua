-- wrk script: POST one chat completion request; STREAM=1 asks for server-sent events.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local stream = os.getenv("STREAM") == "1" and "true" or "false"
local model = os.getenv("MODEL") or "instant"
wrk.body = '{"model":"' .. model .. '","messages":[{"role":"system","content":"You are a helpful assistant."},' ..
           '{"role":"user","content":"What is the capital of France? Answer in one word."}],' ..
           '"temperature":0,"max_tokens":32,"stream":' .. stream .. '}'

local errors = 0
function response(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("RESULT\t%d\t%.1f\t%.3f\t%.3f\t%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
