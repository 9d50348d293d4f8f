#!/usr/bin/env node
// The web UI end to end, in a real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core, which never downloads a browser of its own), against a real standbyd with a
// temporary STANDBY_HOME on 127.0.0.1 and real sessions started through the API.
//
//   node tests/e2e/web_ui.mjs --bin BUILD/bin --web resources/web [--screenshots DIR]
//
// Exit codes: 0 all passed, 1 a step failed, 77 skipped (no chromium here; CTest's
// SKIP_RETURN_CODE). Every wait is a condition with a deadline, never a fixed sleep. Only the
// processes this test started are ended, by PID: the daemon, and the sessions it launched.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
};
const binDir = path.resolve(option('--bin', 'build/bin'));
const webDir = path.resolve(option('--web', 'resources/web'));
const shotsDir = option('--screenshots', '') ? path.resolve(option('--screenshots')) : '';
const chromiumPath = process.env.STANDBY_CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = 30_000;

if (!fs.existsSync(chromiumPath)) {
  console.log(`SKIP: no Chromium at ${chromiumPath} (scripts/setup-deps.sh installs it)`);
  process.exit(77);
}
let chromium;
try {
  chromium = createRequire(path.join(webDir, 'package.json'))('playwright-core').chromium;
} catch (e) {
  console.error(`playwright-core is not installed in ${webDir}/node_modules (the build runs npm ci): ${e.message}`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'standby-e2e-'));
const gate = (name) => path.join(home, `gate-${name}`);
let daemon = null; // { process, port, pid, exited: Promise }
let base = '';

function log(message) {
  console.log(`[${new Date().toISOString().slice(11, 23)}] ${message}`);
}

async function waitFor(what, condition, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (${last.message})` : ''}`);
    await new Promise((r) => setTimeout(r, pause)); // a poll interval, not a wait for an outcome
  }
}

function check(condition, message) {
  assert.ok(condition, message);
}

async function call(method, route, body) {
  const response = await fetch(base + route, {
    method,
    // Node's fetch sends Sec-Fetch-Mode like a browser, so the daemon asks it for the header too.
    headers: {
      'X-Standby-Request': '1',
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  let json = {};
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, json, text };
}

async function startSession(name, prompt) {
  const answer = await call('POST', '/api/v1/runs', {
    name,
    prompt,
    cwd: home,
  });
  check(answer.status === 202, `POST /api/v1/runs ${name}: ${answer.status} ${answer.text}`);
  return answer.json.data;
}

async function startDaemon() {
  const child = spawn(path.join(binDir, 'standbyd'), ['--serve', '--host', '127.0.0.1', '--port', '0'], {
    env: { ...process.env, STANDBY_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const status = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`standbyd did not report within ${TIMEOUT} ms: ${stderr}`)),
      TIMEOUT,
    );
    child.stdout.on('data', (d) => {
      out += d;
      const newline = out.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(out.slice(0, newline)));
        } catch (e) {
          reject(e);
        }
      }
    });
    exited.then(({ code }) => reject(new Error(`standbyd exited with ${code}: ${stderr}`)));
  });
  daemon = { process: child, port: status.port, pid: child.pid, exited };
  base = `http://127.0.0.1:${status.port}`;
  log(`standbyd pid ${child.pid} serving ${base}, home ${home}`);
}

