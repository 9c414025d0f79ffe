// Points the real twilio SDK at the simulator. The SDK has no base-URL option, so its
// RequestClient is subclassed to rewrite the https://*.twilio.com origin — the SDK's
// own serialisation, auth header and error handling stay exactly as in production.
import twilio from 'twilio';
import type BaseRequestClient from 'twilio/lib/base/RequestClient.js';

export class SimRequestClient extends twilio.RequestClient {
  constructor(private readonly simUrl: string) {
    super();
  }

  override request<TData>(opts: BaseRequestClient.RequestOptions<TData>) {
    const uri = opts.uri.replace(/^https:\/\/[a-z0-9.-]*twilio\.com/i, this.simUrl);
    return super.request<TData>({ ...opts, uri });
  }
}

/** A twilio client talking to the simulator (or with other credentials, to test auth). */
export function simTwilioClient(sim: { url: string; accountSid: string; authToken: string }, authToken = sim.authToken) {
  return twilio(sim.accountSid, authToken, { httpClient: new SimRequestClient(sim.url) });
}
