/**
 * Real, deterministic audio files of silence, as long as the text would take to say:
 * players (and Twilio's <Play>) accept them, tests can parse them, and the same request
 * always yields the same bytes.
 *
 * - MP3: MPEG-1 Layer III frames, 32 kbit/s (the bitrate Google documents for MP3), mono,
 *   32 kHz — 144-byte frames of 1,152 samples (36 ms) whose side information is all zero,
 *   which decoders play as silence.
 * - LINEAR16, MULAW, ALAW: a RIFF/WAVE header then silent samples, as Google returns them
 *   ("audio content returned as LINEAR16/MULAW/ALAW also contains a WAV header").
 * - OGG_OPUS: an Ogg stream with OpusHead, OpusTags and 20 ms packets each holding one
 *   empty (DTX) frame — a valid, silent Opus file.
 */

export const audioEncodings = ['LINEAR16', 'MP3', 'OGG_OPUS', 'MULAW', 'ALAW'] as const;
export type AudioEncoding = (typeof audioEncodings)[number];

/** Proto enum numbers (google.cloud.texttospeech.v1.AudioEncoding): the client sends these. */
export const audioEncodingNumbers: Record<number, AudioEncoding | 'AUDIO_ENCODING_UNSPECIFIED' | 'PCM' | 'M4A'> = {
  0: 'AUDIO_ENCODING_UNSPECIFIED',
  1: 'LINEAR16',
  2: 'MP3',
  3: 'OGG_OPUS',
  5: 'MULAW',
  6: 'ALAW',
  7: 'PCM',
  8: 'M4A',
};

/** About 12 characters a second at the natural rate (60–80 ms a character in practice). */
const MS_PER_CHARACTER = 80;

/** How long the spoken text lasts: proportional to its length (SSML tags not counted), over the rate. */
export function durationMs(spoken: string, speakingRate: number): number {
  const characters = [...spoken].length;
  return Math.max(200, Math.round((characters * MS_PER_CHARACTER) / (speakingRate || 1)));
}

export function synthesizeSilence(encoding: AudioEncoding, ms: number, sampleRateHertz?: number): Buffer {
  switch (encoding) {
    case 'MP3':
      return mp3(ms);
    case 'LINEAR16':
      return wav(1, 16, sampleRateHertz || 24_000, ms, 0);
    case 'MULAW':
      return wav(7, 8, sampleRateHertz || 8_000, ms, 0xff); // G.711 µ-law silence
    case 'ALAW':
      return wav(6, 8, sampleRateHertz || 8_000, ms, 0xd5); // G.711 A-law silence
    case 'OGG_OPUS':
      return oggOpus(ms);
  }
}

const MP3_FRAME_BYTES = 144; // 144 × 32,000 / 32,000, no padding
const MP3_FRAME_MS = 36; // 1,152 samples at 32 kHz

function mp3(ms: number): Buffer {
  const frames = Math.max(1, Math.ceil(ms / MP3_FRAME_MS));
  const out = Buffer.alloc(frames * MP3_FRAME_BYTES);
  for (let i = 0; i < frames; i++) {
    // sync + MPEG-1 + Layer III + no CRC | 32 kbit/s, 32 kHz | mono, original
    out.set([0xff, 0xfb, 0x18, 0xc4], i * MP3_FRAME_BYTES);
  }
  return out;
}

function wav(format: number, bitsPerSample: number, rate: number, ms: number, silence: number): Buffer {
  const blockAlign = bitsPerSample / 8;
  const dataBytes = Math.round((rate * ms) / 1000) * blockAlign;
  const out = Buffer.alloc(44 + dataBytes, silence);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVEfmt ', 8, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(format, 20);
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(rate, 24);
  out.writeUInt32LE(rate * blockAlign, 28);
  out.writeUInt16LE(blockAlign, 32);
  out.writeUInt16LE(bitsPerSample, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataBytes, 40);
  return out;
}

// Ogg's CRC-32: polynomial 0x04c11db7, no reflection, initial value 0.
const CRC_TABLE = Array.from({ length: 256 }, (_, i) => {
  let r = i << 24;
  for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  return r >>> 0;
});

function oggPage(packets: Buffer[], flags: number, granule: bigint, sequence: number): Buffer {
  const lacing: number[] = [];
  for (const p of packets) {
    for (let left = p.length; ; left -= 255) {
      lacing.push(Math.min(left, 255));
      if (left < 255) break;
    }
  }
  const header = Buffer.alloc(27 + lacing.length);
  header.write('OggS', 0, 'ascii');
  header[5] = flags;
  header.writeBigUInt64LE(granule, 6);
  header.writeUInt32LE(0x43484c4e, 14); // stream serial number: fixed, so the bytes are deterministic
  header.writeUInt32LE(sequence, 18);
  header[26] = lacing.length;
  header.set(lacing, 27);
  const page = Buffer.concat([header, ...packets]);
  let crc = 0;
  for (const byte of page) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  page.writeUInt32LE(crc, 22);
  return page;
}

function oggOpus(ms: number): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'ascii');
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(312, 10); // pre-skip (the encoder's usual 6.5 ms at 48 kHz)
  head.writeUInt32LE(24_000, 12); // the input's sample rate, informational
  const vendor = Buffer.from('chaseline-sim', 'ascii');
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write('OpusTags', 0, 'ascii');
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  // TOC 0xf8: CELT fullband 20 ms, one frame — with no frame bytes, a DTX (silent) frame.
  const packets = Math.max(1, Math.ceil(ms / 20));
  const pages = [oggPage([head], 0x02, 0n, 0), oggPage([tags], 0x00, 0n, 1)];
  const PER_PAGE = 250; // fewer than 255 lacing values a page
  for (let done = 0, seq = 2; done < packets; seq++) {
    const n = Math.min(PER_PAGE, packets - done);
    done += n;
    const granule = BigInt(done * 960 + 312); // 48 kHz samples, pre-skip included
    pages.push(
      oggPage(
        Array.from({ length: n }, () => Buffer.from([0xf8])),
        done === packets ? 0x04 : 0x00,
        granule,
        seq,
      ),
    );
  }
  return Buffer.concat(pages);
}
