// Step 4 of regenerating UnicodeTables.cs (see README.md): checks that Hugging Face's NFC composes every pair.
const tk=require('tokenizers'); const fs=require('fs'); const nfc=tk.nfcNormalizer();
const pairs=JSON.parse(fs.readFileSync('pairs.json')); let bad=0;
for (const [a,b,c] of pairs) { const r = nfc.normalizeString(String.fromCodePoint(a,b)); if (r !== String.fromCodePoint(c)) { bad++; if (bad<10) console.log('bad', a.toString(16), b.toString(16), c.toString(16), [...r].map(x=>x.codePointAt(0).toString(16))); } }
console.log('pairs', pairs.length, 'bad', bad);
// Hangul composition check
console.log(nfc.normalizeString('\u1100\u1161\u11A8') === '\uAC01', nfc.normalizeString('\uAC00\u11A8') === '\uAC01');
