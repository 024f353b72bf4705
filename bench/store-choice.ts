import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, chown, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Binary, MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import { findMongod } from '../tools/stack/binaries';
import { cacheDir, REPO_ROOT } from '../tools/stack/paths';
import { freePort } from '../tools/stack/ports';
import { startServer, waitUntilReady } from '../tools/stack/processes';
import type { ServerProcess } from '../tools/stack/processes';
import { pingMongo, startMongoServer } from '../tools/stack/stack';
import { parseProcStatus } from './rss';

/**
 * `npm run bench:store`: the data path's store workload (issue 10, part 5) against every
 * MongoDB-compatible store this machine can start: FerretDB/SQLite as the local stack runs it,
 * FerretDB/PostgreSQL on Debian's PostgreSQL, and `mongod` when one is on PATH. Each measurement
 * runs REPEATS times and the median is reported with the spread, since the machine is shared.
 * Then, on FerretDB/SQLite alone, whether filtered reads and deletes scan (5k vs 50k documents).
 */
const PAGES = Number(process.env['BENCH_STORE_PAGES'] ?? 1_000);
const PAGE_BYTES = 86 * 1024;
const REPEATS = Number(process.env['BENCH_STORE_REPEATS'] ?? 3);
const OTHER_DOCS = 10_000;
const CHECKPOINT_WRITES = 300;
const RUN_RECORD_UPDATES = 1_000;
const BY_ID_LOOKUPS = 20;
const SCAN_SIZES = [5_000, 50_000];
const SCAN_OPS = 50;

const execFileAsync = promisify(execFile);
type Log = (line: string) => void;
const log: Log = (line) => console.log(`[bench:store] ${line}`);

/** A store server started for the bench: where to connect, which processes make it up, how to stop it. */
interface RunningStore {
  uri: string;
  /** The processes whose memory counts as the store's (a PostgreSQL server and its backends included). */
  rootPids: number[];
  stop(): Promise<void>;
}

interface StoreCandidate {
  name: string;
  start(): Promise<RunningStore | string>;
}

interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

interface StoreResult {
  name: string;
  available: boolean;
  /** Why it could not be measured, when it could not. */
  reason?: string;
  serverVersion?: string;
  /** Seconds (or milliseconds where the name says so), median of REPEATS runs. */
  metrics: Record<string, Spread>;
  /** Sum over the store's processes of each one's VmHWM (PostgreSQL's shared buffers count once per process). */
  peakRssBytes?: number;
  peakRssByProgram?: Record<string, { processes: number; peakBytes: number }>;
}

// ---------- the stores ----------

/** FerretDB/SQLite, started exactly as the local stack starts its store. */
const ferretSqlite: StoreCandidate = {
  name: 'FerretDB v1.24 / SQLite (local stack today)',
  async start() {
    if (await findMongod()) return 'mongod is on PATH, so the stack would start it instead of FerretDB';
    const dir = await mkdtemp(join(tmpdir(), 'rosterflow-bench-sqlite-'));
    const mongo = await startMongoServer({ port: await freePort(), dataDir: join(dir, 'db'), log });
    return withCleanup(mongo.uri, [mongo.server], dir);
  },
};

