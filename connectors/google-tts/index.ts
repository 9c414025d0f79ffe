/**
 * Google Cloud Text-to-Speech behind core's Speech port: MP3 for Twilio's <Play>.
 */
import { AppError } from '../../core/errors.ts';
import type { Speech, SpeechRequest } from '../../core/ports.ts';
import { ttsClient } from './client.ts';
import { googleTtsCredentials, type GoogleTtsCredentials } from './schemas.ts';

export type GoogleTtsConnector = Speech & {
  /** Releases the client's keep-alive connections. */
  close(): Promise<void>;
};

export interface GoogleTtsConnectorOptions {
  /** Per-request timeout; default 15 s. */
  timeoutMs?: number;
}

/** google.rpc.Code numbers as HTTP statuses (https://cloud.google.com/apis/design/errors#handling_errors). */
export const GRPC_TO_HTTP: Record<number, number> = { 3: 400, 5: 404, 7: 403, 8: 429, 9: 400, 11: 400, 13: 500, 14: 503, 16: 401 };

/**
 * Google's errors as ours. In REST mode an HTTP error reaches us as the transport's error
 * (GaxiosError: `status` is the HTTP status, `message` Google's JSON body); an error the SDK
 * makes itself is a GoogleError with a gRPC `code`; a network failure or timeout has no
 * status at all — then a caller cannot know whether Google did the work, which for
 * synthesis (no side effect) is harmless to retry.
 */
function upstream(err: unknown): AppError {
  const e = err as { status?: unknown; code?: unknown; message?: unknown; name?: unknown };
  const httpStatus = typeof e.status === 'number' ? e.status : typeof e.code === 'number' ? GRPC_TO_HTTP[e.code] : undefined;
  let vendorStatus: string | undefined;
  try {
    // Only Google's status name is kept: its message may quote the input, which can hold a name.
    const parsed = JSON.parse(String(e.message)) as { error?: { status?: unknown } };
    if (typeof parsed.error?.status === 'string') vendorStatus = parsed.error.status;
  } catch {
    // not Google's JSON body (a network error, or an error the SDK raised itself)
  }
  const detail =
    httpStatus === undefined
      ? `no answer from Google (${String(typeof e.code === 'string' ? e.code : (e.name ?? 'unknown'))})`
      : `HTTP ${httpStatus}${vendorStatus ? ` ${vendorStatus}` : ''}`;
  const details = { ...(httpStatus === undefined ? {} : { httpStatus }), ...(vendorStatus ? { vendorStatus } : {}) };
  const what = 'synthesising speech';
  if (httpStatus === 400 || httpStatus === 413)
    return new AppError('VALIDATION', `${what}: Google refused the request (${detail})`, { cause: err, retryable: false, details });
  if (httpStatus === 401 || httpStatus === 403)
    return new AppError('UPSTREAM', `${what}: Google refused the credentials (${detail})`, { cause: err, retryable: false, details });
  if (httpStatus === 429) return new AppError('RATE_LIMITED', `${what}: ${detail}`, { cause: err, details });
  if (httpStatus !== undefined && httpStatus < 500) return new AppError('UPSTREAM', `${what}: ${detail}`, { cause: err, retryable: false, details });
  return new AppError('UPSTREAM', `${what}: ${detail}`, { cause: err, retryable: true, details });
}

export function createGoogleTtsConnector(credentials: GoogleTtsCredentials, options: GoogleTtsConnectorOptions = {}): GoogleTtsConnector {
  const client = ttsClient(googleTtsCredentials.parse(credentials), { timeoutMs: options.timeoutMs ?? 15_000 });
  return {
    synthesize: async (request: SpeechRequest) => {
      if ((request.text === undefined) === (request.ssml === undefined)) {
        throw new AppError('VALIDATION', 'give exactly one of text or ssml to synthesise', { field: 'text' });
      }
      let audio: Buffer;
      try {
        const [response] = await client.synthesizeSpeech(
          {
            input: request.text !== undefined ? { text: request.text } : { ssml: request.ssml },
            voice: { languageCode: request.languageCode, ...(request.voiceName ? { name: request.voiceName } : {}) },
            audioConfig: {
              audioEncoding: 'MP3',
              ...(request.speakingRate === undefined ? {} : { speakingRate: request.speakingRate }),
              ...(request.pitch === undefined ? {} : { pitch: request.pitch }),
            },
          },
          // No retries inside the SDK: the job queue owns retries (with backoff and a dead
          // letter), and the SDK's default would retry UNAVAILABLE for up to 10 minutes.
          { retry: null },
        );
        const content = response.audioContent ?? new Uint8Array();
        audio = typeof content === 'string' ? Buffer.from(content, 'base64') : Buffer.from(content);
      } catch (err) {
        throw upstream(err);
      }
      if (audio.length === 0) throw new AppError('UPSTREAM', 'synthesising speech: Google returned no audio', { retryable: true });
      return { audio, contentType: 'audio/mpeg' };
    },
    close: () => client.close(),
  };
}
