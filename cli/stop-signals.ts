import { killAllChildren, stopAllChildren, superviseServers } from '../tools/stack/processes';

/** What supervisors and IDE stop buttons (SIGTERM), Ctrl-C (SIGINT) and a closed terminal (SIGHUP) send. */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** A second signal sooner than this is the same stop request delivered twice. */
const REPEAT_GRACE_MS = 1_000;

type Step = () => unknown;

/**
 * What a long-running command holds, let go of last-in first-out, once however often `run` is
 * called; then every child process still running (a server half started, a build) is stopped.
 */
export class Cleanups {
  private readonly steps: { what: string; step: Step }[] = [];
  private running: Promise<void> | undefined;

  /** True once `run` was called: by a stop signal, or at the end of the command. */
  get begun(): boolean {
    return this.running !== undefined;
  }

  add(what: string, step: Step): void {
    this.steps.push({ what, step });
  }

  run(log: (line: string) => void = console.log): Promise<void> {
    this.running ??= (async () => {
      for (const { what, step } of this.steps.reverse()) {
        await Promise.resolve()
          .then(step)
          .catch((err: unknown) =>
            log(`  could not stop ${what}: ${err instanceof Error ? err.message : String(err)}`),
          );
      }
      await stopAllChildren();
    })();
    return this.running;
  }
}

/**
 * On SIGTERM, SIGINT or SIGHUP: "SIGTERM: stopping <what>...", everything `cleanups` holds stopped,
 * "Stopped.", exit 0. A second signal a second or more later kills the children and exits 1.
 */
export function stopOnSignals(cleanups: Cleanups, what: string, log: (line: string) => void = console.log): void {
  superviseServers();
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      // Ctrl-C reaches this process twice: from the terminal, and forwarded by `npm run`.
      if (Date.now() - firstAt < REPEAT_GRACE_MS) return;
      log(`${signal} again: killing what is still running.`);
      killAllChildren();
      process.exit(1);
    }
    firstAt = Date.now();
    log(`\n${signal}: stopping ${what}...`);
    void cleanups.run(log).then(() => {
      log('Stopped.');
      process.exit(0);
    });
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
}
