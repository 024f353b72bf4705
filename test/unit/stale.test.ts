import { describe, expect, it } from 'vitest';
import { checkStaleness, needsStaleAlert, watchedSince } from '../../notify/stale';
import type { StaleCheck } from '../../notify/stale';
import { latestFireTime } from '../../notify/stale-fire-times';

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);
const success = (iso: string) => ({ runId: 'run-1', finishedAt: at(iso) });

/** A nightly 02:00 Europe/Berlin sync with the default 2h grace, checked at `now`. */
function nightly(now: string, overrides: Partial<StaleCheck> = {}) {
  return checkStaleness({
    cron: '0 2 * * *',
    timezone: 'Europe/Berlin',
    graceMs: 2 * HOUR,
    now: at(now),
    paused: false,
    ...overrides,
  });
}

describe('checkStaleness', () => {
  it('alerts at 04:00 when the 02:00 run has not succeeded, not a moment before', () => {
    // Winter: Berlin is UTC+1, so 02:00 local is 01:00Z and 04:00 local is 03:00Z.
    const lastSuccess = success('2026-01-09T01:05:00Z');
    expect(nightly('2026-01-10T02:59:59Z', { lastSuccess })).toEqual({ stale: false, why: 'succeeded' });
    expect(nightly('2026-01-10T03:00:00Z', { lastSuccess })).toEqual({
      stale: true,
      fireTime: at('2026-01-10T01:00:00Z'),
      dueBy: at('2026-01-10T03:00:00Z'),
    });
  });

  it('is content with a success that finished after the fire time', () => {
    expect(nightly('2026-01-10T09:00:00Z', { lastSuccess: success('2026-01-10T01:00:00Z') })).toEqual({
      stale: false,
      why: 'succeeded',
    });
    expect(nightly('2026-01-10T09:00:00Z', { lastSuccess: success('2026-01-10T02:40:00Z') })).toMatchObject({
      stale: false,
    });
  });

  it('alerts for a sync that never succeeded', () => {
    expect(nightly('2026-01-10T03:00:00Z')).toMatchObject({ stale: true, fireTime: at('2026-01-10T01:00:00Z') });
  });

  it('counts the grace across midnight', () => {
    const late = (now: string) =>
      checkStaleness({
        cron: '30 23 * * *',
        timezone: 'Europe/Berlin',
        graceMs: 2 * HOUR,
        now: at(now),
        paused: false,
        lastSuccess: success('2026-01-08T22:40:00Z'),
      });
    // 23:30 local on the 9th is 22:30Z; due by 01:30 local on the 10th (00:30Z).
    expect(late('2026-01-10T00:29:00Z')).toEqual({ stale: false, why: 'succeeded' });
    expect(late('2026-01-10T00:30:00Z')).toEqual({
      stale: true,
      fireTime: at('2026-01-09T22:30:00Z'),
      dueBy: at('2026-01-10T00:30:00Z'),
    });
  });

  it('follows the local time through daylight saving: 04:00 CEST is 02:00Z in summer', () => {
    const lastSuccess = success('2026-07-09T00:05:00Z');
    expect(nightly('2026-07-10T01:59:00Z', { lastSuccess })).toMatchObject({ stale: false });
    expect(nightly('2026-07-10T02:00:00Z', { lastSuccess })).toMatchObject({
      stale: true,
      fireTime: at('2026-07-10T00:00:00Z'),
    });
  });

  it('expects no run on the night the clocks skip its time (Temporal does not fire it)', () => {
    // 29 March 2026: Berlin jumps from 02:00 to 03:00, so "0 2 * * *" has no fire time that night.
    const lastSuccess = success('2026-03-28T01:05:00Z');
    expect(nightly('2026-03-29T09:00:00Z', { lastSuccess })).toEqual({ stale: false, why: 'succeeded' });
    // The next night is due again, at 04:00 CEST.
    expect(nightly('2026-03-30T02:00:00Z', { lastSuccess })).toMatchObject({
      stale: true,
      fireTime: at('2026-03-30T00:00:00Z'),
    });
  });

  it('expects both runs of a time the clocks repeat (Temporal fires both)', () => {
    // 25 October 2026: 02:30 occurs at 00:30Z (CEST) and again at 01:30Z (CET).
    const check = (lastSuccessAt: string) =>
      checkStaleness({
        cron: '30 2 * * *',
        timezone: 'Europe/Berlin',
        graceMs: 2 * HOUR,
        now: at('2026-10-25T03:30:00Z'),
        paused: false,
        lastSuccess: success(lastSuccessAt),
      });
    expect(check('2026-10-25T00:35:00Z')).toMatchObject({ stale: true, fireTime: at('2026-10-25T01:30:00Z') });
    expect(check('2026-10-25T01:35:00Z')).toMatchObject({ stale: false });
  });

  it('reads @every as an interval from the epoch', () => {
    const every = (lastSuccessAt: string) =>
      checkStaleness({
        cron: '@every 15m',
        timezone: 'Europe/Berlin',
        graceMs: 5 * 60_000,
        now: at('2026-01-10T10:21:00Z'),
        paused: false,
        lastSuccess: success(lastSuccessAt),
      });
    expect(every('2026-01-10T10:16:00Z')).toEqual({ stale: false, why: 'succeeded' });
    expect(every('2026-01-10T10:14:00Z')).toEqual({
      stale: true,
      fireTime: at('2026-01-10T10:15:00Z'),
      dueBy: at('2026-01-10T10:20:00Z'),
    });
  });

  it('never alerts while the schedule is paused', () => {
    expect(nightly('2026-01-20T03:00:00Z', { paused: true })).toEqual({ stale: false, why: 'paused' });
  });

  it('expects nothing of fire times before the schedule was made, changed or resumed', () => {
    const now = '2026-01-10T12:00:00Z';
    expect(nightly(now, { watchedSince: at('2026-01-10T09:00:00Z') })).toEqual({ stale: false, why: 'not due' });
    expect(nightly(now, { watchedSince: at('2026-01-10T01:00:00Z') })).toMatchObject({ stale: true });
  });
});

