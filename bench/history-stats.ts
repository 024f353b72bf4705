/** What the bench reports of a workflow's history: it must not grow with the roster. */
export interface HistoryStats {
  events: number;
  /** The largest payload (data plus metadata bytes) anywhere in the history. */
  largestPayloadBytes: number;
  /** Every payload's bytes added up. */
  payloadBytes: number;
}

/**
 * Counts the events of a fetched history (`WorkflowHandle.fetchHistory()`) and measures every payload
 * in it, wherever it sits (inputs, results, failures, markers, headers, memos): a payload is any
 * object with `data` bytes and a `metadata` map of bytes.
 */
export function historyStats(history: { events?: readonly unknown[] | null }): HistoryStats {
  let largestPayloadBytes = 0;
  let payloadBytes = 0;
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
    const size = payloadSize(value);
    if (size !== undefined) {
      largestPayloadBytes = Math.max(largestPayloadBytes, size);
      payloadBytes += size;
      return;
    }
    for (const child of Array.isArray(value) ? value : Object.values(value)) visit(child);
  };
  const events = history.events ?? [];
  for (const event of events) visit(event);
  return { events: events.length, largestPayloadBytes, payloadBytes };
}

function payloadSize(value: object): number | undefined {
  const { data, metadata } = value as { data?: unknown; metadata?: unknown };
  if (!(data instanceof Uint8Array) || metadata === null || typeof metadata !== 'object') return undefined;
  let size = data.byteLength;
  for (const [key, bytes] of Object.entries(metadata)) {
    size += Buffer.byteLength(key) + (bytes instanceof Uint8Array ? bytes.byteLength : 0);
  }
  return size;
}
