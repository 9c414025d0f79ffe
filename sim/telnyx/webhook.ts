// Deliveries from the "carrier" to the application: each event is a JSON body
// `{ "data": { record_type: "event", id, event_type, occurred_at, payload } }` POSTed to the
// webhook URL, signed with Ed25519 (`webhook_url_method: GET` is not simulated: always POST).
// Deliveries of one call keep their order; the audio a call plays is fetched here too.
import { randomUUID } from 'node:crypto';
import type { SimClock } from '../twilio/clock.ts';
import type { WebhookSigner } from './signature.ts';

export interface Delivery {
  eventType: string;
  url: string;
  /** The exact body sent. */
  body: string;
  /** HTTP status the application answered with, or the network error. */
  response: number | string;
}

export interface TelnyxEvent {
  record_type: 'event';
  id: string;
  event_type: string;
  occurred_at: string;
  payload: Record<string, unknown>;
}

export function eventOf(clock: SimClock, eventType: string, payload: Record<string, unknown>): TelnyxEvent {
  return { record_type: 'event', id: randomUUID(), event_type: eventType, occurred_at: clock.now().toISOString(), payload };
}

/** POSTs the event, signed; `meta` (attempt, delivered_to) where the event's schema has it. */
export async function deliver(signer: WebhookSigner, url: string, event: TelnyxEvent, signal?: AbortSignal, meta?: Record<string, unknown>): Promise<Delivery> {
  const body = JSON.stringify(meta ? { data: event, meta } : { data: event });
  const delivery: Delivery = { eventType: event.event_type, url, body, response: 0 };
  try {
    const res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': 'telnyx-webhooks', ...signer.headers(body) },
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(10_000)]) : AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    delivery.response = res.status;
  } catch (err) {
    delivery.response = String(err instanceof Error ? err.message : err);
  }
  return delivery;
}

export interface MediaResponse {
  status: number;
  contentType: string;
  bytes: number;
}

/** GETs an `audio_url` as Telnyx's media fetcher does: the body is counted, not kept. */
export async function fetchMedia(url: string, signal?: AbortSignal): Promise<MediaResponse> {
  const res = await fetch(url, { signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(15_000)]) : AbortSignal.timeout(15_000) });
  const bytes = (await res.arrayBuffer()).byteLength;
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', bytes };
}
