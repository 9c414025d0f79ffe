import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { asApiError, trpc, type ApiError } from './api.ts';

export interface Loaded<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  reload: () => void;
}

/** Loads `load()` when `deps` change; `reload()` loads again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (err: unknown) => live && setState({ error: asApiError(err), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

/** A change the user asked for: `run(change)` clears the last error and, if the change fails, shows why. */
export function useAction() {
  const [error, setError] = useState<ApiError>();
  const run = async (change: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await change();
    } catch (err) {
      setError(asApiError(err));
    }
  };
  return { error, run };
}

/** The tenant's campaigns (the first 100), for pickers and for naming a campaign by its id. */
export const useCampaigns = () => useLoad(() => trpc.campaigns.list.query({ limit: 100 }), []);

/** The address's query parameters, and `filter(name, value)`: sets one (or, given '', removes it), keeping the others. */
export function useSearchFilter() {
  const [params, setParams] = useSearchParams();
  const filter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next);
  };
  return [params, filter] as const;
}