// The sessions this test started: through the API while the daemon runs, else by the PIDs in
// the registry, each checked against its recorded start time so a reused PID is never hit.
async function endSessions() {
  if (daemon && daemon.process.exitCode === null && daemon.process.signalCode === null) {
    const list = await call('GET', '/api/v1/workers').catch(() => null);
    for (const w of list?.json?.data ?? []) {
      if (w.kind === 'bg') await call('DELETE', `/api/v1/workers/${w.pid}?signal=KILL`).catch(() => undefined);
    }
  }
  const sessions = path.join(home, 'sessions');
  const startTime = (pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    } catch {
      return null;
    }
  };
  await waitFor(
    'the sessions to end',
    () => {
      let left = 0;
      for (const file of fs.existsSync(sessions) ? fs.readdirSync(sessions) : []) {
        if (!file.endsWith('.json') || file.startsWith('manual-')) continue;
        let entry;
        try {
          entry = JSON.parse(fs.readFileSync(path.join(sessions, file), 'utf8'));
        } catch {
          continue;
        }
        if (entry.kind !== 'bg' || !entry.pid || String(startTime(entry.pid)) !== String(entry.procStart)) continue;
        left++;
        try {
          if (entry.childPid) process.kill(-entry.childPid, 'SIGKILL');
        } catch {
          // already gone
        }
        try {
          process.kill(entry.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      return left === 0;
    },
    20_000,
  );
}

async function stopDaemon() {
  if (!daemon || daemon.process.exitCode !== null || daemon.process.signalCode !== null) return;
  daemon.process.kill('SIGTERM');
  const ended = await Promise.race([daemon.exited, new Promise((r) => setTimeout(() => r(null), 10_000))]);
  if (!ended) daemon.process.kill('SIGKILL');
}

// ---------------------------------------------------------------------------------------------
// The browser

let browser;
const problems = []; // uncaught errors and CSP violations, from every page

async function newPage(options = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    acceptDownloads: true,
    ...options,
  });
  context.setDefaultTimeout(TIMEOUT);
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations = window.__cspViolations || [];
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI || 'inline'} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text()))
      problems.push(`console: ${m.text()}`);
  });
  return page;
}

async function collectViolations(page) {
  const found = await page.evaluate(() => window.__cspViolations || []);
  for (const v of found) problems.push(`CSP violation on ${page.url()}: ${v}`);
}

async function screenshot(page, name) {
  if (!shotsDir) return;
  fs.mkdirSync(shotsDir, { recursive: true });
  // No blinking caret or half-run transitions in a picture.
  await page.evaluate(() => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    window.scrollTo(0, 0);
  });
  await page.screenshot({
    path: path.join(shotsDir, name),
    animations: 'disabled',
    caret: 'hide',
  });
  log(`screenshot ${name}`);
}

const row = (page, name) => page.locator(`tr[data-worker="${name}"]`);

// ---------------------------------------------------------------------------------------------
// The steps

const TEST_LOG = [
  'Running 14 test suites with 4 workers',
  'PASS  src/auth/login.test.ts (1.8 s)',
  'PASS  src/auth/session.test.ts (0.9 s)',
  'WARN  src/api/upload.test.ts: retry 1/3 after ECONNRESET',
  'PASS  src/api/upload.test.ts (3.2 s)',
  'PASS  src/api/users.test.ts (1.1 s)',
  'WARN  src/db/pool.test.ts: retry 1/3 after a slow query (2.1 s)',
  'PASS  src/db/pool.test.ts (4.0 s)',
  'PASS  src/db/migrations.test.ts (2.6 s)',
  'PASS  src/ui/forms.test.tsx (1.4 s)',
  'PASS  src/ui/table.test.tsx (0.8 s)',
  'WARN  src/jobs/queue.test.ts: Retry budget exhausted, falling back to inline run',
  'PASS  src/jobs/queue.test.ts (5.3 s)',
  'PASS  src/jobs/cron.test.ts (0.7 s)',
  'PASS  src/cli/args.test.ts (0.3 s)',
  'PASS  src/cli/output.test.ts (0.4 s)',
  'Tests: 212 passed, 212 total (3 with a retry)',
  'Time:  18.42 s',
];

const steps = [];
const step = (name, fn) => steps.push({ name, fn });

