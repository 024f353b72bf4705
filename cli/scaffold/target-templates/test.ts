import type { ScaffoldNames } from '../names';

/** test/targets/<name>.conformance.test.ts: the conformance kit against the fake, plus the vendor's own tests. */
export function targetTestTemplate(n: ScaffoldNames): string {
  return `import { expect, it } from 'vitest';
import { ${n.constant}_TOKEN, ${n.pascal}Fake } from '../fakes/${n.kebab}/server';
import { describeTargetConformance } from '../support/target-conformance';

describeTargetConformance<${n.pascal}Fake>(
  {
    type: '${n.kebab}',
    start: () => ${n.pascal}Fake.start(),
    close: (fake) => fake.close(),
    env: { ${n.constant}_TEST_TOKEN: ${n.constant}_TOKEN },
    target: (fake) => ({ type: '${n.kebab}', baseUrl: fake.baseUrl, apiToken: { env: '${n.constant}_TEST_TOKEN' } }),
    // Its layout refuses a row without an email.
    requiredColumn: 'Work Email',
    received: (fake) => fake.lastEmails(),
    writes: (fake) => fake.uploads.length,
    holdDelivery: (fake) => fake.holdNextUpload(),
  },
  (kit) => {
    // TODO: the vendor's own behaviour from its docs: its error texts, its limits, a refused file.
    it('waits out a 429 on a durable timer, then uploads once', async () => {
      kit.fake.rateLimitNext(1);
      const { handle, run, writes } = await kit.runExample();
      expect(writes).toBe(1);
      expect(run.events).toContainEqual(
        expect.objectContaining({
          step: 'deliver',
          kind: 'rate-limited',
          detail: '${n.vendor} answered HTTP 429; waiting 1s on a durable timer',
        }),
      );
      const timers = ((await handle.fetchHistory()).events ?? []).flatMap(
        (event) => event.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? [],
      );
      expect(timers.map(Number)).toContain(1);
    });
  },
);
`;
}
