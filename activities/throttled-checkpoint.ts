/**
 * Keeps the latest progress of a fast loop (an upload's acknowledged chunks) in MongoDB about once
 * a second rather than once per chunk. Saves run one at a time, in order, so an older progress can
 * never land after a newer one; a failed save is tried again with newer progress (the heartbeat
 * carries the same progress meanwhile), and `close` returns only once the last one is written.
 */
export function createThrottledCheckpoint<T>(save: (data: T) => Promise<void>, everyMs = 1_000) {
  let latest: T | undefined;
  let dirty = false;
  let chain: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    chain = chain.then(async () => {
      if (!dirty || latest === undefined) return;
      const data = latest;
      dirty = false;
      try {
        await save(data);
      } catch {
        dirty = true;
      }
    });
    return chain;
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
