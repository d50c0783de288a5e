// Optional check with the real ONNX Runtime the gateway ships (onnxruntime-node's native binding, the same
// version as native/onnxruntime.manifest.props). Not needed to train; train.py runs it when node and the npm
// tarball in native/cache/ are present. Usage:
//   node ort_check.js <ort-package-dir> <request.json> <response.json>
// request: {"model": path, "threads": 1, "runs": [{"feeds": {name: {"type": "int64"|"float32", "dims": [...],
//           "data": [...]}}}], "bench": {"feeds": {...}, "iters": 300}}
// response: {"outputs": [{name: {"dims": [...], "data": [...]}}], "bench_ms": {"median":..,"p90":..}}
'use strict';
const fs = require('fs');
const path = require('path');
const [pkgDir, reqPath, outPath] = process.argv.slice(2);
const binding = require(path.join(pkgDir, 'bin/napi-v6', process.platform, process.arch, 'onnxruntime_binding.node'));
class Tensor { constructor(type, data, dims) { this.type = type; this.data = data; this.dims = dims; this.size = data.length; this.location = 'cpu'; } }
binding.initOrtOnce(3, Tensor, true);
const req = JSON.parse(fs.readFileSync(reqPath, 'utf8'));
const session = new binding.InferenceSession();
session.loadModel(req.model, { intraOpNumThreads: req.threads || 1, interOpNumThreads: 1,
  graphOptimizationLevel: req.optimization || 'all', executionMode: 'sequential' });
const outNames = session.outputMetadata.map(m => m.name);
function feeds(spec) {
  const f = {};
  for (const [name, t] of Object.entries(spec)) {
    const data = t.type === 'int64' ? BigInt64Array.from(t.data.map(BigInt)) : Float32Array.from(t.data);
    f[name] = new Tensor(t.type, data, t.dims);
  }
  return f;
}
const fetches = Object.fromEntries(outNames.map(n => [n, null]));
const result = { inputs: session.inputMetadata, outputs: [] };
for (const run of req.runs || []) {
  const r = session.run(feeds(run.feeds), fetches, {});
  const o = {};
  for (const n of outNames) o[n] = { dims: r[n].dims, data: Array.from(r[n].data) };
  result.outputs.push(o);
}
if (req.bench) {
  const f = feeds(req.bench.feeds);
  for (let i = 0; i < 50; i++) session.run(f, fetches, {});
  const times = [];
  for (let i = 0; i < (req.bench.iters || 300); i++) {
    const t = process.hrtime.bigint();
    session.run(f, fetches, {});
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  result.bench_ms = { median: times[Math.floor(times.length / 2)], p10: times[Math.floor(times.length * 0.1)],
                      p90: times[Math.floor(times.length * 0.9)], min: times[0] };
}
fs.writeFileSync(outPath, JSON.stringify(result));
