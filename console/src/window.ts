/** Calling windows as the forms show them: one span, the same on every weekday (ISO 1–7). */
type Span = { start: string; end: string };

/** The API's window for one span every day. */
export const everyDay = (start: string, end: string) => ({
  days: Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((day) => [day, [{ start, end }]])),
});

/** A window's first span (the one a form shows). */
export const firstSpan = (window: { days: Partial<Record<string, Span[]>> }): Span | undefined =>
  Object.values(window.days).find((spans) => spans?.length)?.[0];
