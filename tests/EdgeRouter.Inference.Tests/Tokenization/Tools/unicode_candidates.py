# Step 2 of regenerating src/EdgeRouter.Inference/Tokenization/UnicodeTables.cs (see README.md in this folder):
# from Python's unicodedata, lists the combining marks (with their combining classes) whose classes unicode_ccc.js
# then checks against Hugging Face's build, and the canonical composition pairs that Hugging Face's NFD/NFC know.
import json, unicodedata as ud
p = json.load(open('probe.json'))
nfd = {int(k): v for k, v in p['nfd'].items()}
nfc = {int(k): v for k, v in p['nfc'].items()}
marks = [i for i in range(0x110000) if not 0xD800 <= i < 0xE000 and ud.combining(chr(i)) and i not in nfd]
refs = {}
for i in marks:
    refs.setdefault(ud.combining(chr(i)), i)
json.dump({'marks': [[i, ud.combining(chr(i))] for i in marks], 'refs': {str(k): v for k, v in refs.items()}}, open('ccc_in.json', 'w'))
pairs = []
for c in range(0x110000):
    if 0xD800 <= c < 0xE000 or 0xAC00 <= c <= 0xD7A3:
        continue
    d = ud.decomposition(chr(c))
    if not d or d.startswith('<'):
        continue
    parts = [int(x, 16) for x in d.split()]
    if len(parts) == 2 and c in nfd and c not in nfc:
        pairs.append([parts[0], parts[1], c])
json.dump(pairs, open('pairs.json', 'w'))
print(len(marks), 'marks,', len(pairs), 'composition pairs')
