/**
 * Fuzzing helpers: a valid sample of any OpenAPI (JSON Schema) schema, the malformed variants
 * of a value (NUL, lone surrogates, wrong types, deep nesting, oversize, odd keys), and the
 * check that a response leaks no stack trace, SQL or file path. Everything random comes from
 * one seed, printed with any failure so the run can be repeated (FUZZ_SEED=…).
 */
import fc from 'fast-check';

export const SEED = Number(process.env.FUZZ_SEED ?? 20260410);

/** A small seeded PRNG (mulberry32): the same seed, the same cases. */
export function rng(seed = SEED) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    /** `n` items in a seeded order (all of them when n ≥ length). */
    take: <T>(items: readonly T[], n: number): T[] => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      }
      return copy.slice(0, n);
    },
  };
}
export type Rng = ReturnType<typeof rng>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Schema = Record<string, any>;

/** Values for ids and formats the generic sampler cannot make up (ids of real rows). */
export interface SampleHints {
  uuid: () => string;
}

const patternCandidates = [
  '+8613912345678',
  'en-US',
  'fuzz_node',
  'fuzz',
  '12345',
  'example.com',
  'fuzz.myshopify.com',
  '62.0',
  `AC${'0'.repeat(32)}`,
  `BY${'0'.repeat(32)}`,
  `00D${'A'.repeat(12)}`,
  'fuzz@example.com',
  '-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----',
];

function stringFor(schema: Schema, hints: SampleHints, seed: number): string {
  if (schema.format === 'uuid') return hints.uuid();
  if (schema.format === 'email') return 'fuzz@example.com';
  if (schema.format === 'uri') return 'https://example.com/fuzz';
  if (schema.format === 'date-time') return '2026-01-01T00:00:00.000Z';
  if (typeof schema.pattern === 'string') {
    const re = new RegExp(schema.pattern);
    const known = patternCandidates.find((c) => re.test(c));
    if (known) return known;
    try {
      return fc.sample(fc.stringMatching(re), { seed, numRuns: 1 })[0]!;
    } catch {
      return 'x';
    }
  }
  const min = schema.minLength ?? 0;
  return 'fuzz'.padEnd(Math.max(min, 4), 'z').slice(0, schema.maxLength ?? 64);
}

/** A value the schema accepts (as far as a schema can say), `full` with every optional property. */
export function sampleOf(schema: Schema | undefined, doc: Schema, hints: SampleHints, full: boolean, depth = 0): unknown {
  if (!schema || depth > 12) return {};
  if (schema.$ref) return sampleOf(resolve(schema.$ref, doc), doc, hints, full, depth + 1);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (schema.default !== undefined && !full) return schema.default;
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(alternatives)) return sampleOf(alternatives[0], doc, hints, full, depth + 1);
  if (Array.isArray(schema.allOf)) {
    return Object.assign({}, ...schema.allOf.map((s: Schema) => sampleOf(s, doc, hints, full, depth + 1)));
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set<string>(schema.required ?? []);
      for (const [name, prop] of Object.entries<Schema>(schema.properties ?? {})) {
        if (full || required.has(name)) out[name] = sampleOf(prop, doc, hints, full, depth + 1);
      }
      return out;
    }
    case 'array': {
      const n = Math.max(schema.minItems ?? 0, full ? 1 : 0);
      return Array.from({ length: n }, () => sampleOf(schema.items, doc, hints, full, depth + 1));
    }
    case 'string':
      return stringFor(schema, hints, SEED);
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, Math.min(1, schema.maximum ?? 1));
    case 'boolean':
      return true;
    default:
      return {};
  }
}

function resolve(ref: string, doc: Schema): Schema {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((node: Schema, key) => node?.[key], doc);
}

export type Path = (string | number)[];

/** Every place in a JSON value: its path and the value there. */
export function places(value: unknown, path: Path = []): { path: Path; value: unknown }[] {
  const here = [{ path, value }];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => places(v, [...path, i]))];
  if (value && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([k, v]) => places(v, [...path, k]))];
  return here;
}

/** A copy of `value` with the value at `path` replaced. */
export function withAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (!path.length) return replacement;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head!] = withAt(copy[head!], rest, replacement);
  return copy;
}

/** JSON nested `depth` levels deep, built as text (a recursive builder would itself overflow). */
export const deepJson = (depth: number, open = '{"a":', close = '}') => `${open.repeat(depth)}1${close.repeat(depth)}`;

export interface Variant {
  label: string;
  /** A JSON value to send, or `raw` JSON text when the value cannot be built as an object. */
  value?: unknown;
  raw?: string;
}

const wrongTypes: unknown[] = [12345, -1, 1.5, 1e308, true, null, [], {}, 'text', [1, 'two', null], { nested: { x: 1 } }];

