// Runs `npm ci` when node_modules is missing or older than package-lock.json, so that `npm test`
// and `npm run demo` work on a fresh clone. Plain CommonJS: it runs before any dependency exists.
const { execSync } = require('node:child_process');
const { statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
};

const installed = mtime(join(root, 'node_modules', '.package-lock.json'));
const locked = mtime(join(root, 'package-lock.json'));
if (installed === undefined || (locked !== undefined && locked > installed)) {
  console.log('Installing dependencies (npm ci)...');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}
