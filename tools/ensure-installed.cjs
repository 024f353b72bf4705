// Installs the dependencies when node_modules is missing, so that `npm test` and `npm run demo`
// work on a fresh clone. Plain CommonJS: it runs before any dependency exists.
//
// `npm install` rather than `npm ci`: the registry mirror on the project's machines lacks other
// platforms' builds of optional native packages (rollup, swc), so npm leaves them out of the lock
// file and `npm ci` then refuses the lock as out of sync. `npm install` installs from the lock file.
const { execSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  console.log('Installing dependencies (npm install)...');
  execSync('npm install --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}