step('the workers list shows the running sessions, live', async () => {
  const printf = `printf '%s\\n' ${TEST_LOG.map((l) => `'${l}'`).join(' ')}`;
  await startSession('api-tests', `${printf}; exec sleep 600`);
  await startSession(
    'watch-build',
    `while [ ! -f '${gate('one')}' ]; do sleep 0.05; done; i=1; while [ $i -le 200 ]; do echo "build step $i"; i=$((i+1)); done; echo follow-line-7; ` +
      `while [ ! -f '${gate('two')}' ]; do sleep 0.05; done; i=1; while [ $i -le 50 ]; do echo "later line $i"; i=$((i+1)); done; exec sleep 600`,
  );
  await startSession('repl', 'cat');
  const remote = await call('POST', '/api/v1/workers', {
    url: 'http://127.0.0.1:9',
    name: 'gpu-runner',
    hostname: 'build-02',
  });
  check(remote.status === 201, `adding a remote worker: ${remote.status} ${remote.text}`);

  const page = await newPage();
  await page.goto(`${base}/#/workers`);
  for (const name of ['api-tests', 'watch-build', 'repl', 'gpu-runner']) await row(page, name).waitFor();
  await page.locator('[data-testid=events-state][data-state=live]').waitFor();
  const remoteText = await row(page, 'gpu-runner').innerText();
  check(/heartbeat \d+s ago/.test(remoteText) && remoteText.includes('build-02'), `remote row: ${remoteText}`);
  check((await row(page, 'api-tests').innerText()).includes('bg'), 'api-tests row shows its kind');
  await screenshot(page, 'web-workers.png');

  // Started elsewhere (here: straight through the API): it appears without a reload.
  await page.evaluate(() => (window.__sameDocument = true));
  await startSession('nightly-docs', 'exec sleep 600');
  await row(page, 'nightly-docs').waitFor();
  check(await page.evaluate(() => window.__sameDocument === true), 'the page reloaded');
  await collectViolations(page);
  await page.context().close();
});

