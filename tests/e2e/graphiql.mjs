// GraphiQL in a real browser: Debian's Chromium, driven by playwright-core, opens /graphiql of a
// `peerlearn serve` process on a throwaway SQLite database, with every request to another
// origin blocked and counted. The page must load from the server alone under its
// Content-Security-Policy, run a query, and show the schema in the Docs pane.
//
// Environment:
//   PEERLEARN_BIN  path to the server binary (default: ../../target/debug/peerlearn)
//   CHROMIUM_BIN   path to Chromium (default: /usr/bin/chromium, Debian's `chromium` package)
//
// Exit status: 0 when every check passes, 1 otherwise or when the server or Chromium cannot be
// started. A failed check leaves a screenshot in a temporary folder and prints its path.

import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { PeerlearnServer, freePort } from './support/peerlearn.mjs';
import { runSuite, state, summarize } from './support/suite.mjs';

const HOST = '127.0.0.1';
const TIMEOUT_MS = 15_000;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const scriptDir = dirname(fileURLToPath(import.meta.url));
const binary = resolve(process.env.PEERLEARN_BIN || join(scriptDir, '../../target/debug/peerlearn'));
const chromiumBin = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

let workDir = null;
let shotsDir = null;
let server = null;
let browser = null;
let page = null;

// --- checks -------------------------------------------------------------------------------

/** A failed expectation; its message says what was expected and what came instead. */
class CheckFailed extends Error {}

/** Thrown out of the run when a check that later checks depend on has failed. */
class FlowAborted extends Error {}

const results = [];

function expect(condition, message) {
  if (!condition) {
    throw new CheckFailed(message);
  }
}

