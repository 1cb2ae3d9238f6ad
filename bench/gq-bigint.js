// GQ256 verification in plain JS BigInt: the baseline the WebAssembly verifier is measured
// against, on the same proof in the same page. Two versions:
//  - `reference`: the algorithm as openpubkey's gq/verify.go writes it — per round
//    W_i = S_i^e mod n · G^{R_i} mod n, each by right-to-left square-and-multiply;
//  - `joint`: the algorithm opk-verify runs — S_i^e · G^{R_i} in one left-to-right pass with
//    4-bit windows and G's window table built once for all rounds.
// The challenge hash (SHAKE256 over 4 KB) comes from the wasm module for both.

export function bigFromBytes(bytes) {
  let hex = '0x0';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return BigInt(hex);
}

export function bytesFromBig(x, len) {
  const hex = x.toString(16).padStart(len * 2, '0');
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

function modPow(base, exp, n) {
  let result = 1n;
  let b = base % n;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % n;
    e >>= 1n;
    if (e > 0n) b = (b * b) % n;
  }
  return result;
}

// [x, x^2, …, x^15]
function windowTable(x, n) {
  const t = [x];
  for (let i = 1; i < 15; i++) t.push((t[i - 1] * x) % n);
  return t;
}

// x^a · y^b for 4-bit-windowed exponents given as arrays of nibbles (most significant first).
function jointPow(xTable, aNibbles, yTable, bNibbles, n) {
  const len = Math.max(aNibbles.length, bNibbles.length);
  const a = Array(len - aNibbles.length).fill(0).concat(aNibbles);
  const b = Array(len - bNibbles.length).fill(0).concat(bNibbles);
  let acc = null;
  for (let w = 0; w < len; w++) {
    if (acc !== null) for (let s = 0; s < 4; s++) acc = (acc * acc) % n;
    if (a[w]) acc = acc === null ? xTable[a[w] - 1] : (acc * xTable[a[w] - 1]) % n;
    if (b[w]) acc = acc === null ? yTable[b[w] - 1] : (acc * yTable[b[w] - 1]) % n;
  }
  return acc ?? 1n;
}

const nibbles = (bytes) => Array.from(bytes).flatMap((b) => [b >> 4, b & 15]);

// Returns whether the proof verifies; `challenge(w, message, k)` is SHAKE256.
export function verifyGq({ modulus, g, message, proof, joint, challenge }) {
  const t = 16, vBytes = 2, nBytes = modulus.length;
  if (proof.length !== t * (vBytes + nBytes)) return false;
  const n = bigFromBytes(modulus);
  const G = bigFromBytes(g);
  const e = 65537n;
  const eNibbles = nibbles([0x01, 0x00, 0x01]);
  const r = proof.subarray(0, t * vBytes);
  const wStar = new Uint8Array(t * nBytes);
  const gTable = joint ? windowTable(G, n) : null;
  for (let i = 0; i < t; i++) {
    const ri = r.subarray(i * vBytes, (i + 1) * vBytes);
    const off = t * vBytes + i * nBytes;
    const s = bigFromBytes(proof.subarray(off, off + nBytes));
    if (s === 0n || s >= n) return false;
    let w;
    if (joint) {
      w = jointPow([s], eNibbles, gTable, nibbles(ri), n);
    } else {
      w = (modPow(s, e, n) * modPow(G, bigFromBytes(ri), n)) % n;
    }
    wStar.set(bytesFromBig(w, nBytes), i * nBytes);
  }
  const got = challenge(wStar, message, t * vBytes);
  return got.length === r.length && got.every((x, i) => x === r[i]);
}
