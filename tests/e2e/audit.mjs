// Runs the graphql-http server audits (GraphQL-over-HTTP conformance) against a real
// `peerlearn serve` process on a throwaway SQLite database.
//
// Environment:
//   PEERLEARN_BIN  path to the server binary (default: ../../target/debug/peerlearn)
//
// Exit status: 0 when no audit is "error" (failed MUST) or "warn" (failed SHOULD), 1 otherwise
// or when the server cannot be started.

import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { serverAudits } from 'graphql-http';

import { PeerlearnServer, freePort } from './support/peerlearn.mjs';
import { runSuite, state } from './support/suite.mjs';

const HOST = '127.0.0.1';

const scriptDir = dirname(fileURLToPath(import.meta.url));
const binary = resolve(process.env.PEERLEARN_BIN || join(scriptDir, '../../target/debug/peerlearn'));

let server = null;
let workDir = null;

function removeWorkDir() {
  if (workDir) {
    rmSync(workDir, { recursive: true, force: true });
    workDir = null;
  }
}

/** Runs every audit in order; an audit that throws (network failure) counts as an error. */
async function runAudits(url) {
  const results = [];
  for (const { id, name, fn } of serverAudits({ url })) {
    if (state.exiting) {
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
  const port = await freePort(HOST);
  const baseUrl = `http://${HOST}:${port}`;
  server = new PeerlearnServer({
    binary,
    args: ['--listen', `${HOST}:${port}`],
    databaseUrl: `sqlite://${join(workDir, 'audit.db')}?mode=rwc`,
    logFile: join(workDir, 'server.log'),
  });
  try {
    await server.waitForHealth(baseUrl);
  } catch (err) {
    console.error(`cannot start ${binary}: ${err.message}`);
    console.error(server.logTail(40));
    return 1;
  }
  console.log(`auditing ${baseUrl}/graphql\n`);
  const results = await runAudits(`${baseUrl}/graphql`);
  if (state.exiting) {
    return 1;
  }
  return report(results) ? 0 : 1;
}

await runSuite({
  main,
  cleanUp: async () => {
    try {
      await server?.stop();
    } finally {
      removeWorkDir();
    }
  },
  // The last resort: nothing can be awaited here.
  killNow: () => {
    server?.killNow();
    removeWorkDir();
  },
  what: 'the server',
});
