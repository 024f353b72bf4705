import { ensureFerretDb, ensureTemporalCli, findMongod } from './stack/binaries';
import { ensureScimServer } from './stack/scim-server';

/**
 * Builds (once, then cached per user) the servers the local stack and the tests need, so that the first test
 * run or demo does not spend its time budget compiling. Skips what the environment provides.
 */
async function run(): Promise<void> {
  const log = (line: string) => console.log(`[provision] ${line}`);
  const temporal = await ensureTemporalCli(log);
  log(`Temporal CLI: ${temporal}`);
  if (process.env['MONGODB_URI']) {
    log('MongoDB: MONGODB_URI is set; nothing to build');
  } else {
    const mongod = await findMongod();
    log(mongod ? `MongoDB: ${mongod}` : `MongoDB-compatible store: ${await ensureFerretDb(log)}`);
  }
  log(`SCIM test server: ${await ensureScimServer(log)}`);
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
