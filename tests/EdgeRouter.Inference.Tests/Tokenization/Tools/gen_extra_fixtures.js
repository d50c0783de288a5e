// Regenerates ../../TestData/tokenizers/extra-fixtures.jsonl with Hugging Face's own `tokenizers` npm package.
// Run it from a scratch folder outside the repository:
//   mkdir -p /tmp/hftok && cd /tmp/hftok && npm init -y && npm install tokenizers@0.23.2
//   node <repo>/tests/EdgeRouter.Inference.Tests/Tokenization/Tools/gen_extra_fixtures.js > extra-fixtures.jsonl
// Padding and truncation are disabled; ids are exactly what `Tokenizer.encode` returns.
const path = require('path');
const { Tokenizer } = require(path.join(process.cwd(), 'node_modules', 'tokenizers'));
const version = require(path.join(process.cwd(), 'node_modules', 'tokenizers', 'package.json')).version;

const data = path.join(__dirname, '..', '..', 'TestData', 'tokenizers');
const files = {
  'bert-uncased': path.join(data, 'bert-uncased', 'tokenizer.json'),
  'modernbert': path.join(data, 'modernbert', 'tokenizer.reconstructed.json'),
  'gpt-neox-20b': path.join(data, 'olmo-gpt-neox', 'tokenizer.json'),
};
const tokenizers = {};
for (const [name, file] of Object.entries(files)) {
  const t = Tokenizer.fromFile(file);
  t.disablePadding();
  t.disableTruncation();
  tokenizers[name] = t;
}

// Variants of the files above with one setting changed (the C# tests apply the same edits, see TokenizerTestData.Get).
const fs = require('fs');
function variant(file, edit) {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(json);
  const t = Tokenizer.fromString(JSON.stringify(json));
  t.disablePadding();
  t.disableTruncation();
  return t;
}
const variants = {
  'bert-uncased-keep-accents': variant(files['bert-uncased'], j => { j.normalizer.strip_accents = false; }),
  'bert-uncased-no-lowercase': variant(files['bert-uncased'], j => { j.normalizer.lowercase = false; }),
  'gpt-neox-20b-prefix-space': variant(files['gpt-neox-20b'], j => { j.pre_tokenizer.add_prefix_space = true; }),
};

