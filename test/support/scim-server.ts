import type { ChildProcess } from 'node:child_process';
import { freePort } from '../../tools/stack/ports';
import { startServer, stopProcess, waitUntilReady } from '../../tools/stack/processes';
import type { ServerProcess } from '../../tools/stack/processes';
import { scimServerPath } from '../../tools/stack/scim-server';

/** The bearer token a test SCIM server accepts unless told another. */
export const SCIM_TEST_TOKEN = 'rosterflow-scim-test-token';

/** A real SCIM 2.0 server (scim2-server, in memory) of the test's own, on a loopback port. */
export interface ScimServer {
  /** The SCIM base, `http://127.0.0.1:<port>/v2`, as its `meta.location`s spell it: `${url}/Users`. */
  url: string;
  /** The only token it accepts (`Authorization: Bearer <token>`). */
  bearerToken: string;
  /** The tail of its output (a line per request), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Servers still running, killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>();

/** Starts a server with no users; `ServiceProviderConfig` answers before this resolves. */
export async function startScimServer(options: { bearerToken?: string } = {}): Promise<ScimServer> {
  const executable = scimServerPath();
  const bearerToken = options.bearerToken ?? SCIM_TEST_TOKEN;
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/v2`;
    // --reverse-proxy: behind the fault proxy, its Location headers name the proxy (X-Forwarded-Host).
    const args = ['--hostname', '127.0.0.1', '--port', String(port), '--bearer-token', bearerToken, '--reverse-proxy'];
    const server = track(startServer('scim2-server', executable, args));
    try {
      await waitUntilReady(server, () => probe(url), 30_000);
    } catch (err) {
      // Something else may have bound the port between freePort() and the server's bind.
      if (attempt < 3 && server.child.exitCode !== null) continue;
      throw err;
    }
    return { url, bearerToken, output: () => server.output(), stop: () => stopProcess(server.child, 5_000) };
  }
}

async function probe(url: string): Promise<void> {
  const response = await fetch(`${url}/ServiceProviderConfig`, { signal: AbortSignal.timeout(2_000) });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`ServiceProviderConfig answered ${response.status}`);
}

function track(server: ServerProcess): ServerProcess {
  if (running.size === 0) process.once('exit', killRunning);
  running.add(server.child);
  server.child.once('exit', () => {
    running.delete(server.child);
    if (running.size === 0) process.removeListener('exit', killRunning);
  });
  return server;
}

function killRunning(): void {
  for (const child of running) child.kill('SIGKILL');
}