/**
 * The malformed variants of a valid sample. `text`: bad text (NUL, lone surrogates) in each
 * string and in each object's keys, and nesting past the cap in each object — what the
 * database cannot hold. `other`: wrong types at each place, oversize strings and arrays, odd
 * keys, and random JSON (fast-check, seeded) in place of the whole and of parts.
 */
export function variantsOf(sample: unknown, r: Rng): { text: Variant[]; other: Variant[] } {
  const text: Variant[] = [];
  const other: Variant[] = [];
  const all = places(sample);
  for (const { path, value } of all) {
    const at = path.join('.') || '(root)';
    if (typeof value === 'string') {
      text.push({ label: `NUL in ${at}`, value: withAt(sample, path, `${value}\u0000x`) });
      text.push({ label: `lone surrogate in ${at}`, value: withAt(sample, path, `\ud800${value}`) });
      text.push({ label: `low surrogate alone in ${at}`, value: withAt(sample, path, `${value}\udfff`) });
      other.push({ label: `300 KB string in ${at}`, value: withAt(sample, path, 'x'.repeat(300_000)) });
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      text.push({ label: `NUL key in ${at}`, value: withAt(sample, path, { ...value, 'k\u0000': 'v' }) });
      text.push({ label: `surrogate key in ${at}`, value: withAt(sample, path, { ...value, '\udc00k': 'v' }) });
      const json = JSON.stringify(withAt(sample, path, { ...value, __deep__: 0 }));
      text.push({ label: `5000 deep in ${at}`, raw: json.replace('"__deep__":0', `"__deep__":${deepJson(5000)}`) });
      other.push({ label: `60 deep arrays in ${at}`, raw: json.replace('"__deep__":0', `"__deep__":${deepJson(60, '[', ']')}`) });
      other.push({ label: `__proto__ key in ${at}`, raw: json.replace('"__deep__":0', '"__proto__":{"polluted":true}') });
    }
    if (Array.isArray(value)) {
      other.push({
        label: `10,000 items in ${at}`,
        value: withAt(
          sample,
          path,
          Array.from({ length: 10_000 }, () => value[0] ?? 'x'),
        ),
      });
    }
    for (const wrong of r.take(wrongTypes, 2)) other.push({ label: `${JSON.stringify(wrong)} at ${at}`, value: withAt(sample, path, wrong) });
  }
  const seed = Math.floor(r.next() * 2 ** 31);
  const randomJson = fc.sample(fc.jsonValue({ maxDepth: 4 }), { seed, numRuns: 6 });
  randomJson.forEach((v, i) => other.push({ label: `random JSON #${i} as the whole`, value: v }));
  const parts = all.filter((p) => p.path.length > 0);
  if (parts.length) {
    randomJson.forEach((v, i) => {
      const { path } = r.pick(parts);
      other.push({ label: `random JSON #${i} at ${path.join('.')}`, value: withAt(sample, path, v) });
    });
  }
  return { text, other };
}

/** Bodies that are not the JSON they claim to be, with the headers that make them so. */
export const rawBodies: { label: string; body: string | Blob; headers: Record<string, string> }[] = [
  { label: 'malformed JSON', body: '{"a": ', headers: { 'content-type': 'application/json' } },
  { label: 'a bare NUL', body: '\u0000', headers: { 'content-type': 'application/json' } },
  { label: 'an escaped NUL as the whole body', body: '"\\u0000"', headers: { 'content-type': 'application/json' } },
  { label: 'a number past float range', body: '{"limit": 1e999, "name": 1e999}', headers: { 'content-type': 'application/json' } },
  { label: 'gzip that is not gzip', body: '{"name":"x"}', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } },
  { label: 'deflate that is not deflate', body: 'not deflate', headers: { 'content-type': 'application/json', 'content-encoding': 'deflate' } },
  { label: 'brotli that is not brotli', body: 'not brotli', headers: { 'content-type': 'application/json', 'content-encoding': 'br' } },
  { label: 'an unknown encoding', body: '{}', headers: { 'content-type': 'application/json', 'content-encoding': 'x-fuzz' } },
  { label: 'an unknown charset', body: '{}', headers: { 'content-type': 'application/json; charset=x-fuzz' } },
  { label: 'a latin1 charset', body: '{}', headers: { 'content-type': 'application/json; charset=latin1' } },
  { label: 'a mangled content type', body: '{}', headers: { 'content-type': 'application/json; charset' } },
  { label: 'text/plain', body: '{}', headers: { 'content-type': 'text/plain' } },
  { label: 'no content type', body: '{}', headers: {} },
  {
    label: 'invalid UTF-8',
    body: new Blob([new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x22, 0x7d])]),
    headers: { 'content-type': 'application/json' },
  },
  { label: 'a body just over 1 MB', body: JSON.stringify({ name: 'x'.repeat(1024 * 1024) }), headers: { 'content-type': 'application/json' } },
];

const csv = (text: string) => new Blob([text], { type: 'text/csv' });
const multipart = (boundary: string, body: string) => ({ body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });

