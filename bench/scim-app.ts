import { ScimFaultProxy } from '../test/support/scim-fault-proxy';
import { startScimServer } from '../test/support/scim-server';
import type { ScimServer } from '../test/support/scim-server';

/**
 * An empty SCIM app for the bench: scim2-server (its own process, in memory) behind the fault proxy
 * (in the bench process), which records every request it forwards, so the writes can be counted.
 * Whoever writes to it is given `url`, the proxy's.
 */
export class ScimApp {
  private constructor(
    private readonly server: ScimServer,
    private readonly proxy: ScimFaultProxy,
  ) {}

  static async start(): Promise<ScimApp> {
    const server = await startScimServer();
    const proxy = await ScimFaultProxy.start(server.url).catch(async (err: unknown) => {
      await server.stop();
      throw err;
    });
    return new ScimApp(server, proxy);
  }

  /** The SCIM base, through the proxy. */
  get url(): string {
    return this.proxy.url;
  }

  get bearerToken(): string {
    return this.server.bearerToken;
  }

  /** The writes (not GET, not searches) that reached the server since the last `resetCount`. */
  writes(): { method: string; path: string; status: number }[] {
    return this.proxy.writes().map(({ method, path, status }) => ({ method, path, status }));
  }

  /** Forgets the requests recorded so far (and their bodies: 10k POSTs are a few MB in the bench process). */
  resetCount(): void {
    this.proxy.reset();
  }

  /** The users the server holds, asked directly (not through the proxy, so nothing is recorded). */
  async users(): Promise<number> {
    const response = await fetch(`${this.server.url}/Users?count=1`, {
      headers: { authorization: `Bearer ${this.server.bearerToken}` },
    });
    if (!response.ok) throw new Error(`scim2-server answered HTTP ${response.status} to GET /Users`);
    return ((await response.json()) as { totalResults: number }).totalResults;
  }

  async close(): Promise<void> {
    await this.proxy.close();
    await this.server.stop();
  }
}
