import { describeTargetConformance } from '../support/target-conformance';
import { ScimFaultProxy } from '../support/scim-fault-proxy';
import { SCIM_TEST_TOKEN, startScimServer } from '../support/scim-server';
import type { ScimServer } from '../support/scim-server';

/** The real SCIM server (scim2-server), behind the proxy that records and spoils requests. */
interface ScimApp {
  server: ScimServer;
  proxy: ScimFaultProxy;
}

/** The app's users, read straight from the server (not through the proxy: nothing is recorded). */
async function users(app: ScimApp): Promise<{ id: string; externalId?: string }[]> {
  const response = await fetch(`${app.server.url}/Users?count=1000`, {
    headers: { authorization: `Bearer ${app.server.bearerToken}` },
  });
  return ((await response.json()) as { Resources?: { id: string; externalId?: string }[] }).Resources ?? [];
}

describeTargetConformance<ScimApp>({
  type: 'scim',
  async start() {
    const server = await startScimServer();
    return { server, proxy: await ScimFaultProxy.start(server.url) };
  },
  async close({ server, proxy }) {
    await proxy.close();
    await server.stop();
  },
  env: { SCIM_CONFORMANCE_TOKEN: SCIM_TEST_TOKEN },
  target: ({ proxy }) => ({
    type: 'scim',
    baseUrl: proxy.url,
    auth: { bearerToken: { env: 'SCIM_CONFORMANCE_TOKEN' } },
    requestTimeout: '5s',
  }),
  // Per person: accounts for the 8 employed people; the leaver and the pending hire get none.
  expectedReceived: 8,
  received: async (app) => (await users(app)).map((user) => user.externalId ?? '(no externalId)').sort(),
  writes: ({ proxy }) => proxy.writes().length,
  // Each run starts from an empty app, so each writes the same creates.
  async beforeRun(app) {
    for (const user of await users(app)) {
      await fetch(`${app.server.url}/Users/${user.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${app.server.bearerToken}` },
      });
    }
    app.proxy.reset();
  },
  // The third create never gets an answer (nor reaches the app): the worker dies with two created
  // and the rest marked in flight, which the next worker must look up before it writes.
  holdDelivery({ proxy }) {
    proxy.inject('hang', { method: 'POST', nth: 3 });
    return {
      reached: () => proxy.received().some((request) => request.fault === 'hang'),
      release: () => proxy.clearFaults(),
    };
  },
});
