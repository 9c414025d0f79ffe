/** An arm's window against its campaign's: inside or not (checked at creation), and what both allow (at dial time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { intersectWindows, isCallable, windowWithin, type CallingWindow } from '../campaigns/calling-window.ts';

const campaign: CallingWindow = {
  days: {
    1: [
      { start: '09:00', end: '12:00' },
      { start: '12:00', end: '18:00' },
    ],
    2: [{ start: '09:00', end: '18:00' }],
  },
  exclude: [{ start: '12:30', end: '13:30' }],
};

test('an arm window inside the campaign’s passes; one reaching outside names the day and the minute', { timeout: 5000 }, () => {
  assert.equal(
    windowWithin(
      {
        days: {
          1: [
            { start: '10:00', end: '12:30' },
            { start: '13:30', end: '18:00' },
          ],
        },
      },
      campaign,
    ),
    null,
    'touching spans count as one',
  );
  assert.match(windowWithin({ days: { 1: [{ start: '08:00', end: '10:00' }] } }, campaign)!, /days\.1: 08:00/);
  assert.match(windowWithin({ days: { 2: [{ start: '12:00', end: '14:00' }] } }, campaign)!, /days\.2: 12:30/, 'the excluded meal peak is outside');
  assert.match(windowWithin({ days: { 3: [{ start: '10:00', end: '11:00' }] } }, campaign)!, /days\.3/);
});

test('at dial time the arm’s window is cut to the campaign’s, so narrowing the campaign binds the arm', { timeout: 5000 }, () => {
  const arm: CallingWindow = { days: { 1: [{ start: '08:00', end: '20:00' }], 3: [{ start: '10:00', end: '11:00' }] } };
  const both = intersectWindows(arm, campaign);
  assert.deepEqual(both, {
    days: {
      1: [
        { start: '09:00', end: '12:00' },
        { start: '12:00', end: '12:30' },
        { start: '13:30', end: '18:00' },
      ],
    },
  });
  // Monday 2026-01-05 in UTC.
  assert.equal(isCallable(new Date('2026-01-05T08:30:00Z'), 'UTC', both), false);
  assert.equal(isCallable(new Date('2026-01-05T12:15:00Z'), 'UTC', both), true);
  assert.equal(isCallable(new Date('2026-01-05T13:00:00Z'), 'UTC', both), false);
});
