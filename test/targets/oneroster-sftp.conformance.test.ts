import { ALLUDO_SFTP_PASSWORD, AlludoSftpFake } from '../fakes/oneroster-sftp/server';
import { describeTargetConformance } from '../support/target-conformance';

describeTargetConformance<AlludoSftpFake>({
  type: 'oneroster-sftp',
  start: () => AlludoSftpFake.start(),
  close: (fake) => fake.close(),
  env: { ALLUDO_TEST_PASSWORD: ALLUDO_SFTP_PASSWORD },
  // The Alludo profile, whose users.csv requires each user's email.
  target: (fake) => fake.targetConfig('alludo', 'ALLUDO_TEST_PASSWORD'),
  requiredColumn: 'Work Email',
  received(fake) {
    // Alludo reads the drop folder when it processes it (about hourly): once now.
    const tick = fake.processTick();
    if (tick.errors.length > 0) throw new Error(`Alludo refused rows: ${JSON.stringify(tick.errors)}`);
    return fake.users().map((user) => user.email);
  },
  // Each file of the package is renamed into place once per delivery.
  writes: (fake) => fake.renames.length,
  // A slow link: every WRITE's acknowledgement waits, so the worker dies inside the upload.
  holdDelivery(fake) {
    const before = fake.writes.length;
    fake.writeAckDelayMs = 3_000;
    return {
      reached: () => fake.writes.length > before,
      release() {
        fake.writeAckDelayMs = 0;
      },
    };
  },
});
