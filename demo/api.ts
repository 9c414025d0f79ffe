/**
 * Chaseline's REST API as a user reaches it: JSON over HTTP with the admin key. A failed
 * request throws with the problem+json Chaseline answered (its code, field and detail).
 */

export interface Api {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
}

export function restClient(baseUrl: string, key: string): Api {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) {
      let problem = text;
      try {
        const p = JSON.parse(text) as { code?: string; field?: string; detail?: string; title?: string };
        problem = [p.code, p.field && `field ${p.field}`, p.detail ?? p.title].filter(Boolean).join(', ');
      } catch {
        // not JSON: the text says it
      }
      throw new Error(`${method} ${path} answered ${res.status}: ${problem}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    put: (path, body) => call('PUT', path, body),
  };
}

/** Every item of a paged list (`{items, nextCursor}`). */
export async function listAll<T>(api: Api, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: { items: T[]; nextCursor: string | null } = await api.get(`${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}
