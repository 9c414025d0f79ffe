/**
 * The twilio SDK, optionally pointed at a Twilio-compatible endpoint. The SDK has no
 * base-URL option, so its RequestClient is subclassed to rewrite the https://*.twilio.com
 * origin: the simulator and real Twilio go through the same SDK code.
 */
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';

export class RebasedRequestClient extends twilio.RequestClient {
  private readonly base: URL;

  constructor(apiBaseUrl: string, options: RequestClient.RequestClientOptions = {}) {
    super(options);
    this.base = new URL(apiBaseUrl);
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const uri = new URL(opts.uri);
    if (uri.hostname.endsWith('.twilio.com')) {
      uri.protocol = this.base.protocol;
      uri.host = this.base.host;
      uri.pathname = this.base.pathname.replace(/\/$/, '') + uri.pathname;
    }
    return super.request<TData>({ ...opts, uri: uri.toString() });
  }
}

/**
 * `timeoutMs` bounds each request (the SDK's own default is 30 s), so a worker does not
 * hang on an answer that may never come; a timeout is then an error without an HTTP status.
 */
export function twilioClient(accountSid: string, authToken: string, options: { apiBaseUrl?: string | undefined; timeoutMs: number }) {
  const { apiBaseUrl, timeoutMs } = options;
  return twilio(accountSid, authToken, apiBaseUrl ? { httpClient: new RebasedRequestClient(apiBaseUrl, { timeout: timeoutMs }) } : { timeout: timeoutMs });
}
