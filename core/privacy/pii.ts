/**
 * PII at rest: AES-256-GCM ciphertexts that carry the id of the key that made them, and a
 * keyed blind index (HMAC-SHA256) of the E.164 number for lookups and dedupe.
 *
 * Both keys are derived (HKDF) from one 32-byte master key, so rotating the master key
 * rotates both; `rotateKeys` in core/privacy/pii-rotate.ts rewrites every row.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, randomFillSync } from 'node:crypto';

interface DerivedKey {
  id: string;
  aes: Buffer;
  index: Buffer;
  hash: Buffer;
}

export interface Pii {
  /** Id of the key new ciphertexts are made with. */
  readonly currentKeyId: string;
  encrypt(plaintext: string): string;
  encryptOptional(plaintext: string | null | undefined): string | null;
  decrypt(ciphertext: string): string;
  decryptOptional(ciphertext: string | null | undefined): string | null;
  /** Key id a ciphertext was made with. */
  keyIdOf(ciphertext: string): string;
  /** Blind index of a normalised (E.164) phone number under the current key. */
  phoneIndex(e164: string): Buffer;
  /** Binary PII (audio): `<key id>:` then IV, tag and ciphertext, as bytes. */
  encryptBytes(plaintext: Buffer): Buffer;
  decryptBytes(ciphertext: Buffer): Buffer;
  /**
   * Keyed HMAC-SHA256 of `data` under the current key, separated by `purpose`: an id derived
   * from content that may be PII (a script speaking a name) without letting anyone who sees
   * the id confirm a guess.
   */
  keyedHash(purpose: string, data: string): Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

// Random IVs drawn from a refilled pool: one randomFillSync per 4,096 IVs rather than one
// per encryption, which dominated the cost of bulk imports.
const IV_POOL = Buffer.alloc(IV_BYTES * 4096);
let ivOffset = IV_POOL.length;
function nextIv(): Buffer {
  if (ivOffset === IV_POOL.length) {
    randomFillSync(IV_POOL);
    ivOffset = 0;
  }
  const iv = Buffer.from(IV_POOL.subarray(ivOffset, ivOffset + IV_BYTES));
  ivOffset += IV_BYTES;
  return iv;
}

function derive(master: Buffer): DerivedKey {
  if (master.length !== 32) throw new Error('an encryption key must be 32 bytes (base64 of 32 random bytes)');
  const hkdf = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
  return {
    id: createHash('sha256').update('chaseline-key-id').update(master).digest('hex').slice(0, 8),
    aes: hkdf('chaseline/pii/aes-256-gcm'),
    index: hkdf('chaseline/pii/blind-index'),
    hash: hkdf('chaseline/pii/keyed-hash'),
  };
}

/** Parses a base64 key, naming the variable it came from when it is not 32 bytes. */
export function parseMasterKey(base64: string, variable: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${variable} must be base64 of exactly 32 bytes (got ${key.length} bytes)`);
  return key;
}

export function generateMasterKey(): string {
  return randomBytes(32).toString('base64');
}

/**
 * @param current the master key new data is encrypted with
 * @param previous older master keys, still accepted for decryption during a rotation
 */
export function createPii(current: Buffer, previous: Buffer[] = []): Pii {
  const now = derive(current);
  const keys = new Map<string, DerivedKey>([now, ...previous.map(derive)].map((k) => [k.id, k]));

  const encrypt = (plaintext: string): string => {
    const iv = nextIv();
    const cipher = createCipheriv('aes-256-gcm', now.aes, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${now.id}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  };

  const decrypt = (ciphertext: string): string => {
    const sep = ciphertext.indexOf(':');
    const key = keys.get(ciphertext.slice(0, sep));
    if (sep < 0 || !key) throw new Error(`no key loaded for ciphertext key id "${ciphertext.slice(0, Math.max(sep, 0))}"`);
    const raw = Buffer.from(ciphertext.slice(sep + 1), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key.aes, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  };

  return {
    currentKeyId: now.id,
    encrypt,
    encryptOptional: (p) => (p == null || p === '' ? null : encrypt(p)),
    decrypt,
    decryptOptional: (c) => (c == null ? null : decrypt(c)),
    keyIdOf: (c) => c.slice(0, c.indexOf(':')),
    phoneIndex: (e164) => createHmac('sha256', now.index).update(e164).digest(),
    encryptBytes: (plaintext) => {
      const iv = nextIv();
      const cipher = createCipheriv('aes-256-gcm', now.aes, iv);
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return Buffer.concat([Buffer.from(`${now.id}:`, 'ascii'), iv, cipher.getAuthTag(), body]);
    },
    decryptBytes: (ciphertext) => {
      const sep = ciphertext.indexOf(0x3a); // ':' after the ascii key id
      const key = sep > 0 ? keys.get(ciphertext.toString('ascii', 0, sep)) : undefined;
      if (!key) throw new Error(`no key loaded for ciphertext key id "${ciphertext.toString('ascii', 0, Math.max(sep, 0))}"`);
      const raw = ciphertext.subarray(sep + 1);
      const decipher = createDecipheriv('aes-256-gcm', key.aes, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    },
    keyedHash: (purpose, data) => createHmac('sha256', now.hash).update(`${purpose}\0${data}`).digest(),
  };
}