step('a task started from the form appears; kill asks first, then it goes', async () => {
  const page = await newPage();
  await page.goto(`${base}/#/workers`);
  await row(page, 'api-tests').waitFor();
  await page.getByRole('button', { name: 'New task' }).click();
  await page.locator('textarea[name=prompt]').fill('exec sleep 600');
  await page.locator('input[name=name]').fill('fix-login');
  await page.locator('input[name=cwd]').fill(home);
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await row(page, 'fix-login').waitFor();
  check((await row(page, 'fix-login').innerText()).includes('running'), 'fix-login shows as running');

  await page.getByRole('button', { name: 'Kill fix-login' }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  check((await dialog.innerText()).includes('Kill fix-login?'), 'the dialog names the session');
  // Cancel first: nothing happens.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('dialog[open]').waitFor({ state: 'hidden' });
  check(await row(page, 'fix-login').isVisible(), 'cancel left the session alone');
  await page.getByRole('button', { name: 'Kill fix-login' }).click();
  await page.locator('dialog[open]').getByRole('button', { name: 'Kill', exact: true }).click();
  await row(page, 'fix-login').waitFor({ state: 'detached' });
  const runs = await call('GET', '/api/v1/runs?limit=50');
  const run = runs.json.data.find((r) => r.name === 'fix-login');
  check(run && run.status === 'killed', `fix-login's run: ${JSON.stringify(run)}`);
  await collectViolations(page);
  await page.context().close();
});

step('dark theme and phone width', async () => {
  const dark = await newPage({ colorScheme: 'dark' });
  await dark.goto(`${base}/#/workers`);
  await row(dark, 'api-tests').waitFor();
  const background = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r, g, b] = background.match(/\d+/g).map(Number);
  check(r + g + b < 150, `dark background: ${background}`);
  await screenshot(dark, 'web-workers-dark.png');
  await collectViolations(dark);
  await dark.context().close();

  const phone = await newPage({
    viewport: { width: 375, height: 812 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  await phone.goto(`${base}/#/workers`);
  await row(phone, 'api-tests').waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await screenshot(phone, 'web-phone.png');
  await collectViolations(phone);
  await phone.context().close();
});

step('logs: a search finds and marks the lines; the whole log downloads', async () => {
  const page = await newPage();
  await page.goto(`${base}/#/logs?worker=api-tests`);
  const view = page.locator('[data-testid=logview]');
  await view.locator('.line', { hasText: 'PASS  src/cli/output.test.ts' }).waitFor();
  check(
    (await page.locator('.segmented button', { hasText: 'process' }).getAttribute('aria-pressed')) === 'true',
    'the process log is the one shown',
  );
  check(await page.locator('.segmented button', { hasText: 'debug' }).isDisabled(), 'no debug log: its switch is off');
  await page.getByLabel('Search the log').fill('retry');
  await waitFor('four lines with a marked "retry"', async () => (await view.locator('.line').count()) === 4);
  const marks = await view.locator('mark').allInnerTexts();
  check(marks.length === 4 && marks.every((m) => m.toLowerCase() === 'retry'), `marks: ${marks}`);
  check(
    !(await view.locator('.line', { hasText: 'PASS  src/auth/login.test.ts' }).count()),
    'lines without the word are gone',
  );
  check(page.url().includes('q=retry'), `the search is in the address: ${page.url()}`);
  await screenshot(page, 'web-logs.png');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTitle('Download the whole log').click(),
  ]);
  check(download.suggestedFilename() === 'api-tests.log', `download name ${download.suggestedFilename()}`);
  const text = fs.readFileSync(await download.path(), 'utf8');
  check(text === TEST_LOG.join('\n') + '\n', `downloaded log: ${JSON.stringify(text.slice(0, 200))}`);
  await collectViolations(page);
  await page.context().close();
});

step('logs: follow shows new lines live, and stops scrolling while the reader scrolls up', async () => {
  const page = await newPage();
  await page.goto(`${base}/#/logs?worker=watch-build`);
  const view = page.locator('[data-testid=logview]');
  await page.locator('[data-testid=logview][data-phase=following]').waitFor();
  await page.evaluate(() => (window.__sameDocument = true));
  fs.writeFileSync(gate('one'), '');
  await view.locator('.line', { hasText: 'follow-line-7' }).waitFor();
  const lines = view.locator('.logview-lines');
  const atEnd = () => lines.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 40);
  await waitFor('the view to stay at the end', atEnd, 10_000);

  await lines.evaluate((el) => (el.scrollTop = 0));
  await waitFor('the scroll to land', () => lines.evaluate((el) => el.scrollTop === 0), 10_000);
  fs.writeFileSync(gate('two'), '');
  await view.locator('.line', { hasText: 'later line 50' }).waitFor({ state: 'attached' });
  await page.getByRole('button', { name: /new lines?/ }).waitFor();
  check(await lines.evaluate((el) => el.scrollTop === 0), 'the view jumped while the reader was reading');
  await page.getByRole('button', { name: /new lines?/ }).click();
  await waitFor('the jump to the end', atEnd, 10_000);
  check(await page.evaluate(() => window.__sameDocument === true), 'the page reloaded');
  await collectViolations(page);
  await page.context().close();
});

step('a worker page: details, and typing into its terminal reaches the session', async () => {
  const page = await newPage();
  await page.goto(`${base}/#/workers/repl`);
  await page.locator('h1', { hasText: 'repl' }).waitFor();
  await page.locator('[data-testid=attach][data-phase=live]').waitFor();
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type('hello from the browser');
  await page.keyboard.press('Enter');
  // Once as typed (the line editor echoes locally, as `standby attach` does), once from cat.
  const rows = page.locator('.terminal .xterm-rows');
  await waitFor(
    'the echo from cat',
    async () => ((await rows.innerText()).match(/hello from the browser/g) ?? []).length >= 2,
  );
  const transcript = await call('GET', '/api/v1/workers/repl/logs?type=process');
  check(transcript.json.data.lines.includes('hello from the browser'), `repl's log: ${transcript.text}`);
  await page.keyboard.type('and a second line');
  await page.keyboard.press('Enter');
  await waitFor(
    'the second echo',
    async () => ((await rows.innerText()).match(/and a second line/g) ?? []).length >= 2,
  );
  await screenshot(page, 'web-worker.png');
  await collectViolations(page);
  await page.context().close();
});

