import { STAFFBASE_TOKEN, StaffbaseFake } from '../fakes/staffbase/server';
import { describeTargetConformance } from '../support/target-conformance';

/** A poll of one import's state. */
const IMPORT_PATH = /\/users\/imports\/[^/]+$/;

const polls = (fake: StaffbaseFake) => fake.http.requestsTo(IMPORT_PATH, 'GET').length;

describeTargetConformance<StaffbaseFake>({
  type: 'staffbase',
  // Every poll moves the import on, so a run gets through preview and import in a few polls.
  start: () => StaffbaseFake.start({ autoAdvanceOnPoll: true }),
  close: (fake) => fake.close(),
  env: { STAFFBASE_TEST_TOKEN: STAFFBASE_TOKEN },
  target: (fake) => ({
    type: 'staffbase',
    baseUrl: fake.baseUrl,
    apiToken: { env: 'STAFFBASE_TEST_TOKEN' },
    polling: { initialInterval: '1s', maxInterval: '1s', timeout: '5m' },
  }),
  received(fake) {
    const last = [...fake.imports.values()].at(-1);
    const at = last?.headers.indexOf('Email Address') ?? -1;
    return last && at >= 0 ? last.records.map((record) => record[at] ?? '') : [];
  },
  writes: (fake) => fake.importsCreated,
  // The import stays waiting for its preview while the workflow polls it on durable timers.
  holdDelivery(fake) {
    fake.autoAdvanceOnPoll = false;
    const before = polls(fake);
    return {
      reached: () =>
        [...fake.imports.values()].some((found) => found.state === 'PREVIEW_PENDING') && polls(fake) > before,
      release() {
        fake.settle();
        fake.autoAdvanceOnPoll = true;
      },
    };
  },
});
