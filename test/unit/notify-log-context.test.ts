import { describe, expect, it } from 'vitest';
import { syncIdOf } from '../../workflows/log-context';
import { alertFor } from '../support/alert-fixtures';

describe('the sync id on the log lines of an alert', () => {
  it('comes from the alert a sendAlerts input carries', () => {
    expect(syncIdOf({ alert: alertFor('held') })).toBe('acme-people');
    expect(syncIdOf({ alert: alertFor('stale') })).toBe('acme-people');
    expect(syncIdOf({ alert: { kind: 'held' } })).toBeUndefined();
    expect(syncIdOf({ alert: null })).toBeUndefined();
  });
});
