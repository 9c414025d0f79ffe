/**
 * Streaming byte → text decoding with encoding detection, for uploaded CSV files.
 *
 * What users actually upload: UTF-8 with a BOM (Excel "CSV UTF-8"), UTF-8 without one
 * (Google Sheets, Numbers, most software), GB18030/GBK (Excel "CSV" on a Chinese Windows)
 * and UTF-16 with a BOM (Excel "Unicode text", tab-separated). Nothing declares its
 * encoding, so we look at the bytes.
 */

/** What the readers accept: an upload stream, a file stream, or any async byte source. */
export type ByteInput = AsyncIterable<Buffer | Uint8Array> | NodeJS.ReadableStream;

/** `utf-8-bom` is UTF-8 that starts with a byte-order mark (Excel's "CSV UTF-8"). */
export type DetectedEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'gb18030';

export interface DecodeOptions {
  /** Called once, as soon as the encoding is known (at the latest when input ends). */
  onEncoding?: (encoding: DetectedEncoding) => void;
  /** Bytes after the first non-ASCII byte that must be valid UTF-8 to choose UTF-8. */
  sniffBytes?: number;
}

type Chunk = Buffer | Uint8Array | string;

const defaultSniffBytes = 8 * 1024;

/**
 * Yields the input as text, chunk by chunk, with any BOM removed. Memory stays bounded:
 * ASCII is the same in every candidate encoding (UTF-16 aside, which needs a BOM here),
 * so leading ASCII is passed through at once and only the bytes from the first non-ASCII
 * byte on are held, until `sniffBytes` more have arrived or the input ends.
 */
export async function* decodeStream(input: AsyncIterable<Chunk>, options: DecodeOptions = {}): AsyncGenerator<string> {
  const sniffBytes = options.sniffBytes ?? defaultSniffBytes;
  let decoder: TextDecoder | undefined;
  let held: Buffer = Buffer.alloc(0); // undecided bytes: a BOM candidate or the sniff window
  let bomChecked = false;
  let sniffStart = -1; // offset in `held` of the first non-ASCII byte

  const choose = (encoding: DetectedEncoding): TextDecoder => {
    options.onEncoding?.(encoding);
    // ignoreBOM: false (the default) makes TextDecoder drop a leading BOM for us.
    return new TextDecoder(encoding === 'utf-8-bom' ? 'utf-8' : encoding);
  };

  for await (const chunk of input) {
    if (typeof chunk === 'string') {
      // Someone called setEncoding() on the stream: it is text already.
      if (!decoder) decoder = choose('utf-8');
      if (chunk) yield chunk;
      continue;
    }
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (decoder) {
      const text = decoder.decode(bytes, { stream: true });
      if (text) yield text;
      continue;
    }

    held = held.length === 0 ? bytes : Buffer.concat([held, bytes]);
    if (!bomChecked) {
      if (held.length < 3) continue;
      bomChecked = true;
      const bom = bomEncoding(held);
      if (bom) {
        decoder = choose(bom);
        const text = decoder.decode(held, { stream: true });
        held = Buffer.alloc(0);
        if (text) yield text;
        continue;
      }
    }

    if (sniffStart < 0) {
      const firstHigh = firstNonAscii(held);
      if (firstHigh < 0) {
        // Pure ASCII so far: identical in UTF-8 and GB18030, so hand it on now.
        yield held.toString('latin1');
        held = Buffer.alloc(0);
        continue;
      }
      if (firstHigh > 0) yield held.toString('latin1', 0, firstHigh);
      held = held.subarray(firstHigh);
      sniffStart = 0;
    }
    if (held.length < sniffBytes) continue;

    decoder = choose(looksLikeUtf8(held) ? 'utf-8' : 'gb18030');
    const text = decoder.decode(held, { stream: true });
    held = Buffer.alloc(0);
    if (text) yield text;
  }

  if (!decoder) {
    // Input ended while still undecided: a short file, or one that is all ASCII.
    const bom = bomEncoding(held);
    const encoding = bom ?? (firstNonAscii(held) >= 0 && !looksLikeUtf8(held) ? 'gb18030' : 'utf-8');
    decoder = choose(encoding);
    const text = decoder.decode(held, { stream: true });
    if (text) yield text;
  }
  const tail = decoder.decode(); // flushes a truncated sequence as U+FFFD
  if (tail) yield tail;
}

function bomEncoding(b: Buffer): DetectedEncoding | undefined {
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf-8-bom';
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  return undefined;
}

function firstNonAscii(b: Buffer): number {
  for (let i = 0; i < b.length; i++) if ((b[i] as number) >= 0x80) return i;
  return -1;
}

/**
 * Is this window valid UTF-8? `stream: true` keeps a multi-byte sequence cut at the
 * window's end from counting as an error. GBK text is practically never valid UTF-8
 * over a few KB (its lead bytes are mostly followed by bytes UTF-8 forbids there).
 */
function looksLikeUtf8(window: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(window, { stream: true });
    return true;
  } catch {
    return false;
  }
}
