// `npm run demo`: the whole demo in this one process, started by `exec` from the npm script, so the
// signals npm forwards (SIGTERM from a supervisor or an IDE's stop button, SIGINT) reach the code
// that stops the worker and the servers (cli/stop-signals.ts). A chain of commands run by sh would
// leave them with a shell that does not pass them on. Plain CommonJS: it runs before any
// dependency exists.
require('./ensure-installed.cjs');
require('tsx/cjs');
// `npm run demo -- --random-ports` becomes `rosterflow dev --random-ports`. The dev command builds
// the local servers on first use, as `npm run provision` does.
process.argv.splice(2, 0, 'dev');
require('../cli/main.ts');