describe('latestFireTime', () => {
  it.each([
    ['@daily', 'UTC', '2026-01-10T00:30:00Z', '2026-01-10T00:00:00Z'],
    ['@weekly', 'UTC', '2026-01-10T00:30:00Z', '2026-01-04T00:00:00Z'],
    ['@every 14h/3h', 'UTC', '2026-01-10T00:30:00Z', '2026-01-09T21:00:00Z'],
    // Day of month AND day of week, as Temporal reads them: the 1st when it is a Monday.
    ['0 9 1 * MON', 'UTC', '2026-07-10T00:00:00Z', '2026-06-01T09:00:00Z'],
    // `a/n` is `a-59/n`.
    ['5/20 * * * *', 'UTC', '2026-07-10T00:00:00Z', '2026-07-09T23:45:00Z'],
    // Six fields: a year at the end; seven: a second in front too.
    ['0 2 * * * 2025', 'UTC', '2026-07-10T00:00:00Z', '2025-12-31T02:00:00Z'],
    ['0 0 2 * * * 2026', 'UTC', '2026-07-10T00:00:00Z', '2026-07-09T02:00:00Z'],
    // A fire time exactly at the bound counts.
    ['0 2 * * *', 'Europe/Berlin', '2026-01-10T01:00:00Z', '2026-01-10T01:00:00Z'],
  ])('%s in %s at %s -> %s', (cron, zone, notAfter, expected) => {
    expect(latestFireTime(cron, zone, at(notAfter))).toEqual(at(expected));
  });
});

describe('needsStaleAlert', () => {
  const alertedFor = at('2026-01-10T01:00:00Z');
  it('alerts once per episode: again only after a success', () => {
    expect(needsStaleAlert(undefined, undefined)).toBe(true);
    expect(needsStaleAlert(alertedFor, undefined)).toBe(false);
    expect(needsStaleAlert(alertedFor, success('2026-01-09T01:05:00Z'))).toBe(false);
    expect(needsStaleAlert(alertedFor, success('2026-01-10T05:00:00Z'))).toBe(true);
  });
});

describe('watchedSince', () => {
  const createdAt = at('2026-01-01T00:00:00Z');
  it('is the later of the last change in Temporal and a resume the watchdog saw', () => {
    expect(watchedSince({ createdAt }, undefined)).toEqual(createdAt);
    expect(watchedSince({ createdAt, lastUpdatedAt: at('2026-01-05T00:00:00Z') }, undefined)).toEqual(
      at('2026-01-05T00:00:00Z'),
    );
    expect(watchedSince({ createdAt }, at('2026-01-07T00:00:00Z'))).toEqual(at('2026-01-07T00:00:00Z'));
    expect(watchedSince({ createdAt: at('2026-01-08T00:00:00Z') }, at('2026-01-07T00:00:00Z'))).toEqual(
      at('2026-01-08T00:00:00Z'),
    );
  });
});
