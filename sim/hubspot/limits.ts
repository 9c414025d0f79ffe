// HubSpot's API limits per token: a rolling ten-second window (100 requests for a free or
// Starter private app, 190 on Professional/Enterprise), a daily allowance (reset at
// midnight; UTC here), and the search endpoints' own per-second limit. Over a limit the
// answer is 429 with `policyName` saying which; every other answer carries the
// X-HubSpot-RateLimit-* headers (search answers carry none, as HubSpot's do not).
// https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details
import { HubspotApiError } from './errors.ts';

export interface RateLimitOptions {
  /** Requests per rolling 10 s per token; default 100. 0 turns it off. */
  perTenSeconds?: number;
  /** Requests per day per token; default 250,000. 0 turns it off. */
  daily?: number;
  /** Search requests per second per token; default 5. 0 turns it off. */
  searchPerSecond?: number;
}

const TEN_SECONDS = 10_000;

export class RateLimiter {
  private readonly windows = new Map<string, number[]>();
  private readonly searches = new Map<string, number[]>();
  private readonly days = new Map<string, { day: string; count: number }>();
  readonly perTenSeconds: number;
  readonly daily: number;
  readonly searchPerSecond: number;

  constructor(
    options: RateLimitOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.perTenSeconds = options.perTenSeconds ?? 100;
    this.daily = options.daily ?? 250_000;
    this.searchPerSecond = options.searchPerSecond ?? 5;
  }

  /** Counts one request, or throws the 429 HubSpot would answer. Returns the headers to send. */
  take(token: string, isSearch: boolean): Record<string, string> {
    const now = this.now();
    const window = recent(this.windows, token, now - TEN_SECONDS);
    const day = new Date(now).toISOString().slice(0, 10);
    let daily = this.days.get(token);
    if (daily?.day !== day) this.days.set(token, (daily = { day, count: 0 }));

    if (this.daily && daily.count >= this.daily) {
      throw limited('DAILY', 'You have reached your daily limit.', this.headers(window.length, daily.count));
    }
    if (this.perTenSeconds && window.length >= this.perTenSeconds) {
      throw limited('TEN_SECONDLY_ROLLING', 'You have reached your ten_secondly_rolling limit.', this.headers(window.length, daily.count));
    }
    if (isSearch && this.searchPerSecond) {
      const searches = recent(this.searches, token, now - 1000);
      // The client's retry decorator recognises exactly this message.
      if (searches.length >= this.searchPerSecond) throw limited('SECONDLY', 'You have reached your secondly limit.', {});
      searches.push(now);
    }
    window.push(now);
    daily.count += 1;
    return isSearch ? {} : this.headers(window.length, daily.count);
  }

  private headers(inWindow: number, today: number): Record<string, string> {
    const h: Record<string, string> = {};
    if (this.daily) {
      h['X-HubSpot-RateLimit-Daily'] = String(this.daily);
      h['X-HubSpot-RateLimit-Daily-Remaining'] = String(Math.max(0, this.daily - today));
    }
    if (this.perTenSeconds) {
      h['X-HubSpot-RateLimit-Interval-Milliseconds'] = String(TEN_SECONDS);
      h['X-HubSpot-RateLimit-Max'] = String(this.perTenSeconds);
      h['X-HubSpot-RateLimit-Remaining'] = String(Math.max(0, this.perTenSeconds - inWindow));
      // The older per-second pair HubSpot still sends (a tenth of the window).
      h['X-HubSpot-RateLimit-Secondly'] = String(Math.floor(this.perTenSeconds / 10));
      h['X-HubSpot-RateLimit-Secondly-Remaining'] = String(Math.max(0, Math.floor((this.perTenSeconds - inWindow) / 10)));
    }
    return h;
  }
}

function recent(map: Map<string, number[]>, token: string, since: number): number[] {
  const list = (map.get(token) ?? []).filter((t) => t > since);
  map.set(token, list);
  return list;
}

function limited(policyName: string, message: string, headers: Record<string, string>) {
  return new HubspotApiError(429, 'RATE_LIMITS', message, { errorType: 'RATE_LIMIT', policyName, requestId: crypto.randomUUID() }, headers);
}