/** FerretDB v1's `postgresql` handler over a throwaway cluster of Debian's PostgreSQL. */
const ferretPostgres: StoreCandidate = {
  name: 'FerretDB v1.24 / PostgreSQL (Debian)',
  async start() {
    const pgBin = await findPostgresBin();
    if (!pgBin) return 'PostgreSQL is not installed (apt-get install -y postgresql)';
    const ferret = await ensureFerretDbPostgres(log);
    const dir = await mkdtemp(join(tmpdir(), 'rosterflow-bench-pg-'));
    const servers: ServerProcess[] = [];
    try {
      const pgPort = await freePort();
      const pg = await startPostgres(pgBin, dir, pgPort);
      servers.push(pg);
      const port = await freePort();
      const uri = `mongodb://127.0.0.1:${port}/`;
      const server = startServer('FerretDB/PostgreSQL', ferret, ['-listen', `127.0.0.1:${port}`, '-data-dir', dir], {
        ...process.env,
        ROSTERFLOW_BENCH_POSTGRESQL_URL: `postgres://postgres@127.0.0.1:${pgPort}/postgres`,
      });
      servers.push(server);
      await waitUntilReady(server, () => pingMongo(uri), 30_000);
      return withCleanup(uri, servers, dir);
    } catch (err) {
      for (const server of servers.reverse()) await server.stop();
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  },
};

/** A genuine mongod, only if one is on PATH (no registry reachable here ships one; see docs/store-choice.md). */
const genuineMongod: StoreCandidate = {
  name: 'mongod',
  async start() {
    if (!(await findMongod())) return 'no mongod on PATH; no registry reachable from this machine ships one';
    const dir = await mkdtemp(join(tmpdir(), 'rosterflow-bench-mongod-'));
    const mongo = await startMongoServer({ port: await freePort(), dataDir: join(dir, 'db'), log });
    return withCleanup(mongo.uri, [mongo.server], dir);
  },
};

function withCleanup(uri: string, servers: ServerProcess[], dir: string): RunningStore {
  return {
    uri,
    rootPids: servers.map((server) => server.child.pid).filter((pid): pid is number => pid !== undefined),
    async stop() {
      // The wire-protocol server first, so PostgreSQL's smart shutdown has no client left to wait for.
      for (const server of [...servers].reverse()) await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function findPostgresBin(): Promise<string | undefined> {
  const root = '/usr/lib/postgresql';
  const versions = await readdir(root).catch(() => [] as string[]);
  for (const version of versions.sort((a, b) => Number(b) - Number(a))) {
    const bin = join(root, version, 'bin');
    if (
      await access(join(bin, 'postgres')).then(
        () => true,
        () => false,
      )
    )
      return bin;
  }
  return undefined;
}

/** PostgreSQL refuses to run as root, so as root it runs as Debian's `postgres` user. */
function asPostgresUser(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0
    ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', command, ...args]]
    : [command, args];
}

/** A throwaway cluster on loopback with PostgreSQL's default durability (fsync, synchronous commit). */
async function startPostgres(bin: string, dir: string, port: number): Promise<ServerProcess> {
  const data = join(dir, 'pgdata');
  if (process.getuid?.() === 0) {
    const { stdout } = await execFileAsync('id', ['-u', 'postgres']);
    const { stdout: gid } = await execFileAsync('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const [initdb, initArgs] = asPostgresUser(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  await execFileAsync(initdb, initArgs);
  const [postgres, args] = asPostgresUser(join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
  ]);
  const server = startServer('PostgreSQL', postgres, args);
  await waitUntilReady(
    server,
    () => execFileAsync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]),
    30_000,
  );
  return server;
}

/**
 * The repository's FerretDB wrapper (tools/ferretdb) with the `postgresql` handler instead of
 * `sqlite`, built beside the stack's build in the cache. Derived from its main.go so both embed the
 * same FerretDB; the wrapper has no handler flag (see docs/store-choice.md).
 */
async function ensureFerretDbPostgres(logLine: Log): Promise<string> {
  const sourceDir = join(REPO_ROOT, 'tools', 'ferretdb');
  const sqliteConfig = 'Handler:   "sqlite",\n\t\tSQLiteURL: "file:" + *dataDir + "/",';
  const mainGo = await readFile(join(sourceDir, 'main.go'), 'utf8');
  if (!mainGo.includes(sqliteConfig)) throw new Error('tools/ferretdb/main.go no longer has the SQLite handler lines');
  const pgMainGo = mainGo.replace(
    sqliteConfig,
    'Handler:       "postgresql",\n\t\tPostgreSQLURL: os.Getenv("ROSTERFLOW_BENCH_POSTGRESQL_URL"),',
  );
  const [goMod, goSum] = await Promise.all(['go.mod', 'go.sum'].map((file) => readFile(join(sourceDir, file))));
  const hash = createHash('sha256').update(goMod!).update(goSum!).update(pgMainGo).digest('hex').slice(0, 12);
  const target = join(cacheDir(), `bench-ferretdb-postgresql-${hash}`, 'rosterflow-ferretdb-postgresql');
  if (
    await access(target).then(
      () => true,
      () => false,
    )
  )
    return target;
  logLine('Building FerretDB with the PostgreSQL handler from the Go module proxy (first time only)...');
  const scratch = await mkdtemp(join(tmpdir(), 'rosterflow-ferretdb-pg-'));
  try {
    await writeFile(join(scratch, 'go.mod'), goMod!);
    await writeFile(join(scratch, 'go.sum'), goSum!);
    await writeFile(join(scratch, 'main.go'), pgMainGo);
    const { GOFLAGS: _ignored, ...env } = process.env;
    await execFileAsync('go', ['build', '-mod=readonly', '-trimpath', '-o', join(scratch, 'out'), '.'], {
      cwd: scratch,
      env: { ...env, CGO_ENABLED: '0' },
      maxBuffer: 16 * 1024 * 1024,
    });
    await mkdir(join(target, '..'), { recursive: true });
    await rename(join(scratch, 'out'), target);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return target;
}

// ---------- memory of a process tree ----------

/**
 * The peak RSS of a server and every process under it (PostgreSQL forks a backend per connection):
 * polls the tree and keeps each process's own VmHWM, so a backend that exits still counts.
 */
class TreePeakRss {
  private readonly peaks = new Map<number, { name: string; peakBytes: number }>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly roots: number[]) {
    this.timer = setInterval(() => void this.sample(), 500);
  }

  async sample(): Promise<void> {
    for (const pid of await descendants(this.roots)) {
      const text = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
      const reading = text === undefined ? undefined : parseProcStatus(text);
      const name = text === undefined ? undefined : /^Name:\s+(.+)$/m.exec(text)?.[1];
      if (!reading || name === undefined) continue;
      this.peaks.set(pid, { name, peakBytes: Math.max(this.peaks.get(pid)?.peakBytes ?? 0, reading.peakBytes) });
    }
  }

  /** The sum of the peaks, and the same per program name (how many processes, their summed peaks). */
  async stop(): Promise<{ totalBytes: number; byProgram: Record<string, { processes: number; peakBytes: number }> }> {
    clearInterval(this.timer);
    await this.sample();
    const byProgram: Record<string, { processes: number; peakBytes: number }> = {};
    for (const { name, peakBytes } of this.peaks.values()) {
      const entry = (byProgram[name] ??= { processes: 0, peakBytes: 0 });
      entry.processes += 1;
      entry.peakBytes += peakBytes;
    }
    const totalBytes = Object.values(byProgram).reduce((sum, entry) => sum + entry.peakBytes, 0);
    return { totalBytes, byProgram };
  }
}

async function descendants(roots: number[]): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    // The parent pid is the second field after the command name, which sits in parentheses.
    parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  }
  const found = new Set(roots);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!found.has(pid) && found.has(parent)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return [...found];
}

// ---------- the workload ----------

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** A page's rendered CSV, 86 KB, different for every page so no layer can deduplicate it. */
function pageBytes(page: number): Buffer {
  const line = (row: number) => `E${page}-${row},person${row}@example.com,Engineering,active\n`;
  const out: string[] = [];
  let size = 0;
  for (let row = 0; size < PAGE_BYTES; row++) {
    const text = line(row);
    out.push(text);
    size += text.length;
  }
  return Buffer.from(out.join('')).subarray(0, PAGE_BYTES);
}

const PAGE_PAYLOADS = Array.from({ length: PAGES }, (_, page) => new Binary(pageBytes(page)));
const pageDoc = (runId: string, page: number) => ({
  _id: page,
  runId,
  rows: 1000,
  firstLine: page * 1000 + 1,
  bytes: PAGE_PAYLOADS[page]!,
});

async function inParallel(count: number, inFlight: number, work: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

/** Checks that a read-back returned every page in order with every byte. */
function assertPages(docs: { _id: unknown; bytes: Binary }[], what: string): void {
  if (docs.length !== PAGES) throw new Error(`${what}: read ${docs.length} pages, wrote ${PAGES}`);
  docs.forEach((doc, index) => {
    if (doc._id !== index || doc.bytes.length() !== PAGE_BYTES) throw new Error(`${what}: page ${index} differs`);
  });
}

/** One repetition of the data path's store traffic; every figure in seconds unless its name says ms. */
async function measureOnce(db: Db, repeat: number): Promise<Record<string, number>> {
  const runId = `run-${repeat}`;
  const sequential = db.collection<ReturnType<typeof pageDoc>>(`pages_${repeat}_seq`);
  const twoInFlight = db.collection<ReturnType<typeof pageDoc>>(`pages_${repeat}_par`);
  const result: Record<string, number> = {};

  result['insert 1,000 pages, one at a time'] = await seconds(async () => {
    for (let page = 0; page < PAGES; page++) await sequential.insertOne(pageDoc(runId, page));
  });
  result['insert 1,000 pages, 2 in flight'] = await seconds(() =>
    inParallel(PAGES, 2, (page) => twoInFlight.insertOne(pageDoc(runId, page))),
  );
  result['read back, sort {_id: 1}'] = await seconds(async () =>
    assertPages(await sequential.find().sort({ _id: 1 }).toArray(), 'sorted read'),
  );
  result['read back, natural order'] = await seconds(async () =>
    assertPages(
      await twoInFlight
        .find()
        .toArray()
        .then((docs) => docs.sort((a, b) => a._id - b._id)),
      'natural read',
    ),
  );
  result[`find one page by numeric _id (ms each, ${BY_ID_LOOKUPS})`] =
    ((await seconds(async () => {
      for (let i = 0; i < BY_ID_LOOKUPS; i++) {
        const page = (i * 379) % PAGES;
        if ((await sequential.findOne({ _id: page }))?._id !== page) throw new Error(`page ${page} not found`);
      }
    })) *
      1000) /
    BY_ID_LOOKUPS;

  const checkpoints = db.collection<{ _id: string; runId: string; attempt: number; line: number }>('checkpoints');
  result[`${CHECKPOINT_WRITES} checkpoint replaceOne upserts`] = await seconds(async () => {
    for (let i = 0; i < CHECKPOINT_WRITES; i++) {
      const filter = { _id: `${runId}:extract`, runId, attempt: 1 };
      await checkpoints.replaceOne(filter, { runId, attempt: 1, line: i * 1000 }, { upsert: true });
    }
  });
  const runs = db.collection<{ _id: string; progress?: number; updatedAt?: Date }>('runs');
  await runs.insertOne({ _id: runId });
  result[`${RUN_RECORD_UPDATES} run-record updateOne $set`] = await seconds(async () => {
    for (let i = 0; i < RUN_RECORD_UPDATES; i++) {
      await runs.updateOne({ _id: runId }, { $set: { progress: i, updatedAt: new Date() } });
    }
  });
  result['drop the 86 MB per-run collection'] = await seconds(() => sequential.drop());
  await twoInFlight.drop();
  return result;
}

/** The checkpoint and run collections hold other runs' documents, as they do after months of runs. */
async function seedOtherDocs(db: Db): Promise<void> {
  for (const name of ['checkpoints', 'runs']) {
    const collection = db.collection<{ _id: string }>(name);
    for (let start = 0; start < OTHER_DOCS; start += 1_000) {
      await collection.insertMany(
        Array.from({ length: 1_000 }, (_, i) => ({
          _id: `old-${start + i}:extract`,
          runId: `old-${start + i}`,
          attempt: 1,
          line: 123_000,
          status: 'succeeded',
        })),
      );
    }
  }
}

function spread(runs: number[]): Spread {
  const sorted = [...runs].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted.at(-1)!, runs };
}

function collect(samples: Record<string, number>[]): Record<string, Spread> {
  const names = Object.keys(samples[0] ?? {});
  return Object.fromEntries(names.map((name) => [name, spread(samples.map((sample) => sample[name]!))]));
}

async function measureStore(candidate: StoreCandidate): Promise<StoreResult> {
  log(`starting ${candidate.name}`);
  let store: RunningStore | string;
  try {
    store = await candidate.start();
  } catch (err) {
    return { name: candidate.name, available: false, reason: (err as Error).message, metrics: {} };
  }
  if (typeof store === 'string') return { name: candidate.name, available: false, reason: store, metrics: {} };
  const memory = new TreePeakRss(store.rootPids);
  const client = await MongoClient.connect(store.uri);
  try {
    const db = client.db('rosterflow_bench');
    const info = await db.admin().command({ buildInfo: 1 });
    await seedOtherDocs(db);
    const samples: Record<string, number>[] = [];
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      samples.push(await measureOnce(db, repeat));
      log(`${candidate.name}: run ${repeat + 1} of ${REPEATS} done`);
    }
    const peak = await memory.stop();
    return {
      name: candidate.name,
      available: true,
      serverVersion: String(info['version']),
      metrics: collect(samples),
      peakRssBytes: peak.totalBytes,
      peakRssByProgram: peak.byProgram,
    };
  } finally {
    await memory.stop();
    await client.close();
    await store.stop();
  }
}

