// Runs a suite's main function with one clean-up, whatever happens: success, failure, an
// exception, SIGINT/SIGTERM/SIGHUP, or (without waiting) any other end of the process.

/** Set once a signal asked the suite to stop; long loops check it. */
export const state = { exiting: false };

/**
 * Runs `main` (which resolves to an exit status) and exits with its status.
 * - `cleanUp`: stops servers and removes files; awaited once, however the run ends.
 * - `killNow`: the synchronous last resort for the process 'exit' event.
 * - `onError`: prints diagnostics after an unexpected exception.
 * - `what`: what a signal stops, for the message.
 */
export async function runSuite({ main, cleanUp, killNow, onError = () => {}, what }) {
  let cleanup = null;
  const cleanUpOnce = () => {
    cleanup ??= Promise.resolve().then(cleanUp);
    return cleanup;
  };
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ]) {
    process.on(signal, () => {
      if (state.exiting) {
        return;
      }
      state.exiting = true;
      console.error(`\n${signal}: stopping ${what}`);
      cleanUpOnce().finally(() => process.exit(code));
    });
  }
  process.on('exit', killNow);

  let status = 1;
  try {
    status = await main();
  } catch (err) {
    if (!state.exiting) {
      console.error(err);
      onError();
    }
    status = 1;
  } finally {
    await cleanUpOnce();
  }
  if (!state.exiting) {
    process.exit(status);
  }
}

/**
 * Prints a suite's closing lines for its `results` (each `{ ok }`), calls `onFailure` to print
 * diagnostics when a check failed, and returns the exit status.
 */
export function summarize(results, onFailure = () => {}) {
  const failed = results.filter((r) => !r.ok).length;
  console.log(`\n${results.length} checks: ${results.length - failed} passed, ${failed} failed`);
  if (failed > 0) {
    onFailure();
  }
  console.log(failed === 0 ? 'PASS' : 'FAIL');
  return failed === 0 ? 0 : 1;
}
