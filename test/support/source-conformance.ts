import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmployeeSchema } from '../../core/employee';
import type { Employee } from '../../core/employee';
import { createHttpClient } from '../../io/http';
import { createSecretResolver } from '../../io/secrets';
import type { EmployeePage, SourceConnector, SourceDeps } from '../../connectors/sdk/source';
import { failureOf } from './failure-of';

/** What a connector's fake server offers the conformance kit. */
export interface ConformanceFake {
  /** Replaces the fake's employees with `count` synthetic ones (0: an empty HR system). */
  seed(count: number): void;
  /**
   * The next `times` listing requests are turned away as the source does under load, so the
   * connector must wait and retry: HTTP vendors answer their rate-limit response with
   * `Retry-After: 1`; SFTP servers refuse or drop the connection; a local drop is locked (EBUSY).
   */
  rateLimitNext(times: number): void;
  /** How many listing requests the fake has answered, turned-away ones included: HTTP requests to the listing endpoint, SFTP connections, or file opens. */
  listingRequests(): number;
  close(): Promise<void>;
}

export interface ConformanceOptions<F extends ConformanceFake> {
  name: string;
  startFake(): Promise<F>;
  /** A connector for this fake. `wrong` credentials must be refused (for a source without credentials: a file the worker may not read). */
  createSource(fake: F, deps: SourceDeps, credentials: 'valid' | 'wrong'): SourceConnector;
  /** Secret values the configs use; none may appear in any error message. */
  secretValues: string[];
  /** Seeded employees for the paging checks; with the connector's page size they must span 3+ pages. */
  rosterSize: number;
  /** Environment the connector's secret references read from. */
  env: Record<string, string>;
}

/** The shared HTTP layer with a short backoff, so retries in tests take milliseconds, not seconds. */
export function testSourceDeps(env: Record<string, string>): SourceDeps {
  return {
    resolveSecret: createSecretResolver(env),
    http: (options) => createHttpClient({ backoffLimitMs: 50, ...options }),
  };
}

export async function collect(source: SourceConnector, resumeFrom?: string): Promise<EmployeePage[]> {
  const pages: EmployeePage[] = [];
  for await (const page of source.listEmployees({}, resumeFrom)) pages.push(page);
  return pages;
}

const ids = (pages: EmployeePage[]) => pages.flatMap((page) => page.records.map((record) => record.sourceId));

/**
 * The suite every source connector passes against its fake: the contract's shape, valid records,
 * exact resumes, riding out rate limits, clear non-retryable auth failures without secrets, and an
 * empty HR system reported as empty rather than as an error.
 */
export function describeSourceConformance<F extends ConformanceFake>(options: ConformanceOptions<F>): void {
  describe(`${options.name}: source conformance`, () => {
    let fake: F;
    const deps = testSourceDeps(options.env);
    const source = (credentials: 'valid' | 'wrong' = 'valid') => options.createSource(fake, deps, credentials);

    beforeAll(async () => {
      fake = await options.startFake();
    });
    afterAll(() => fake.close());

    it('implements the contract: a type, check(), and pages with string cursors', async () => {
      fake.seed(options.rosterSize);
      const connector = source();
      expect(connector.type).toMatch(/^[a-z0-9-]+$/);
      await connector.check();
      const pages = await collect(connector);
      expect(pages.length).toBeGreaterThanOrEqual(3);
      for (const page of pages) {
        expect(typeof page.cursor).toBe('string');
        expect(page.cursor.length).toBeGreaterThan(0);
      }
    });

    it('yields every employee once, each a valid canonical record with a source id', async () => {
      fake.seed(options.rosterSize);
      const pages = await collect(source());
      const records: Employee[] = pages.flatMap((page) => page.records);
      expect(pages.flatMap((page) => page.rejected)).toEqual([]);
      expect(records).toHaveLength(options.rosterSize);
      for (const record of records) expect(EmployeeSchema.parse(record)).toEqual(record);
      expect(new Set(ids(pages)).size).toBe(options.rosterSize);
    });

    it('resumes from any page cursor with exactly the remaining records', async () => {
      fake.seed(options.rosterSize);
      const pages = await collect(source());
      const all = ids(pages);
      for (let index = 0; index < pages.length; index += 1) {
        const resumed = ids(await collect(source(), pages[index]!.cursor));
        expect(resumed).toEqual(all.slice(ids(pages.slice(0, index + 1)).length));
      }
    });

    it('rides out rate limiting and transient refusals by waiting and retrying', async () => {
      fake.seed(options.rosterSize);
      const before = fake.listingRequests();
      const baseline = await collect(source());
      const normalRequests = fake.listingRequests() - before;
      fake.rateLimitNext(2);
      const pages = await collect(source());
      expect(ids(pages)).toEqual(ids(baseline));
      expect(fake.listingRequests() - before - normalRequests).toBe(normalRequests + 2);
    });

    it('fails wrong credentials at once, non-retryable, naming the vendor and without secrets', async () => {
      fake.seed(options.rosterSize);
      const checkFailure = await failureOf(() => source('wrong').check());
      const listFailure = await failureOf(() => collect(source('wrong')));
      for (const failure of [checkFailure, listFailure]) {
        expect(failure.type).toBe('SourceAuthFailed');
        expect(failure.retryable).toBe(false);
        for (const secret of options.secretValues) expect(failure.message).not.toContain(secret);
      }
    });

    it('reports an empty HR system as no records, not as an error', async () => {
      fake.seed(0);
      const pages = await collect(source());
      expect(pages.flatMap((page) => page.records)).toEqual([]);
      expect(pages.flatMap((page) => page.rejected)).toEqual([]);
    });
  });
}