// ---------- does a lookup scan? ----------

interface ScanResult {
  store: string;
  documents: number;
  /** Milliseconds per operation, median of REPEATS. */
  metrics: Record<string, Spread>;
  /** FerretDB's own explain of the filtered find: whether the filter reached SQL. */
  filterPushdown: Record<string, unknown>;
  /** The backend's plan for the find by string _id (SQLite: SCAN = no index used, SEARCH = index used). */
  idQueryPlan: unknown;
}

/** Time per lookup and delete at 5k and 50k documents: flat when an index is used, tenfold when it scans. */
async function measureScans(candidate: StoreCandidate): Promise<ScanResult[]> {
  const store = await candidate.start().catch((err: unknown) => (err as Error).message);
  if (typeof store === 'string') {
    log(`scan check skipped on ${candidate.name}: ${store}`);
    return [];
  }
  const client = await MongoClient.connect(store.uri);
  try {
    const results: ScanResult[] = [];
    for (const documents of SCAN_SIZES) {
      const db = client.db(`scan_${documents}`);
      const numeric = db.collection<{ _id: number; key: number; runId: string; pad: string }>('numeric');
      const strings = db.collection<{ _id: string; key: number; runId: string; pad: string }>('strings');
      await numeric.createIndex({ key: 1 });
      for (let start = 0; start < documents; start += 1_000) {
        const batch = Array.from({ length: 1_000 }, (_, i) => ({
          key: start + i,
          runId: `run-${(start + i) % 7}`,
          pad: 'x'.repeat(200),
        }));
        await numeric.insertMany(batch.map((doc) => ({ ...doc, _id: doc.key })));
        await strings.insertMany(batch.map((doc) => ({ ...doc, _id: `doc-${doc.key}` })));
      }
      const pick = (i: number) => (i * 7919) % documents;
      const perOp = async (work: (i: number) => Promise<unknown>) =>
        ((await seconds(async () => {
          for (let i = 0; i < SCAN_OPS; i++) await work(i);
        })) *
          1000) /
        SCAN_OPS;
      const samples: Record<string, number>[] = [];
      for (let repeat = 0; repeat < REPEATS; repeat++) {
        samples.push({
          'find {key} (indexed field)': await perOp((i) => numeric.findOne({ key: pick(i) })),
          'find {_id: number}': await perOp((i) => numeric.findOne({ _id: pick(i) })),
          'find {_id: string}': await perOp((i) => strings.findOne({ _id: `doc-${pick(i)}` })),
          'find {_id: string, runId, key}': await perOp((i) =>
            strings.findOne({ _id: `doc-${pick(i)}`, runId: `run-${pick(i) % 7}`, key: pick(i) }),
          ),
          'deleteOne {key} (indexed field)': await perOp((i) =>
            numeric.deleteOne({ key: (repeat * SCAN_OPS + i) * 13 }),
          ),
        });
      }
      const explain = await db.command({ explain: { find: 'numeric', filter: { key: 42 } } });
      const explainId = await db.command({ explain: { find: 'strings', filter: { _id: 'doc-42' } } });
      results.push({
        store: candidate.name,
        documents,
        metrics: collect(samples),
        filterPushdown: {
          '{key}': explain['filterPushdown'] as unknown,
          '{_id: string}': explainId['filterPushdown'] as unknown,
        },
        idQueryPlan: explainId['queryPlanner'] as unknown,
      });
      log(`${candidate.name}: scan check at ${documents} documents done`);
    }
    return results;
  } finally {
    await client.close();
    await store.stop();
  }
}