async function checkMetricsPage(page) {
  await page.locator('[data-testid=gauges]').waitFor();
  await waitFor('drawn charts', () =>
    page.evaluate(() => {
      const drawn = [...document.querySelectorAll('.chart canvas')].filter(
        (c) => c.width > 0 && c.height > 0 && c.getBoundingClientRect().width > 0,
      );
      return drawn.length >= 2;
    }),
  );
  await page.locator('[data-testid=metrics-table] tbody tr').first().waitFor();
  const names = () => page.locator('[data-testid=metrics-table] tbody tr td:first-child').allInnerTexts();
  // A click on a header sorts by it; a second click turns the order round.
  await page.locator('[data-testid=metrics-table] th button', { hasText: 'Name' }).click();
  await page.locator('[data-testid=metrics-table] th[aria-sort=ascending]', { hasText: 'Name' }).waitFor();
  const ascending = await names();
  check(ascending.join() === [...ascending].sort((a, b) => a.localeCompare(b)).join(), `sorted by name: ${ascending}`);
  await page.locator('[data-testid=metrics-table] th button', { hasText: 'Name' }).click();
  await page.locator('[data-testid=metrics-table] th[aria-sort=descending]', { hasText: 'Name' }).waitFor();
  check((await names()).join() === [...ascending].reverse().join(), 'sorted by name, descending');
}

step("metrics: gauges, charts and a sortable table from the daemon's own samples", async () => {
  const answer = await call('GET', '/api/v1/metrics');
  const page = await newPage();
  await page.goto(`${base}/#/metrics`);
  check(answer.status === 200, `GET /api/v1/metrics: ${answer.status} ${answer.text.slice(0, 200)}`);
  await checkMetricsPage(page);
  await page.locator('[data-testid=metrics-table] th button', { hasText: 'CPU' }).click();
  await screenshot(page, 'web-metrics.png');
  await collectViolations(page);
  await page.context().close();
});

step('no Content-Security-Policy violation and no script error on any page', async () => {
  check(problems.length === 0, problems.join('\n'));
});

step('the daemon stops from the Workers page, after a confirmation', async () => {
  await endSessions();
  const page = await newPage();
  await page.goto(`${base}/#/workers`);
  await page.locator('[data-testid=daemon-state][data-state=running]').waitFor();
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await page.locator('dialog[open]').getByRole('button', { name: 'Stop daemon' }).click();
  await page.locator('[data-testid=daemon-state][data-state=stopped]').waitFor();
  const ended = await Promise.race([daemon.exited, new Promise((r) => setTimeout(() => r(null), TIMEOUT))]);
  check(ended && ended.code === 0, `standbyd ended with ${JSON.stringify(ended)}`);
  await page.locator('[data-testid=events-state][data-state=down]').waitFor();
  await page.context().close();
});

// ---------------------------------------------------------------------------------------------

let passed = 0;
let failed = 0;
try {
  await startDaemon();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
  });
  for (const { name, fn } of steps) {
    const started = Date.now();
    try {
      await fn();
      passed++;
      log(`PASS ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      log(`FAIL ${name}: ${e.stack || e}`);
      break; // later steps build on this one
    }
  }
} catch (e) {
  failed++;
  log(`FAIL setting up: ${e.stack || e}`);
} finally {
  await browser?.close().catch(() => undefined);
  await endSessions().catch((e) => log(`cleanup: ${e.message}`));
  await stopDaemon().catch(() => undefined);
  fs.rmSync(home, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed, ${steps.length - passed - failed} skipped`);
process.exit(failed ? 1 : 0);
