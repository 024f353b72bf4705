import { heartbeat } from '@temporalio/activity';

const KEEP_ALIVE_MS = 5_000;

/**
 * Heartbeats the latest progress every few seconds while `work` runs, not only between pages: one
 * request can take minutes (a large Workday report), and the heartbeat timeout should measure
 * whether the worker is alive, so a killed worker's activity is retried within seconds elsewhere.
 */
export async function withKeepAlive<T>(progress: () => unknown, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => heartbeat(progress()), KEEP_ALIVE_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
