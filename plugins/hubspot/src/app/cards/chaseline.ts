/**
 * Chaseline's card endpoints, reached with hubspot.fetch: HubSpot's proxy signs each request
 * with the app's client secret and adds portalId, userId, userEmail and appId, which is how
 * Chaseline knows the request is from this app and which tenant it is for.
 * CHASELINE_BASE_URL must be the Chaseline installation's PUBLIC_BASE_URL and is listed in
 * app-hsmeta.json permittedUrls.fetch (docs/plugins/hubspot.md: replace it before uploading).
 */
import { hubspot } from '@hubspot/ui-extensions';

export const CHASELINE_BASE_URL = 'https://chaseline.example.com';

export interface ChaseRow {
  id: string;
  status: string;
  outcome: string | null;
  campaignId: string;
  campaignName: string;
  createdAt: string;
  updatedAt: string;
}

export interface RecordChases {
  chases: ChaseRow[];
  latest: (ChaseRow & { timeline: { at: string; type: string }[] }) | null;
}

export interface Campaign {
  id: string;
  name: string;
}

/** Chaseline's problem+json detail, or the status when it sent none. */
async function check(res: Response): Promise<Response> {
  if (res.ok) return res;
  let detail = `Chaseline answered ${res.status}`;
  try {
    const body = (await res.json()) as { detail?: string };
    if (body.detail) detail = body.detail;
  } catch {
    // not JSON: the status says enough
  }
  throw new Error(detail);
}

export function chaselineApi(baseUrl: string = CHASELINE_BASE_URL) {
  const url = (path: string) => `${baseUrl.replace(/\/$/, '')}/plugins/hubspot/card/${path}`;
  return {
    chasesUrl: (objectId: string) => url(`chases?objectId=${encodeURIComponent(objectId)}`),
    campaignsUrl: () => url('campaigns'),
    startUrl: () => url('chases'),
    async chases(objectId: string): Promise<RecordChases> {
      return (await check(await hubspot.fetch(this.chasesUrl(objectId), { method: 'GET' }))).json();
    },
    async campaigns(): Promise<Campaign[]> {
      return ((await (await check(await hubspot.fetch(this.campaignsUrl(), { method: 'GET' }))).json()) as { campaigns: Campaign[] }).campaigns;
    },
    async start(input: { objectId: string; campaignId: string; phone?: string; name?: string }): Promise<ChaseRow> {
      const res = await check(await hubspot.fetch(this.startUrl(), { method: 'POST', body: input }));
      return ((await res.json()) as { chase: ChaseRow }).chase;
    },
  };
}
