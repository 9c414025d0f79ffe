/**
 * The audio cache: speech is synthesised ahead of the call (by the worker, before it places
 * it), stored encrypted, and served to the carrier at `{PUBLIC_BASE_URL}/media/{key}`, so
 * the call's instructions never wait on text-to-speech.
 */
import type { Deps } from '../deps.ts';
import type { Speech, SpeechRequest } from '../ports.ts';

/** 64 lowercase hex characters: the shape of every key mediaKey makes. */
export const MEDIA_KEY = /^[0-9a-f]{64}$/;

/** How stale `last_used_at` may get before a use refreshes it: one write an hour, not one per call. */
const TOUCH_AFTER = '1 hour';

/**
 * The cache key: a keyed HMAC (not a plain hash, so nobody holding a key can confirm a
 * guessed name) over the tenant and a canonical form of the request. Unset rate and pitch
 * mean the voice's natural 1.0 and 0, as the vendor reads them, so both spellings share audio.
 */
export function mediaKey(deps: Pick<Deps, 'pii'>, tenantId: string, request: SpeechRequest): string {
  const canonical = JSON.stringify([
    tenantId,
    request.text ?? null,
    request.ssml ?? null,
    request.languageCode,
    request.voiceName ?? null,
    request.speakingRate || 1,
    request.pitch ?? 0,
  ]);
  return deps.pii.keyedHash('media/v1', canonical).toString('hex');
}

/** Where the carrier fetches the audio of a key: `{publicBaseUrl}/media/{key}` (api/routes/media.ts). */
export const mediaUrl = (publicBaseUrl: string, key: string): string => `${publicBaseUrl.replace(/\/$/, '')}/media/${key}`;

// Callers in one process asking for the same audio at once share one synthesis.
const inflight = new Map<string, Promise<void>>();

/**
 * Makes sure the audio for `request` is stored and returns its key; synthesises only when it
 * is not. Processes racing on a new key may each synthesise, but only the first stores
 * (`on conflict do nothing`), so every caller gets the same key and the same bytes.
 * Synthesis errors (AppError from the Speech connector) propagate for the job to retry.
 */
export async function ensureAudio(deps: Deps, speech: Speech, tenantId: string, request: SpeechRequest): Promise<string> {
  const key = mediaKey(deps, tenantId, request);
  // Joined before anything is awaited: a caller arriving while another looks the key up or
  // synthesises it waits for that, rather than finding no row yet and synthesising again.
  let pending = inflight.get(key);
  if (!pending) {
    pending = (async () => {
      const { rows } = await deps.db.query<{ stale: boolean }>(`select last_used_at < now() - interval '${TOUCH_AFTER}' as stale from media where key = $1`, [
        key,
      ]);
      if (rows[0]) {
        if (rows[0].stale) await deps.db.query('update media set last_used_at = now() where key = $1', [key]);
        return;
      }
      const { audio, contentType } = await speech.synthesize(request);
      await deps.db.query(
        `insert into media (key, tenant_id, content_type, audio_enc, bytes) values ($1, $2, $3, $4, $5)
         on conflict (key) do nothing`,
        [key, tenantId, contentType, deps.pii.encryptBytes(audio), audio.length],
      );
    })().finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  await pending;
  return key;
}

/** The stored audio for a key, decrypted; null for an unknown or malformed key. */
export async function readAudio(deps: Pick<Deps, 'db' | 'pii'>, key: string): Promise<{ audio: Buffer; contentType: string } | null> {
  if (!MEDIA_KEY.test(key)) return null;
  const { rows } = await deps.db.query<{ content_type: string; audio_enc: Buffer }>('select content_type, audio_enc from media where key = $1', [key]);
  const row = rows[0];
  if (!row) return null;
  return { audio: deps.pii.decryptBytes(row.audio_enc), contentType: row.content_type };
}

/**
 * Drops audio no call has needed since `before` (one tenant's, or everyone's); returns how
 * many. Keys are per master key, so after a key rotation old audio is never used again and
 * ages out here.
 */
export async function evictAudio(deps: Pick<Deps, 'db'>, before: Date, tenantId?: string): Promise<number> {
  const { rowCount } = tenantId
    ? await deps.db.query('delete from media where tenant_id = $1 and last_used_at < $2', [tenantId, before])
    : await deps.db.query('delete from media where last_used_at < $1', [before]);
  return rowCount ?? 0;
}
