// Webhook delivery as Shopify does it: a JSON POST to the subscription's URL, signed with
// X-Shopify-Hmac-Sha256 (base64 HMAC-SHA256 of the raw body, keyed with the app's API
// secret), with the topic, shop, API version, a webhook id that a retry repeats, the
// event id and when the event was triggered.
// https://shopify.dev/docs/apps/build/webhooks/verify-deliveries
// https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates
import { createHmac, randomUUID } from 'node:crypto';
import type { JsonObject, SentTopic as Topic } from './vendor.ts';

/** base64(HMAC-SHA256(secret, raw body)) — the value of X-Shopify-Hmac-Sha256. */
export function shopifyHmac(secret: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

export interface DeliveryAttempt {
  at: string;
  /** The HTTP status the app answered, or null when the request failed. */
  status: number | null;
  error?: string;
  /** True when this attempt was signed with a secret other than the app's. */
  forged: boolean;
  headers: Record<string, string>;
}

export interface WebhookDelivery {
  webhookId: string;
  eventId: string;
  topic: Topic;
  url: string;
  /** The exact bytes sent (every attempt sends the same). */
  body: string;
  payload: JsonObject;
  triggeredAt: string;
  attempts: DeliveryAttempt[];
}

export interface SendOptions {
  /** Sign with this secret instead of the app's (a forgery the app must reject). */
  secret?: string;
}

export interface WebhookSenderConfig {
  shop: string;
  apiSecret: string;
  apiVersion: string;
  /** The subscription's URL for a topic, or undefined when nothing is subscribed. */
  urlFor: (topic: Topic) => string | undefined;
  now: () => Date;
}

export class WebhookSender {
  readonly deliveries: WebhookDelivery[] = [];
  constructor(private readonly config: WebhookSenderConfig) {}

  /** A new event on `topic`: recorded, and POSTed when a subscription exists. */
  async send(topic: Topic, payload: JsonObject, options: SendOptions = {}): Promise<WebhookDelivery> {
    const url = this.config.urlFor(topic);
    const delivery: WebhookDelivery = {
      webhookId: randomUUID(),
      eventId: randomUUID(),
      topic,
      url: url ?? '',
      body: JSON.stringify(payload),
      payload,
      triggeredAt: this.config.now().toISOString(),
      attempts: [],
    };
    this.deliveries.push(delivery);
    if (url) await this.attempt(delivery, options);
    return delivery;
  }

  /** Shopify's retry of a delivery: same webhook id, event id, topic and body. */
  async redeliver(webhookId: string, options: SendOptions = {}): Promise<WebhookDelivery> {
    const delivery = this.deliveries.find((d) => d.webhookId === webhookId);
    if (!delivery) throw new Error(`no webhook ${webhookId} was sent`);
    if (!delivery.url) throw new Error(`webhook ${webhookId} (${delivery.topic}) had no subscription to deliver to`);
    await this.attempt(delivery, options);
    return delivery;
  }

  private async attempt(delivery: WebhookDelivery, options: SendOptions): Promise<void> {
    const secret = options.secret ?? this.config.apiSecret;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': delivery.topic,
      'X-Shopify-Shop-Domain': this.config.shop,
      'X-Shopify-Hmac-Sha256': shopifyHmac(secret, delivery.body),
      'X-Shopify-Webhook-Id': delivery.webhookId,
      'X-Shopify-API-Version': this.config.apiVersion,
      'X-Shopify-Triggered-At': delivery.triggeredAt,
      'X-Shopify-Event-Id': delivery.eventId,
      'User-Agent': 'Shopify-Captain-Hook',
    };
    const attempt: DeliveryAttempt = { at: this.config.now().toISOString(), status: null, forged: secret !== this.config.apiSecret, headers };
    delivery.attempts.push(attempt);
    try {
      // Shopify gives up on an answer after 5 s and counts it as a failure.
      const res = await fetch(delivery.url, { method: 'POST', headers, body: delivery.body, signal: AbortSignal.timeout(5000) });
      attempt.status = res.status;
      await res.arrayBuffer();
    } catch (err) {
      attempt.error = err instanceof Error ? err.message : String(err);
    }
  }
}