/** Saves what the browser shows after a failed check; returns the file, or null. */
async function screenshot(name) {
  if (!page || page.isClosed()) {
    return null;
  }
  try {
    shotsDir ??= mkdtempSync(join(tmpdir(), 'peerlearn-graphiql-screenshots-'));
    const file = join(shotsDir, `${String(results.length).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  } catch {
    return null;
  }
}

/**
 * Runs one check and prints its line. A failed `required` check ends the run's checks in the
 * browser; any other failure is recorded and the run goes on. Returns the check's value.
 */
async function check(name, fn, { required = false } = {}) {
  if (state.exiting) {
    throw new FlowAborted('interrupted');
  }
  try {
    const value = await fn();
    results.push({ name, ok: true });
    console.log(`ok    ${name}${value?.note ? ` (${value.note})` : ''}`);
    return value;
  } catch (err) {
    const reason = err instanceof CheckFailed ? err.message : `${err?.name ?? 'Error'}: ${err?.message ?? err}`;
    results.push({ name, ok: false });
    const shot = await screenshot(name);
    console.log(`FAIL  ${name}: ${reason}${shot ? ` (screenshot: ${shot})` : ''}`);
    if (required) {
      throw new FlowAborted(name);
    }
    return undefined;
  }
}

// --- the browser --------------------------------------------------------------------------

/**
 * A page in a fresh context where every request to another origin than `origin` is aborted
 * and recorded, and where console errors (Chromium reports CSP violations there) and uncaught
 * exceptions are recorded.
 */
async function openPage(origin) {
  const seen = { foreign: [], own: [], consoleErrors: [], pageErrors: [] };
  const context = await browser.newContext();
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin !== origin) {
      seen.foreign.push(url);
      return route.abort('blockedbyclient');
    }
    seen.own.push(url);
    return route.continue();
  });
  page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on('websocket', (ws) => seen.foreign.push(ws.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      seen.consoleErrors.push(message.text());
    }
  });
  page.on('pageerror', (err) => seen.pageErrors.push(`${err.name}: ${err.message}`));
  return seen;
}

/** The text of the CodeMirror editor under `selector`. */
function editorText(selector) {
  return page.evaluate((s) => document.querySelector(`${s} .CodeMirror`)?.CodeMirror?.getValue() ?? null, selector);
}

/** The link to the root query type in the Docs pane's "Root Types": `query: Query`. */
function rootQueryLink(docs) {
  return docs
    .locator('.graphiql-doc-explorer-root-type', { hasText: /^query$/ })
    .locator('xpath=..')
    .locator('.graphiql-doc-explorer-type-name', { hasText: /^Query$/ });
}

async function browse(base) {
  const origin = new URL(base).origin;
  const seen = await openPage(origin);

  await check(
    'GET /graphiql answers HTML with Content-Security-Policy default-src \'self\' and script-src \'self\'',
    async () => {
      const res = await page.goto(`${base}/graphiql`, { waitUntil: 'domcontentloaded' });
      expect(res, 'no response');
      expect(res.status() === 200, `expected HTTP 200, got ${res.status()}`);
      const type = res.headers()['content-type'] ?? '';
      expect(type.startsWith('text/html'), `expected text/html, got ${type}`);
      const policy = res.headers()['content-security-policy'] ?? '';
      const directives = new Map(
        policy.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name, values]),
      );
      expect(directives.get('default-src')?.join(' ') === "'self'", `expected default-src 'self', got ${policy || 'no policy'}`);
      expect(directives.get('script-src')?.join(' ') === "'self'", `expected script-src 'self', got ${policy}`);
      expect((await page.title()) === 'Peer learning API', `expected the title "Peer learning API", got "${await page.title()}"`);
    },
    { required: true },
  );

  await check(
    'GraphiQL starts: the query editor is shown',
    async () => {
      await page.locator('.graphiql-query-editor .CodeMirror').waitFor({ state: 'visible' });
      return { note: `${seen.own.length} requests, all to ${origin}` };
    },
    { required: true },
  );

  await check('{ __typename } runs against /graphql and the response pane shows "Query"', async () => {
    await page.evaluate(() => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue('{ __typename }'));
    const answered = page.waitForResponse((r) => r.url() === `${base}/graphql` && r.request().method() === 'POST' && (r.request().postData() ?? '').includes('__typename'));
    await page.getByRole('button', { name: /^Execute query/ }).click();
    const res = await answered;
    expect(res.status() === 200, `expected HTTP 200 from /graphql, got ${res.status()}`);
    await page.locator('.graphiql-response').getByText('"Query"').first().waitFor();
    const text = await editorText('.graphiql-response');
    let body = null;
    try {
      body = JSON.parse(text);
    } catch {
      // Reported below.
    }
    expect(body?.data?.__typename === 'Query', `expected {"data":{"__typename":"Query"}}, the response pane shows ${text}`);
  });

  await check(
    'the Docs pane opens and shows the root type Query',
    async () => {
      await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
      const docs = page.locator('.graphiql-doc-explorer');
      await docs.getByText('Root Types').waitFor();
      await rootQueryLink(docs).waitFor();
    },
    { required: true },
  );

  await check('the Docs pane lists the fields of Query, topics among them', async () => {
    const docs = page.locator('.graphiql-doc-explorer');
    await rootQueryLink(docs).click();
    await docs.locator('.graphiql-doc-explorer-title', { hasText: /^Query$/ }).waitFor();
    await docs.locator('.graphiql-doc-explorer-field-name', { hasText: /^topics$/ }).waitFor();
    const count = await docs.locator('.graphiql-doc-explorer-field-name').count();
    return { note: `${count} fields` };
  });

  await check('the page tried to reach no other origin', async () => {
    expect(seen.foreign.length === 0, `blocked ${seen.foreign.length} request(s): ${[...new Set(seen.foreign)].join(', ')}`);
  });

  await check('no Content-Security-Policy violation and no uncaught script error', async () => {
    const problems = [...seen.consoleErrors.filter((t) => /Content Security Policy/i.test(t)), ...seen.pageErrors];
    expect(problems.length === 0, problems.join(' | '));
  });
}

// --- set-up and tear-down -----------------------------------------------------------------

function printDiagnostics() {
  if (server) {
    console.error('--- server log (last 40 lines) ---');
    console.error(server.logTail(40));
    console.error('--- end of server log ---');
  }
}

async function main() {
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    console.error(`peerlearn binary not found at ${binary}; run \`cargo build -p peerlearn\` or set PEERLEARN_BIN`);
    return 1;
  }
  try {
    accessSync(chromiumBin, constants.X_OK);
  } catch {
    console.error(`Chromium not found at ${chromiumBin}; install Debian's package (\`apt-get install chromium\`) or set CHROMIUM_BIN`);
    return 1;
  }
  workDir = mkdtempSync(join(tmpdir(), 'peerlearn-graphiql-'));
  const port = await freePort(HOST);
  const base = `http://${HOST}:${port}`;
  server = new PeerlearnServer({
    binary,
    args: ['--listen', `${HOST}:${port}`, '--graphiql', 'true'],
    databaseUrl: `sqlite://${join(workDir, 'graphiql.db')}?mode=rwc`,
    logFile: join(workDir, 'server.log'),
  });
  try {
    await server.waitForHealth(base);
  } catch (err) {
    console.error(`cannot start ${binary}: ${err.message}`);
    printDiagnostics();
    return 1;
  }
  if (state.exiting) {
    return 1;
  }
  browser = await chromium.launch({ executablePath: chromiumBin, args: CHROMIUM_ARGS, headless: true });

  console.log(`opening ${base}/graphiql in Chromium ${browser.version()}\n`);
  try {
    await browse(base);
  } catch (err) {
    if (!(err instanceof FlowAborted)) {
      throw err;
    }
    if (!state.exiting) {
      console.log(`skip  the remaining checks depend on "${err.message}"`);
    }
  }
  if (state.exiting) {
    return 1;
  }

  return summarize(results, printDiagnostics);
}

function removeWorkDir() {
  if (workDir) {
    rmSync(workDir, { recursive: true, force: true });
    workDir = null;
  }
}

await runSuite({
  main,
  cleanUp: async () => {
    try {
      await browser?.close();
    } finally {
      try {
        await server?.stop();
      } finally {
        removeWorkDir();
      }
    }
  },
  // The last resort: nothing can be awaited here (playwright-core kills the browsers it
  // launched when the process exits).
  killNow: () => {
    server?.killNow();
    removeWorkDir();
  },
  onError: printDiagnostics,
  what: 'the server and the browser',
});