// ---------- report ----------

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const figure = (value: number) => (value >= 100 ? value.toFixed(0) : value.toPrecision(3));
const fmt = (spreadValue: Spread | undefined) =>
  spreadValue ? `${figure(spreadValue.median)} (${figure(spreadValue.min)}-${figure(spreadValue.max)})` : '-';

function printTable(stores: StoreResult[], scans: ScanResult[]): void {
  const measured = stores.filter((store) => store.available);
  const names = Object.keys(measured[0]?.metrics ?? {});
  const rows: string[][] = [
    ['seconds, median (min-max) of ' + String(REPEATS), ...measured.map((store) => store.name)],
    ...names.map((name) => [name, ...measured.map((store) => fmt(store.metrics[name]))]),
    ['store peak RSS (MB), summed over its processes', ...measured.map((store) => mb(store.peakRssBytes ?? 0))],
    [
      '  of which, per program',
      ...measured.map((store) =>
        Object.entries(store.peakRssByProgram ?? {})
          .map(([name, entry]) => `${name} x${entry.processes}: ${mb(entry.peakBytes)}`)
          .join(', '),
      ),
    ],
  ];
  printRows(rows);
  for (const store of stores.filter((candidate) => !candidate.available))
    console.log(`not measured: ${store.name}: ${store.reason}`);
  console.log('\nms per operation, median (min-max) of ' + String(REPEATS));
  const scanNames = Object.keys(scans[0]?.metrics ?? {});
  printRows([
    ['operation', ...scans.map((scan) => `${scan.store.split(' (')[0]!}, ${scan.documents} docs`)],
    ...scanNames.map((name) => [name, ...scans.map((scan) => fmt(scan.metrics[name]))]),
    ['explain filterPushdown', ...scans.map((scan) => JSON.stringify(scan.filterPushdown))],
  ]);
}

function printRows(rows: string[][]): void {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
}

async function run(): Promise<void> {
  const loadBefore = loadavg();
  const stores: StoreResult[] = [];
  for (const candidate of [ferretSqlite, ferretPostgres, genuineMongod]) stores.push(await measureStore(candidate));
  const scans = [...(await measureScans(ferretSqlite)), ...(await measureScans(ferretPostgres))];
  const loadAfter = loadavg();
  console.log('');
  printTable(stores, scans);
  const { stdout: commit } = await execFileAsync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT });
  const date = new Date().toISOString().slice(0, 10);
  const file = join(REPO_ROOT, 'bench', 'results', `store-choice-${date}.json`);
  await mkdir(join(file, '..'), { recursive: true });
  const report = {
    commit: commit.trim(),
    date: new Date().toISOString(),
    machine: { cores: cpus().length, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
    workload: { pages: PAGES, pageBytes: PAGE_BYTES, repeats: REPEATS, otherDocs: OTHER_DOCS },
    stores,
    scans,
  };
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwritten to ${file}`);
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
