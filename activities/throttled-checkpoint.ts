/**
 * Keeps the latest progress of a fast loop (an upload's acknowledged chunks) in MongoDB about once
 * a second rather than once per chunk. A failed write is tried again with newer progress; the
 * heartbeat carries the same progress meanwhile, and `close` writes the last one.
 */
export function createThrottledCheckpoint<T>(save: (data: T) => Promise<void>, everyMs = 1_000) {
  let latest: T | undefined;
  let dirty = false;
  let inFlight: Promise<void> | undefined;

  const flush = async (): Promise<void> => {
    if (inFlight) await inFlight;
    if (!dirty || latest === undefined) return;
    const data = latest;
    dirty = false;
    inFlight = save(data)
      .catch(() => {
        dirty = true;
      })
      .finally(() => {
        inFlight = undefined;
      });
    await inFlight;
  };
  const timer = setInterval(() => void flush(), everyMs);

  return {
    update(data: T): void {
      latest = data;
      dirty = true;
    },
    async close(): Promise<void> {
      clearInterval(timer);
      await flush();
    },
  };
}
