import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpClient } from '../../io/http';
import { FakeHttpServer } from '../fakes/support/fake-http';
import { failureOf } from '../support/failure-of';

let vendor: FakeHttpServer;
beforeAll(async () => {
  vendor = await FakeHttpServer.start(() => ({
    status: 400,
    json: {
      message:
        'User jane.doe@acme.example (+44 20 7946 0958) already exists in team 7 of app 2b9e6a51-0000-4000-8000-0000000a0b1d',
    },
  }));
});
afterAll(() => vendor.close());

describe("a vendor's error message in our errors", () => {
  it('keeps what went wrong but blanks the email addresses and phone-like numbers it quotes', async () => {
    const client = createHttpClient({ baseUrl: vendor.url, vendor: 'Acme HR' });
    const err = await failureOf(() => client.getJson('/people', z.unknown()));
    expect(err.message).toContain(
      'User [email] ([number]) already exists in team 7 of app 2b9e6a51-0000-4000-8000-0000000a0b1d',
    );
    expect(err.message).not.toContain('jane.doe');
    expect(err.message).not.toContain('7946');
  });
});
