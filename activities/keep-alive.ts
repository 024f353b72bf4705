import { heartbeat } from '@temporalio/activity';

const KEEP_ALIVE_MS = 5_000;
/** Longer than any single request should take; a step whose progress stands still this long is stuck. */
const MAX_QUIET_MS = 5 * 60_000;

/**
 * Heartbeats the latest progress every few seconds while `work` runs, not only between pages: one
 * request can take minutes (a large Workday report), and the heartbeat timeout should measure
 * whether the worker is alive, so a killed worker's activity is retried within seconds elsewhere.
 * When the progress has not moved for MAX_QUIET_MS the heartbeats stop, so a hung request (an SFTP
 * write never acknowledged) times the attempt out and the next one resumes from the checkpoint.
 */
export async function withKeepAlive<T>(progress: () => unknown, work: () => Promise<T>): Promise<T> {
  let last = JSON.stringify(progress());
  let movedAt = Date.now();
  const timer = setInterval(() => {
    const now = JSON.stringify(progress());
    if (now !== last) {
      last = now;
      movedAt = Date.now();
    }
    if (Date.now() - movedAt <= MAX_QUIET_MS) heartbeat(progress());
  }, KEEP_ALIVE_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
