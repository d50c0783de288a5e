// Step 3 of regenerating UnicodeTables.cs (see README.md): finds the canonical combining class Hugging Face's NFD
// applies to each mark (0 for marks its Unicode version lacks) by reordering tests against reference marks.
const tk = require('tokenizers'); const fs=require('fs');
const nfd = tk.nfdNormalizer();
const {marks, refs} = JSON.parse(fs.readFileSync('ccc_in.json'));
const rk = Object.keys(refs).map(Number).filter(x=>x!==6&&x!==218).sort((a,b)=>a-b);
const S = String.fromCodePoint;
const res = [];
for (const [m,k] of marks) {
  const lo = rk.filter(x=>x<k).pop(), hi = rk.find(x=>x>k);
  let ok = true; const why=[];
  if (lo !== undefined) { const r=S(refs[lo]); if (nfd.normalizeString('a'+S(m)+r) !== 'a'+r+S(m)) {ok=false; why.push('lo');} }
  if (hi !== undefined) { const r=S(refs[hi]); if (nfd.normalizeString('a'+r+S(m)) !== 'a'+S(m)+r) {ok=false; why.push('hi');} }
  if (refs[k] !== m && rk.includes(k)) { const r=S(refs[k]); if (nfd.normalizeString('a'+S(m)+r) !== 'a'+S(m)+r || nfd.normalizeString('a'+r+S(m)) !== 'a'+r+S(m)) {ok=false; why.push('eq');} }
  // zero test: does it ever move?
  let moves = false;
  for (const x of rk) { const r=S(refs[x]); if (refs[x]===m) continue; if (nfd.normalizeString('a'+S(m)+r) !== 'a'+S(m)+r || nfd.normalizeString('a'+r+S(m)) !== 'a'+r+S(m)) moves = true; }
  res.push([m, k, ok ? k : (moves ? -1 : 0), why.join(',')]);
}
const bad = res.filter(r=>r[2]!==r[1]);
console.log('marks', res.length, 'differ', bad.length, JSON.stringify(bad.map(r=>[r[0].toString(16), r[1], r[2], r[3]])));
fs.writeFileSync('ccc_out.json', JSON.stringify(res.map(r=>[r[0], r[2]])));
