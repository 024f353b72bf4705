import type { z } from 'zod';
import type { Employee } from '../../core/employee';
import type { Org } from '../../core/org';
import type { HttpClient, HttpClientOptions } from '../../io/http';
import type { SecretResolver } from '../../io/secrets';

/** A source row that could not become a canonical employee. Never carries the row's values. */
export interface RowRejection {
  /** Where the row is, in the source's own terms, e.g. `line 7` or `employee 4411`. */
  row: string;
  field: string;
  reason: string;
}

/** One page from a source: the valid records, the rejected rows, and where to resume after it. */
export interface EmployeePage {
  records: Employee[];
  rejected: RowRejection[];
  /** Opaque; passed back as `resumeFrom` to continue after this page. */
  cursor: string;
  /**
   * How many records the whole listing holds, when the vendor says (Personio's `total_elements`):
   * for progress only ("1,200 of 5,000 read"), never to decide anything.
   */
  total?: number;
}

/** What a listing runs under: cancellation from the activity. */
export interface SourceContext {
  signal?: AbortSignal;
}

/** The contract every HRIS source implements. */
export interface SourceConnector {
  readonly type: string;
  /** Proves the credentials and endpoint work with one cheap call; throws a clear RosterflowError if not. */
  check(ctx?: SourceContext): Promise<void>;
  /**
   * Yields pages in a stable order; a listing resumed from a page's cursor yields exactly the pages
   * after it. An empty HR system yields no records (never an error, never a made-up page).
   */
  listEmployees(ctx?: SourceContext, resumeFrom?: string): AsyncIterable<EmployeePage>;
  /**
   * True when reading a page again costs nothing remote (a file, which a resumed listing reads from
   * its start anyway): the build may then read the next page while the last one is being stored.
   * Otherwise it waits, so a crash never makes it ask an API for a page twice.
   */
  readonly readAhead?: boolean;
  /**
   * For a `readAhead` source: the rows (records and rejections) the build gathers, over as many pages
   * as that takes, before it stores them and checkpoints. Such a source yields small pages, so each
   * employee is in memory only briefly, and ends a page on each multiple of it, so every stored page
   * holds that many rows; the store is still written in large pieces. A crash redoes the stored page
   * being written and the rows gathered since. Without it (and always for an API source), every page
   * is stored and checkpointed on its own.
   */
  readonly checkpointRows?: number;
  /**
   * True when a listing never yields the same `sourceId` twice, across the whole listing, a resumed
   * one included: a repeat of an id from before the resume cursor is refused too (the CSV drop maps
   * the rows it skips, and refuses a repeat naming its line). Otherwise the build keeps a set of the
   * ids it has seen, 12-18 bytes a person, so a repeat is one person in the plan's baseline.
   */
  readonly uniqueIds?: boolean;
  /** Sources with org units of their own (departments, sites) list them here. */
  listOrgs?(ctx?: SourceContext): AsyncIterable<Org[]>;
}

/** What the platform hands a connector: secrets are resolved here, HTTP goes through the shared layer. */
export interface SourceDeps {
  resolveSecret: SecretResolver;
  http: (options: HttpClientOptions) => HttpClient;
}

/** A connector's registration: its config type, schema and factory, plus what `connectors list` shows. */
export interface SourceDefinition<Config extends { type: string } = { type: string }> {
  type: Config['type'];
  /** One line for `rosterflow connectors list`. */
  title: string;
  /** The vendor's documentation page for the endpoints used. */
  docsUrl: string;
  configSchema: z.ZodType<Config, unknown>;
  create(config: Config, deps: SourceDeps): SourceConnector;
}
