#!/usr/bin/env node
// Builds the web UI for CMake (resources/CMakeLists.txt):
//   node scripts/build.mjs --out DIR --expect index.html,assets/app.js,… [--npm PATH]
// 1. installs the locked packages with `npm ci` when node_modules is missing or older than
//    package-lock.json (and only then: a build must not reach the network for nothing);
// 2. type-checks and bundles (`npm run build`, Vite) into DIR;
// 3. checks DIR holds exactly the expected files, the ones CMake compiles into standbyd: a file
//    Vite adds or renames would otherwise be missing from the daemon without a word.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

if (Number(process.versions.node.split('.')[0]) < 18) {
  console.error(`web UI: Vite needs Node.js 18 or later; this is ${process.version} (scripts/setup-deps.sh)`);
  process.exit(1);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const out = option('--out');
const expected = (option('--expect', '') || '').split(',').filter(Boolean);
const npm = option('--npm', 'npm');
if (!out) {
  console.error('usage: build.mjs --out DIR --expect FILE,FILE… [--npm PATH]');
  process.exit(2);
}

function run(command, commandArgs, env = {}) {
  const result = spawnSync(command, commandArgs, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (result.error) {
    console.error(`web UI: cannot run ${command}: ${result.error.message}`);
    process.exit(1);
  }
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const stamp = join(root, 'node_modules', '.package-lock.json'); // written by every npm ci
const lock = join(root, 'package-lock.json');
if (!existsSync(stamp) || statSync(stamp).mtimeMs < statSync(lock).mtimeMs) {
  console.log('web UI: installing the locked npm packages (npm ci)');
  // playwright-core (tests) never downloads a browser: the tests use Debian's chromium.
  run(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
  });
}

run(npm, ['run', '--silent', 'build'], { STANDBY_WEB_OUT: out });

const found = [];
(function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else found.push(relative(out, path).split('\\').join('/'));
  }
})(out);
const missing = expected.filter((f) => !found.includes(f));
const extra = found.filter((f) => !expected.includes(f));
if (missing.length || extra.length) {
  console.error(
    'web UI: the build does not match the files CMake compiles into standbyd ' +
      `(resources/CMakeLists.txt, web_files).\n  missing: ${missing.join(', ') || '-'}\n  unexpected: ${extra.join(', ') || '-'}`,
  );
  process.exit(1);
}