/** Files for the upload route: cells and headers the database cannot hold, lying formats, broken envelopes. */
export const fileBodies: { label: string; body: string | Blob; headers: Record<string, string> }[] = [
  {
    label: 'CSV with NUL in cells and a header',
    body: csv('name,phone,no\u0000te\nA\u0000n,13912345678,x\u0000\nBo,13912345679,y\n'),
    headers: { 'content-type': 'text/csv' },
  },
  { label: 'CSV of NUL bytes', body: csv('\u0000'.repeat(5000)), headers: { 'content-type': 'text/csv' } },
  {
    label: 'UTF-16 BOM then an odd number of bytes',
    body: new Blob([new Uint8Array([0xff, 0xfe, 0x41, 0x00, 0x00, 0xd8, 0x42])]),
    headers: { 'content-type': 'text/csv' },
  },
  {
    label: 'a ZIP header and garbage as XLSX',
    body: new Blob([new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8, 9])]),
    headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  },
  {
    label: 'an OLE header (legacy .xls)',
    body: new Blob([new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])]),
    headers: { 'content-type': 'application/vnd.ms-excel' },
  },
  { label: 'gzip that is not gzip', body: 'phone\n13912345678\n', headers: { 'content-type': 'text/csv', 'content-encoding': 'gzip' } },
  { label: 'an unterminated quote', body: 'name,phone\n"Ann,13912345678\n', headers: { 'content-type': 'text/csv' } },
  { label: 'an empty body', body: '', headers: { 'content-type': 'text/csv' } },
  {
    label: 'multipart without a closing boundary',
    ...multipart('b0undary', '--b0undary\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nphone\n1'),
  },
  { label: 'multipart with no boundary', body: 'x', headers: { 'content-type': 'multipart/form-data' } },
  {
    label: 'multipart with a NUL filename',
    ...multipart(
      'b',
      '--b\r\nContent-Disposition: form-data; name="file"; filename="a\u0000.csv"\r\nContent-Type: text/csv\r\n\r\nphone\n13912345678\r\n--b--\r\n',
    ),
  },
  { label: 'JSON instead of a file', body: '{"phone":"13912345678"}', headers: { 'content-type': 'application/json' } },
];

/** Query and path values that are malformed, oversized or of the wrong type (already URL-encoded). */
export const badParams = [
  '%00',
  'a%00b',
  '%ED%A0%80',
  '%F0%9F%98',
  '%',
  '%zz',
  'x'.repeat(5000),
  '-1',
  '0',
  '1.5',
  '1e309',
  'NaN',
  '99999999999999999999',
  '',
  'true',
  '%20',
  '..%2F..%2Fetc%2Fpasswd',
  '00000000-0000-0000-0000-000000000000',
];

const b64 = (text: string) => Buffer.from(text).toString('base64url');
/** Cursors that decode to no valid position. */
export const badCursors = [
  'garbage',
  b64('v1:99999999999999999999'),
  b64('v1:9223372036854775808'),
  b64('v1:-5'),
  b64('v1:1.5'),
  b64('v1:'),
  b64('v1:ZZZZZZZZ-0000-0000-0000-000000000000'),
  b64('v2:1'),
  b64('v1:\u0000'),
  b64(`v1:${'9'.repeat(400)}`),
];

// Each pattern is anchored so that it runs in linear time over a long body (a 300 KB run of
// word characters must not be re-scanned from every position).
const LEAKS: [RegExp, string][] = [
  [/\n\s{1,20}at [^\n]{1,300}:\d+:\d+|\bat (?:async )?(?<![\w$.<>])[\w$.<>]{1,200} \((?:file:|node:|\/)[^)\n]{0,300}\)/, 'a stack trace'],
  [/node_modules|(?:^|[\s"'(])\/(?:work|home|root|tmp|usr|srv|opt|var)\/|(?<![\w-])[\w-]{1,100}\.(?:ts|mjs|cjs):\d+/, 'a file path'],
  [
    /\bselect\s[^\n]{0,200}?\sfrom\s|\binsert\s+into\b|\bupdate\s+\w+\s+set\b|\bdelete\s+from\b|\bon\s+conflict\b|relation "|violates [\w ]*constraint|syntax error at or near|invalid input syntax|invalid byte sequence|unsupported Unicode escape|duplicate key value|\bpg_[a-z_]+\(/i,
    'SQL or a database error',
  ],
];

/** What a response body gives away that it must not (null when nothing). */
export function leakIn(text: string): string | null {
  for (const [re, what] of LEAKS) {
    const m = re.exec(text);
    if (m) return `${what}: …${text.slice(Math.max(0, m.index - 40), m.index + 80)}…`;
  }
  return null;
}

/** Runs `tasks` with at most `n` in flight (the server is one process on a small machine). */
export async function inParallel<T>(tasks: (() => Promise<T>)[], n: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}