const curated = [
  // accents and case
  ['accents', 'Café naïve résumé Ångström façade coöperate'],
  ['accents', 'ÀÉÎÕÜ àéîõü ÇçÑñ'],
  ['decomposed accents (NFD input)', 'Cafe\u0301 nai\u0308ve n\u0303o A\u030Angstro\u0308m'],
  ['singleton decompositions', '\u212B \u2126 \u0340\u0341 \u1FEE'],
  ['combining marks out of canonical order', 'a\u0301\u0323 a\u0323\u0301 q\u0307\u0323 \u1E0B\u0323'],
  ['ligatures and compatibility forms', 'ﬁnance ﬂow Ⅻ ½ ² ³ ㎏'],
  ['greek', 'Σίσυφος ΣΊΣΥΦΟΣ ὈΔΥΣΣΕΎΣ'],
  ['dotted capital I', 'İstanbul ıi İ'],
  ['german sharp s', 'Straße STRASSE ẞ'],
  // emoji and other non-BMP characters
  ['emoji with modifiers and ZWJ', '👍🏽 👨‍👩‍👧‍👦 🇺🇸 🏳️‍🌈 ❤️'],
  ['mathematical alphanumerics', '𝐀𝐁𝐂 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛'],
  ['supplementary ideographs and symbols', '𠀀𠀁 𩸽 𝄞 𐍈'],
  ['recent emoji', '🥲🫠🪿 🫶🏻'],
  ['emoji glued to words', 'great👍job🎉!'],
  // CJK
  ['chinese', '我爱北京天安门。'],
  ['japanese', '日本語のテキスト、カタカナ・ひらがな。'],
  ['korean', '한국어 텍스트입니다'],
  ['chinese mixed with latin and digits', '中文English混合123'],
  ['fullwidth forms', 'ｆｕｌｌｗｉｄｔｈ　ＡＢＣ１２３！'],
  ['CJK compatibility ideographs', '豈 更 車 丽'],
  // code
  ['python', 'def f(x): return x**2 + 1  # comment'],
  ['c-like operators', 'if (a != b && c <= d) { x->y = z[i]; } else { --k; }'],
  ['sql', "SELECT * FROM users WHERE id = 'abc';"],
  ['javascript regex', 'const re = /^[a-z]+$/gi; // regex'],
  ['html', '<div class="x">Hello &amp; bye</div>'],
  ['rust', 'fn main() -> Result<(), Box<dyn Error>> {}'],
  ['go with tabs and newlines', 'x := map[string]int{"a": 1}\n\tfmt.Println(x)'],
  ['shell', `$ curl -X POST -H 'Content-Type: application/json' -d '{"k":[1,2]}'`],
  // URLs
  ['url with unicode', 'https://例え.jp/パス?q=1&r=ä#frag'],
  ['email', 'mailto:john.doe+tag@example.co.uk'],
  ['ftp url', 'ftp://user:pass@host:21/path/file.tar.gz'],
  ['url with escapes', 'www.example.com/a_b-c~d%20e'],
  // long words
  ['300-char word', 'supercalifragilistic'.repeat(15)],
  ['300 x', 'x'.repeat(300)],
  ['100-char word (limit)', 'a'.repeat(100)],
  ['101-char word (over the limit)', 'a'.repeat(101)],
  ['60 emoji in one word', '😀'.repeat(60)],
  ['101 emoji in one word', '😀'.repeat(101)],
  // whitespace
  ['whitespace runs', 'a  b   c    d     e'],
  ['only spaces', '   '],
  ['tabs and newlines', '\t\t\tx\n\n\ny'],
  ['30 spaces', 'word' + ' '.repeat(30) + 'end'],
  ['trailing spaces', 'end with spaces      '],
  ['unicode spaces', '\u00a0\u00a0nbsp\u3000ideographic space'],
  ['em and thin spaces', 'a \u2003 b \u2009 c'],
  ['crlf', 'line1\r\nline2\r\n'],
  ['single space', ' '],
  ['two leading spaces', '  leading two'],
  ['space before newline', 'x \ny  \n z'],
  // empty
  ['empty string', ''],
  // control and format characters
  ['C0 controls and DEL', 'a\u0000b\u0001c\u007fd'],
  ['zero-width characters', 'zero\u200bwidth\u200cnon\u200djoiner'],
  ['bidi controls', 'bidi\u202eoverride\u202c end'],
  ['soft hyphen', 'soft\u00adhyphen'],
  ['byte order mark', '\ufeffBOM start'],
  ['vertical tab and form feed', 'tab\there\u000bvt\u000cff'],
  ['next line', 'a\u0085b'],
  ['private use', 'private\ue000use\udb80\udc00'],
  ['replacement character', 'repl\ufffdchar'],
  // mixed scripts
  ['mixed scripts', 'Привет мир! Hello world! مرحبا بالعالم! שלום עולם! नमस्ते दुनिया! γειά σου κόσμε!'],
  ['thai', 'ภาษาไทย ไม่มีช่องว่าง'],
  ['vietnamese', 'Tiếng Việt có dấu'],
  ['nordic', 'ÅÄÖ åäö Ææ Øø'],
  ['devanagari with combining marks', 'क्षत्रिय हिन्दी'],
  ['arabic with harakat', 'مُحَمَّد'],
  // contractions and quotes
  ['contractions', "I'm you're he's we've they'd I'll it's 'tis"],
  ['upper-case contractions', "DON'T WON'T I'M"],
  ['apostrophes', "rock'n'roll ''quoted'' '"],
  ['smart quotes', '“quoted” ‘single’ «guillemets»'],
  // numbers
  ['numbers', '3.14159 1,000,000 1e-10 0x1F 2024-01-01T12:00:00Z'],
  ['arabic-indic digits', '١٢٣ ٤٥٦'],
  ['long number', '12345678901234567890'],
  // added / special tokens in the text
  ['bert special tokens in text', '[CLS] hello [SEP] world [MASK] [PAD] [UNK]'],
  ['mask glued to words', 'hello[MASK]world'],
  ['mask after spaces (lstrip)', 'hello    [MASK] there'],
  ['mask at start', '[MASK] is here'],
  ['lower-case mask', '[mask] lower'],
  ['gpt-neox special tokens', '<|endoftext|>text<|padding|> end'],
  ['OLMo PII placeholders', '|||IP_ADDRESS||| and |||EMAIL_ADDRESS||| or |||PHONE_NUMBER|||'],
  ['unused tokens', '[unused0] [unused82]x'],
  ['nested brackets', '[[MASK]] [SEP][SEP]'],
  // a paragraph
  ['paragraph', 'The quick brown fox jumps over the lazy dog. Pack my box with five dozen liquor jugs! ' +
    'How vexingly quick daft zebras jump; the five boxing wizards jump quickly? Sphinx of black quartz, judge my vow.'],
  ['sentence', 'Route this request to the cheapest model that can still answer a question about tax law in Germany.'],
];

