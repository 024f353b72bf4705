import { describe, expect, it } from 'vitest';
import { SyncConfigSchema } from '../../config/schema';
import { evaluateSafetyRules, parseHoldDecision } from '../../core/safety-rules';
import type { SafetyLimits } from '../../core/safety-rules';
import { safetyLimits } from '../../activities/safety';
import { exampleConfig } from '../support/example-config';

const defaults: SafetyLimits = { maxShrinkPercent: 20, maxDeactivationPercent: 10 };

describe('evaluateSafetyRules', () => {
  it('trips nothing on a first delivery, whatever its size, unless minEmployees says so', () => {
    expect(evaluateSafetyRules({ pulled: 1, active: 1, deactivations: 0 }, defaults)).toEqual([]);
    expect(evaluateSafetyRules({ pulled: 4, active: 4, deactivations: 0 }, { ...defaults, minEmployees: 5 })).toEqual([
      'The source returned 4 employees, fewer than safety.minEmployees (5)',
    ]);
    expect(evaluateSafetyRules({ pulled: 5, active: 5, deactivations: 0 }, { ...defaults, minEmployees: 5 })).toEqual(
      [],
    );
  });

  it('trips the shrink guard only above the percentage', () => {
    const previous = { previousPulled: 100, previousActive: 100 };
    expect(evaluateSafetyRules({ pulled: 80, active: 100, deactivations: 0, ...previous }, defaults)).toEqual([]);
    expect(evaluateSafetyRules({ pulled: 79, active: 79, deactivations: 0, ...previous }, defaults)).toEqual([
      'The source returned 79 employees, 21.0% fewer than the 100 it returned for the last delivery, more than safety.maxShrinkPercent (20%)',
    ]);
    // Growth is never a shrink.
    expect(evaluateSafetyRules({ pulled: 500, active: 500, deactivations: 0, ...previous }, defaults)).toEqual([]);
  });

  it('trips the deactivation limits by count and by percentage of the previously employed', () => {
    const previous = { previousPulled: 200, previousActive: 100 };
    expect(evaluateSafetyRules({ pulled: 200, active: 90, deactivations: 10, ...previous }, defaults)).toEqual([]);
    expect(evaluateSafetyRules({ pulled: 200, active: 89, deactivations: 11, ...previous }, defaults)).toEqual([
      '11 of the 100 people employed at the last delivery would be deactivated (11.0%), more than safety.maxDeactivationPercent (10%)',
    ]);
    expect(
      evaluateSafetyRules(
        { pulled: 200, active: 95, deactivations: 5, ...previous },
        { ...defaults, maxDeactivations: 4 },
      ),
    ).toEqual([
      '5 of the 100 people employed at the last delivery would be deactivated, more than safety.maxDeactivations (4)',
    ]);
    // No percentage limit (a Staffbase target checks its own preview): only the count applies.
    expect(
      evaluateSafetyRules({ pulled: 200, active: 50, deactivations: 50, ...previous }, { maxShrinkPercent: 20 }),
    ).toEqual([]);
  });

  it('names the delivery it compares against: its run and day', () => {
    const last = {
      previousPulled: 100,
      previousActive: 100,
      previousRunId: '01a2425e-787c-757d-89b2-745a4e881fe0',
      previousDeliveredAt: '2026-12-01T02:00:04.120Z',
    };
    expect(evaluateSafetyRules({ pulled: 88, active: 88, deactivations: 12, ...last }, defaults)).toEqual([
      '12 of the 100 people employed at the last delivery (run 01a2425e-787c-757d-89b2-745a4e881fe0, 2026-12-01) would be deactivated (12.0%), more than safety.maxDeactivationPercent (10%)',
    ]);
    expect(evaluateSafetyRules({ pulled: 70, active: 70, deactivations: 0, ...last }, defaults)).toEqual([
      'The source returned 70 employees, 30.0% fewer than the 100 it returned for the last delivery (run 01a2425e-787c-757d-89b2-745a4e881fe0, 2026-12-01), more than safety.maxShrinkPercent (20%)',
    ]);
  });

  it('lists every tripped rule, in a fixed order, with numbers only', () => {
    const tripped = evaluateSafetyRules(
      { pulled: 3, active: 2, deactivations: 8, previousPulled: 10, previousActive: 10 },
      { ...defaults, minEmployees: 5, maxDeactivations: 2 },
    );
    expect(tripped).toHaveLength(4);
    expect(tripped[0]).toMatch(/minEmployees/);
    expect(tripped[1]).toMatch(/maxShrinkPercent/);
    expect(tripped[2]).toMatch(/maxDeactivations \(2\)/);
    expect(tripped[3]).toMatch(/maxDeactivationPercent/);
  });
});

