// Runs `peerlearn serve` as a child process on a throwaway SQLite database for the suites:
// output to a log file, /healthz polled until 200, SIGTERM then SIGKILL to stop.

import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const STARTUP_TIMEOUT_MS = 30_000;
const SHUTDOWN_TIMEOUT_MS = 10_000;

/** Asks the kernel for a free TCP port on `host`. */
export function freePort(host) {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/** Our environment without any peerlearn or database settings, plus `extra`. */
function serverEnv(extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PEERLEARN_') && !key.startsWith('DATABASE_')) {
      env[key] = value;
    }
  }
  return { ...env, PEERLEARN_LOG_FORMAT: 'pretty', NO_COLOR: '1', ...extra };
}

export class PeerlearnServer {
  constructor({ binary, args, databaseUrl, logFile }) {
    this.logFile = logFile;
    const logFd = openSync(logFile, 'a');
    try {
      this.child = spawn(binary, ['serve', ...args], {
        env: serverEnv({ DATABASE_URL: databaseUrl }),
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    this.exit = null;
    this.exited = new Promise((resolveExit) => {
      this.child.on('exit', (code, signal) => resolveExit({ code, signal }));
      this.child.on('error', (error) => resolveExit({ code: null, signal: null, error }));
    });
    this.exited.then((result) => {
      this.exit = result;
    });
  }

  get running() {
    return this.child.exitCode === null && this.child.signalCode === null && this.exit === null;
  }

  /** Resolves once `GET <baseUrl>/healthz` answers 200; rejects if the process stops first. */
  async waitForHealth(baseUrl) {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.exit) {
        const { error, code, signal } = this.exit;
        throw new Error(`the server stopped during start-up (${error ? error.message : `exit code ${code}, signal ${signal}`})`);
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

  /** SIGTERM, then SIGKILL if the server has not stopped within SHUTDOWN_TIMEOUT_MS. */
  async stop() {
    if (!this.running) {
      return;
    }
    this.child.kill('SIGTERM');
    let timer;
    const timeout = new Promise((r) => {
      timer = setTimeout(() => r('timeout'), SHUTDOWN_TIMEOUT_MS);
    });
    const outcome = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  /** For the process 'exit' handler, where nothing can be awaited. */
  killNow() {
    if (this.running) {
      this.child.kill('SIGKILL');
    }
  }

  /** The last `count` lines of the server's output. */
  logTail(count = 40) {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
    } catch {
      return '';
    }
  }
}
