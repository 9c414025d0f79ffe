// Chaseline's API for this page: every call carries a fresh session token from App Bridge
// (`shopify.idToken()`), which Chaseline checks and maps to the shop.

export interface Settings {
  enabled: boolean;
  delayMinutes: number;
  quietHours: { start: string; end: string } | null;
  campaignId: string | null;
  /** What would stop the calls (`no-line`: no caller line yet). */
  warnings: { code: string; message: string }[];
}

export interface Revenue {
  currency: string;
  amount: number;
}

export interface Overview {
  chases: {
    id: string;
    status: string;
    outcome: string | null;
    createdAt: string;
    cartTotal: string | null;
    currency: string | null;
    recovered: Revenue | null;
  }[];
  last30Days: { chases: number; conversions: number; revenue: Revenue[] };
}

declare global {
  interface Window {
    shopify: { idToken(): Promise<string>; toast: { show(message: string, options?: { isError?: boolean }): void } };
  }
}

const BASE = '/plugins/shopify/api';

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const token = await window.shopify.idToken();
  const res = await fetch(BASE + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error((json as { detail?: string }).detail ?? `HTTP ${res.status}`);
  return json as T;
}

export const getSettings = () => call<Settings>('GET', '/settings');
export const saveSettings = (s: Omit<Settings, 'campaignId' | 'warnings'>) => call<Settings>('PUT', '/settings', s);
export const getOverview = () => call<Overview>('GET', '/overview');