const pairs = [
  ['query and passage', 'What is the capital of France?', 'Paris is the capital and largest city of France.'],
  ['pair with empty second', 'Only one side', ''],
  ['pair with accents and emoji', 'Où est la café? ☕', 'Au coin de la rue 👉 à gauche.'],
];

// Deterministic random strings over pools of characters that exercise every stage.
const pools = [
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789', ' ', ' ', ' ', '  ', '\t\n\r',
  `!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`, "'s't're've'm'll'd", 'àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßÀÉÎÕÜ',
  '\u0300\u0301\u0302\u0303\u0308\u0323\u0327\u0331\u05B0\u0651\u093C\u094D', '的一是不了人我在有他这中大来上', '가나다라마바사한국어',
  'ぁあいうえおカタカナ', 'Σσςλμνπ', 'Жжийклмн', 'ابتثجحخ', 'क्षत्र', '\u00a0\u2003\u3000\u200b\u200d\u00ad\ufeff',
  '\u0000\u0001\u007f\u0085\ufffd', '😀👍🏽🎉🇺🇸❤️🥲', '𝐀𝔘𝟙𠀀𩸽', '½²Ⅻ١٢٣', '“”‘’«»–—…•', '[MASK][SEP][CLS]<|endoftext|>',
];
let seed = 20240611;
function random() { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; }
function randomString(length) {
  let s = '';
  while ([...s].length < length) {
    const pool = [...pools[Math.floor(random() * pools.length)]];
    const run = 1 + Math.floor(random() * 4);
    for (let k = 0; k < run; k++) s += pool[Math.floor(random() * pool.length)];
  }
  return s;
}

(async () => {
  const checked = `HF tokenizers ${version} (npm), Tokenizer.fromFile + encode, padding and truncation disabled`;
  const rows = [];
  const emit = async (name, text, pair, note, addSpecialTokens) => {
    const encoding = await (tokenizers[name] ?? variants[name]).encode(text, pair, { addSpecialTokens });
    const row = { tokenizer: name, text };
    if (pair !== null) row.text_pair = pair;
    row.ids = encoding.getIds();
    row.add_special_tokens = addSpecialTokens;
    row.note = note;
    row.checked = checked;
    rows.push(JSON.stringify(row));
  };
  for (const [note, text] of curated) {
    for (const name of Object.keys(tokenizers)) {
      await emit(name, text, null, note, true);
    }
  }
  for (const [note, text] of curated.slice(0, 12)) {
    await emit('bert-uncased', text, null, note + ' (no special tokens)', false);
    await emit('modernbert', text, null, note + ' (no special tokens)', false);
  }
  for (const [note, a, b] of pairs) {
    await emit('bert-uncased', a, b, note, true);
    await emit('modernbert', a, b, note, true);
  }
  for (const [note, text] of curated) {
    for (const name of Object.keys(variants)) {
      await emit(name, text, null, note, true);
    }
  }
  for (let i = 0; i < 40; i++) {
    const text = randomString(20 + Math.floor(random() * 60));
    for (const name of Object.keys(tokenizers)) {
      await emit(name, text, null, `random mixed-script string #${i}`, true);
    }
  }
  process.stdout.write(rows.join('\n') + '\n');
})();
