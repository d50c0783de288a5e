// Step 1 of regenerating UnicodeTables.cs (see README.md): probes every code point through Hugging Face's
// normalizers and pre-tokenizers and writes probe.json.
const tk = require('tokenizers');
const fs = require('fs');
const clean = tk.bertNormalizer({cleanText:true, handleChineseChars:false, stripAccents:false, lowercase:false});
const strip = tk.bertNormalizer({cleanText:false, handleChineseChars:false, stripAccents:true, lowercase:false});
const lower = tk.bertNormalizer({cleanText:false, handleChineseChars:false, stripAccents:false, lowercase:true});
const chinese = tk.bertNormalizer({cleanText:false, handleChineseChars:true, stripAccents:false, lowercase:false});
const nfd = tk.nfdNormalizer(), nfc = tk.nfcNormalizer();
const bp = tk.bertPreTokenizer();
const bl = tk.byteLevelPreTokenizer(false, true);
const out = {clean:[], bertpre:[], lower:{}, nfd:{}, strip:{}, nfc:{}, rx:[], chinese:[]};
for (let cp=0; cp<=0x10FFFF; cp++) {
  if (cp>=0xD800&&cp<0xE000) { out.clean.push(9); out.bertpre.push(9); out.rx.push('X'); continue; }
  const ch = String.fromCodePoint(cp);
  const c = clean.normalizeString(ch);
  out.clean.push(c === '' ? 1 : (c === ' ' && ch !== ' ') ? 2 : (c === ch ? 0 : 7));
  const b = bp.preTokenizeString('a'+ch+'a').length;
  out.bertpre.push(b === 2 ? 1 : b === 3 ? 2 : b === 1 ? 0 : 7);
  const l = lower.normalizeString(ch); if (l !== ch) out.lower[cp] = l;
  const d = nfd.normalizeString(ch); if (d !== ch) out.nfd[cp] = d;
  const s = strip.normalizeString(ch); if (s !== ch) out.strip[cp] = s;
  const n = nfc.normalizeString(ch); if (n !== ch) out.nfc[cp] = n;
  const zh = chinese.normalizeString(ch); if (zh !== ch) out.chinese.push(cp);
  let k;
  if (bl.preTokenizeString('a'+ch).length === 1) k = 'L';
  else if (bl.preTokenizeString('1'+ch).length === 1) k = 'N';
  else if (bl.preTokenizeString('!'+ch).length === 1) k = 'O';
  else k = 'S';
  out.rx.push(k);
}
out.clean = out.clean.join(''); out.bertpre = out.bertpre.join(''); out.rx = out.rx.join('');
fs.writeFileSync('probe.json', JSON.stringify(out));
console.log('lower', Object.keys(out.lower).length, 'nfd', Object.keys(out.nfd).length, 'strip', Object.keys(out.strip).length, 'nfc', Object.keys(out.nfc).length, 'chinese', out.chinese.length);
