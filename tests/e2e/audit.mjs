// Runs the graphql-http server audits (GraphQL-over-HTTP conformance) against a real
// `peerlearn serve` process on a throwaway SQLite database.
//
// Environment:
//   PEERLEARN_BIN  path to the server binary (default: ../../target/debug/peerlearn)
//
// Exit status: 0 when no audit is "error" (failed MUST) or "warn" (failed SHOULD), 1 otherwise
// or when the server cannot be started.

import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { serverAudits } from 'graphql-http';

const HOST = '127.0.0.1';
const STARTUP_TIMEOUT_MS = 30_000;
const SHUTDOWN_TIMEOUT_MS = 10_000;

const scriptDir = dirname(fileURLToPath(import.meta.url));
const binary = resolve(process.env.PEERLEARN_BIN || join(scriptDir, '../../target/debug/peerlearn'));

let server = null;
let workDir = null;
let serverLog = null;
let cleanup = null;
let exiting = false;

/** Asks the kernel for a free TCP port on HOST. */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/** The environment of the server: ours without any peerlearn or database settings. */
function serverEnv(databaseUrl) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PEERLEARN_') && !key.startsWith('DATABASE_')) {
      env[key] = value;
    }
  }
  env.DATABASE_URL = databaseUrl;
  env.PEERLEARN_LOG_FORMAT = 'pretty';
  env.NO_COLOR = '1';
  return env;
}

function startServer(port) {
  if (cleanup) {
    throw new Error('stopping');
  }
  const logFd = openSync(serverLog, 'a');
  try {
    server = spawn(binary, ['serve', '--listen', `${HOST}:${port}`], {
      env: serverEnv(`sqlite://${join(workDir, 'audit.db')}?mode=rwc`),
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  server.exited = new Promise((resolveExit) => {
    server.on('exit', (code, signal) => resolveExit({ code, signal }));
    server.on('error', (err) => resolveExit({ code: null, signal: null, error: err }));
  });
}

async function waitForHealth(baseUrl) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let exit = null;
  server.exited.then((result) => {
    exit = result;
  });
  while (Date.now() < deadline) {
    if (exit) {
      const why = exit.error ? exit.error.message : `exit code ${exit.code}, signal ${exit.signal}`;
      throw new Error(`the server stopped during start-up (${why})`);
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === 200) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`GET /healthz did not return 200 within ${STARTUP_TIMEOUT_MS / 1000} s`);
}

function isRunning(child) {
  return child !== null && child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, then SIGKILL if the server has not stopped within SHUTDOWN_TIMEOUT_MS. */
async function stopServer() {
  if (!isRunning(server)) {
    return;
  }
  server.kill('SIGTERM');
  let timer;
  const timeout = new Promise((r) => {
    timer = setTimeout(() => r('timeout'), SHUTDOWN_TIMEOUT_MS);
  });
  const outcome = await Promise.race([server.exited, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    server.kill('SIGKILL');
    await server.exited;
  }
}

function removeWorkDir() {
  if (workDir) {
    rmSync(workDir, { recursive: true, force: true });
    workDir = null;
  }
}

function printServerLog() {
  try {
    const lines = readFileSync(serverLog, 'utf8').trimEnd().split('\n');
    console.error('--- server log (last 40 lines) ---');
    console.error(lines.slice(-40).join('\n'));
    console.error('--- end of server log ---');
  } catch {
    // No log written.
  }
}

/** Runs every audit in order; an audit that throws (network failure) counts as an error. */
async function runAudits(url) {
  const results = [];
  for (const { id, name, fn } of serverAudits({ url })) {
    if (exiting) {
      break;
    }
    try {
      results.push(await fn());
    } catch (err) {
      results.push({ id, name, status: 'error', reason: `audit could not run: ${err?.message ?? err}` });
    }
  }
  return results;
}

/** Prints one line per audit and a summary; returns whether the run passes. */
function report(results) {
  const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
  for (const result of results) {
    counts[result.status] += 1;
    const line = `${result.status.padEnd(6)} ${result.id} ${result.name}`;
    if (result.status === 'ok') {
      console.log(line);
      continue;
    }
    const got = result.response
      ? ` (got HTTP ${result.response.status}, content-type ${result.response.headers.get('content-type') ?? 'none'})`
      : '';
    console.log(`${line}: ${result.reason}${got}`);
  }
  const failures = counts.warn + counts.error;
  console.log(
    `\n${results.length} audits: ${counts.ok} ok, ${counts.notice} notice, ${counts.warn} warn, ${counts.error} error`,
  );
  console.log(failures === 0 ? 'PASS' : `FAIL: ${failures} audit(s) failed a MUST or SHOULD`);
  return failures === 0;
}

async function main() {
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    console.error(`peerlearn binary not found at ${binary}; run \`cargo build -p peerlearn\` or set PEERLEARN_BIN`);
    return 1;
  }
  workDir = mkdtempSync(join(tmpdir(), 'peerlearn-audit-'));
  serverLog = join(workDir, 'server.log');
  const port = await freePort();
  const baseUrl = `http://${HOST}:${port}`;
  startServer(port);
  try {
    await waitForHealth(baseUrl);
  } catch (err) {
    console.error(`cannot start ${binary}: ${err.message}`);
    printServerLog();
    return 1;
  }
  console.log(`auditing ${baseUrl}/graphql\n`);
  const results = await runAudits(`${baseUrl}/graphql`);
  if (exiting) {
    return 1;
  }
  return report(results) ? 0 : 1;
}

/** Stops the server and removes the temporary directory; every caller shares one run. */
function cleanUp() {
  cleanup ??= (async () => {
    try {
      await stopServer();
    } finally {
      removeWorkDir();
    }
  })();
  return cleanup;
}

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    if (exiting) {
      return;
    }
    exiting = true;
    console.error(`\n${signal}: stopping the server`);
    cleanUp().finally(() => process.exit(code));
  });
}

// Last resort when the process ends some other way: no waiting is possible here.
process.on('exit', () => {
  if (isRunning(server)) {
    server.kill('SIGKILL');
  }
  removeWorkDir();
});

let status = 1;
try {
  status = await main();
} catch (err) {
  if (!exiting) {
    console.error(err);
  }
  status = 1;
} finally {
  await cleanUp();
}
if (!exiting) {
  process.exit(status);
}
