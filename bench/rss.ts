import { readFile, writeFile } from 'node:fs/promises';

/** Resident set size now and its peak (high-water mark) since the process started, in bytes. */
export interface RssReading {
  rssBytes: number;
  peakBytes: number;
}

/** Reads `VmRSS` and `VmHWM` out of a `/proc/<pid>/status` text; undefined when either is missing. */
export function parseProcStatus(text: string): RssReading | undefined {
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const rssBytes = kib('VmRSS');
  const peakBytes = kib('VmHWM');
  return rssBytes === undefined || peakBytes === undefined ? undefined : { rssBytes, peakBytes };
}

/**
 * Polls a process's `/proc/<pid>/status` and keeps the largest peak seen. VmHWM is the kernel's own
 * high-water mark, so a spike between two polls still counts; polling only keeps it once the process
 * has exited, so read `peakBytes` (or call `stop`) before stopping the process.
 */
export class PeakRssSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly pid: number,
    intervalMs = 250,
  ) {
    this.timer = setInterval(() => void this.sample(), intervalMs);
  }

  async sample(): Promise<void> {
    const text = await readFile(`/proc/${this.pid}/status`, 'utf8').catch(() => undefined);
    const reading = text === undefined ? undefined : parseProcStatus(text);
    if (reading) this.peak = Math.max(this.peak, reading.peakBytes, reading.rssBytes);
  }

  /** Takes a last reading and stops polling; the peak in bytes (0 if the process could never be read). */
  async stop(): Promise<number> {
    clearInterval(this.timer);
    await this.sample();
    return this.peak;
  }
}

/**
 * Resets a process's high-water mark (VmHWM) to its current RSS (`5` to /proc/<pid>/clear_refs,
 * Linux 4.0+), so a second run in the same process gets a peak of its own.
 */
export async function resetPeakRss(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, '5');
}
