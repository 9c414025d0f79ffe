/**
 * What every report number means, written once. The OpenAPI descriptions and the console show
 * these texts; migrations/022_reports.sql counts exactly this (report_*_contribution).
 */

/** How a summary may be broken down. */
export const groupBys = ['campaign', 'script', 'segmentTier', 'line', 'carrier', 'localHour', 'weekday', 'industry', 'day'] as const;
export type GroupBy = (typeof groupBys)[number];

/** The numbers of a report row, in the order they are shown and exported. */
export const metrics = [
  'chases',
  'attempts',
  'answered',
  'connectRate',
  'conversions',
  'conversionRate',
  'optOuts',
  'complaints',
  'complaintRate',
  'invalid',
  'invalidRate',
  'smsSent',
  'smsDelivered',
  'smsClicked',
  'clickRate',
  'talkSeconds',
] as const;
export type Metric = (typeof metrics)[number];

/** How long a report's range may be. */
export const MAX_RANGE_DAYS = 400;

const attribution =
  "A chase counts in the hour it started, under its first placed attempt's line, carrier, local hour and weekday (none before its first attempt); " +
  'its conversion, opt-out, complaint, invalid number and revenue count with it, whenever they happen.';

export const definitions: Record<Metric | 'revenue' | 'key', string> = {
  key: 'the group: a campaign id, script name, segment tier, line id (or the campaign’s own caller id), carrier, local hour 0–23, ISO weekday 1–7 (Monday 1), industry or UTC day (YYYY-MM-DD); null for what has none (e.g. rows refused at import, chases not yet attempted)',
  chases: `chases started. ${attribution}`,
  attempts: 'voice calls placed (an attempt the carrier refused or never got does not count); counted in the hour the call was placed',
  answered: 'calls answered by a person: the call completed and was not answered by a machine',
  connectRate: 'answered / attempts (null when no attempt)',
  conversions:
    "chases that reached their campaign's goal, once per chase: 'interested' — the person said so on the call; 'link-clicked' — they opened one of the chase's tracked links; 'order' — the chase recovered an order",
  conversionRate: 'conversions / chases (null when no chase)',
  optOuts: 'chases whose person opted out: on one of its calls, or on any channel within 48 hours after one of its attempts',
  complaints:
    'chases that drew a complaint, at most one each: a complaint said on one of its calls ("再打我就投诉", "I\'ll report you"), or an opt-out on any channel within 48 hours after one of its attempts',
  complaintRate: 'complaints / chases (null when no chase)',
  invalid:
    'invalid numbers: import rows refused for their number; chases ended because the number is invalid (marked so, or reported invalid by a carrier lookup); calls the carrier refused as an invalid or unreachable number (carrier codes 21211, 21214, 21217, 13224, 21612); texts undelivered as unreachable, unknown or landline (30003, 30005, 30006)',
  invalidRate: 'invalid / (chases + import rows refused for their number) (null when neither)',
  smsSent: 'texts the carrier accepted (sent, then delivered or undelivered)',
  smsDelivered: 'texts the carrier reported delivered',
  smsClicked: "chases whose tracked link was clicked (the first click counts; more clicks don't)",
  clickRate: 'smsClicked / smsSent (null when no text was sent)',
  talkSeconds: 'seconds of calls answered by a person',
  revenue: 'revenue of orders the chases recovered (an order placed after the chase reached the person), per currency',
};
