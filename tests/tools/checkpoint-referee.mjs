// An independent check of a checkpoint (C2SP signed-note, tlog-checkpoint),
// written from the specs with Node's own SHA-256 and Ed25519 (OpenSSL), for
// tests/checkpoint_test.cc: node checkpoint-referee.mjs NOTE_FILE PUBLIC_KEY_BASE64
// prints "ok ORIGIN SIZE" and exits 0, or prints why not and exits 1.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';

function fail(why) {
  console.log(why);
  process.exit(1);
}

const note = readFileSync(process.argv[2], 'utf8');
const publicKey = Buffer.from(process.argv[3], 'base64');
if (!note.endsWith('\n')) fail('no final newline');
const split = note.lastIndexOf('\n\n');
if (split < 0) fail('no blank line');
const text = note.slice(0, split + 1);
const lines = text.slice(0, -1).split('\n');
if (lines.length < 3 || lines.some((l) => l === '')) fail('not three non-empty lines');
const [origin, size, hash] = lines;
if (!/^(0|[1-9][0-9]*)$/.test(size)) fail('bad size');
if (Buffer.from(hash, 'base64').length !== 32) fail('bad hash');
const keyHash = createHash('sha256')
  .update(Buffer.concat([Buffer.from(origin + '\n', 'utf8'), Buffer.from([0x01]), publicKey]))
  .digest()
  .subarray(0, 4);
const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]);
const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
let good = false;
for (const line of note.slice(split + 2, -1).split('\n')) {
  const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
  if (!m) fail('bad signature line');
  const sig = Buffer.from(m[2], 'base64');
  if (m[1] !== origin || !sig.subarray(0, 4).equals(keyHash)) continue;
  if (!verify(null, Buffer.from(text, 'utf8'), key, sig.subarray(4))) fail('bad signature');
  good = true;
}
if (!good) fail('no signature by the key');
console.log(`ok ${origin} ${size}`);
