import { ALLSTACKS_ORG_ID, ALLSTACKS_PASSWORD, ALLSTACKS_USERNAME, AllstacksFake } from '../fakes/allstacks/server';
import { csvColumn } from '../fakes/support/csv-column';
import { describeTargetConformance } from '../support/target-conformance';

const UPLOAD_PATH = /\/upload_employee_tags$/;
const HOLD = 'conformance-hold';

describeTargetConformance<AllstacksFake>({
  type: 'allstacks',
  start: () => AllstacksFake.start(),
  close: (fake) => fake.close(),
  env: { ALLSTACKS_TEST_PASSWORD: ALLSTACKS_PASSWORD },
  target: (fake) => ({
    type: 'allstacks',
    baseUrl: fake.baseUrl,
    organizationId: ALLSTACKS_ORG_ID,
    username: ALLSTACKS_USERNAME,
    password: { env: 'ALLSTACKS_TEST_PASSWORD' },
    tags: [{ category: 'Team', field: 'customFields.team' }],
    uploadWindowSeconds: 0,
  }),
  // Allstacks matches contributors by the Email column, which its layout requires.
  requiredColumn: 'Work Email',
  // The vendor's one-upload-per-window runs on the fake's clock: each run starts outside the last one's.
  beforeRun: (fake) => fake.advance(10 * 60 * 1000),
  received: (fake) => csvColumn(fake.uploads.filter((upload) => upload.applied).at(-1)?.csv ?? '', 'Email'),
  writes: (fake) => fake.uploads.filter((upload) => upload.applied).length,
  // The upload arrives whole and is never answered (nor applied): the worker dies waiting for it.
  holdDelivery(fake) {
    fake.http.injectFault({ times: 1, path: UPLOAD_PATH, action: 'hang', name: HOLD });
    return {
      reached: () => fake.http.requests.some((request) => request.fault === HOLD),
      release: () => fake.http.clearFaults(),
    };
  },
});