describe('parseHoldDecision', () => {
  it('accepts a full decision and trims it', () => {
    expect(parseHoldDecision({ approve: true, by: ' ops-anna ', reason: ' INC-42 ' })).toEqual({
      approve: true,
      by: 'ops-anna',
      reason: 'INC-42',
    });
  });

  it.each([
    [null, 'must be an object'],
    [{ approve: 'yes', by: 'a', reason: 'b' }, 'approve: must be true or false'],
    [{ approve: true, by: '  ', reason: 'b' }, 'by: is required'],
    [{ approve: false, by: 'a' }, 'reason: is required'],
    [{ approve: false, by: 'a', reason: 'b', extra: 1 }, 'extra: is not a known field'],
  ])('refuses %j naming the field', (input, problem) => {
    const result = parseHoldDecision(input);
    expect(typeof result).toBe('string');
    expect(result).toContain(problem);
  });
});

describe('the safety block of a sync', () => {
  const sync = () => ({ ...exampleConfig().syncs[0]!, schedule: undefined });

  it('is on by default', () => {
    const parsed = SyncConfigSchema.parse(sync());
    expect(parsed.safety).toEqual({ maxShrinkPercent: 20, onPreviewTrip: 'hold', holdExpiresAfter: '24h' });
    expect(safetyLimits(parsed)).toEqual({
      minEmployees: undefined,
      maxShrinkPercent: 20,
      maxDeactivations: undefined,
      maxDeactivationPercent: 10,
    });
  });

  it("leaves the deactivation percentage to a full-mode Staffbase target's preview unless set, but not in delta mode", () => {
    const target = { type: 'staffbase', baseUrl: 'https://app.staffbase.com/api', apiToken: { env: 'T' } };
    // Delta mode imports without preview counts when Staffbase gives none: the sync's own rule stays on.
    expect(safetyLimits(SyncConfigSchema.parse({ ...sync(), target })).maxDeactivationPercent).toBe(10);
    const staffbase = { ...sync(), target: { ...target, mode: 'full', allowFullImport: true } };
    expect(safetyLimits(SyncConfigSchema.parse(staffbase)).maxDeactivationPercent).toBeUndefined();
    expect(
      safetyLimits(SyncConfigSchema.parse({ ...staffbase, safety: { maxDeactivationPercent: 5 } }))
        .maxDeactivationPercent,
    ).toBe(5);
  });

  it.each([
    [{ maxShrinkPercent: 120 }, 'safety.maxShrinkPercent: must be between 0 and 100'],
    [{ minEmployees: 2.5 }, 'safety.minEmployees: must be a whole number'],
    [{ holdExpiresAfter: 'soon' }, 'safety.holdExpiresAfter: must be a duration'],
    [{ holdExpiresAfter: '10ms' }, 'safety.holdExpiresAfter: must be at least 1s'],
    [{ maxDeactivationsPercent: 5 }, 'maxDeactivationsPercent'],
    [{ onPreviewTrip: 'ask' }, 'safety.onPreviewTrip: must be "fail" or "hold"'],
  ])('refuses %j naming the setting', (safety, problem) => {
    const result = SyncConfigSchema.safeParse({ ...sync(), safety });
    expect(result.success).toBe(false);
    const problems = result.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n');
    expect(problems).toContain(problem);
  });
});
