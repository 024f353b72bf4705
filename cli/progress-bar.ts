import { MultiBar, Presets } from 'cli-progress';
import type { SingleBar } from 'cli-progress';
import { employeesText, waitInWords } from './run-status';
import type { RunView } from './run-status';

/** What the bar shows: the steps done of the run's steps, and the current step, employees and wait in words. */
export interface BarPayload {
  value: number;
  total: number;
  /** The step, its attempt when it is a retry, or HELD. */
  label: string;
  /** Employees so far and the current wait, when there are. */
  detail: string;
}

/** The steps a run goes through; a dry run never delivers. The old extract and render are the build. */
const STEPS = ['resolve', 'build', 'plan', 'deliver'] as const;
const BUILD_STEPS = new Set(['build', 'extract', 'render']);

/** A run's view as the bar's payload. Pure: the bar itself only draws it. */
export function barPayload(view: RunView, now: Date = new Date()): BarPayload {
  const steps = view.dryRun ? STEPS.filter((step) => step !== 'deliver') : [...STEPS];
  const done = new Set(view.stepsDone.map((step) => (BUILD_STEPS.has(step) ? 'build' : step)));
  const value = steps.filter((step) => done.has(step)).length;
  const attempt =
    view.attempt !== undefined && view.attempt > 1
      ? ` (attempt ${view.attempt}${view.maxAttempts ? ` of ${view.maxAttempts}` : ''})`
      : '';
  const label =
    view.status === 'held'
      ? 'HELD'
      : view.step
        ? `${view.step}${attempt}`
        : view.status === 'running'
          ? 'starting'
          : view.status;
  const detail = [
    view.employees ? employeesText(view.employees) : undefined,
    view.wait ? waitInWords(view.wait, now) : undefined,
  ].filter(Boolean);
  return { value, total: steps.length, label, detail: detail.join('; ') };
}

/** Where `rosterflow run` shows a run: lines only, or lines above a live bar. */
export interface ProgressDisplay {
  /** A line of the run's story (a step's end, a retry, a hold). */
  print: (line: string) => void;
  /** The run's current view, for a live display (a plain one has none). */
  show?: (view: RunView) => void;
  /** Takes the bar down, so the outcome prints below the story. */
  stop: () => void;
}

/** One line per change, for logs, pipes and CI. */
export function lineDisplay(print: (line: string) => void = (line) => console.log(line)): ProgressDisplay {
  return { print, stop: () => undefined };
}

/** A live bar at the bottom of a terminal (cli-progress), the story's lines printed above it. */
export function barDisplay(stream: NodeJS.WriteStream = process.stdout): ProgressDisplay {
  const bars = new MultiBar(
    {
      format: '{label} |{bar}| {value}/{total} steps, {duration_formatted} | {detail}',
      stream,
      barsize: 20,
      clearOnComplete: true,
      // Ctrl-C leaves the run going and the terminal as it was: no hidden cursor, no wrapping turned off
      // (a line wider than the terminal is cut instead).
      hideCursor: false,
      linewrap: true,
    },
    Presets.shades_classic,
  );
  let bar: SingleBar | undefined;
  let stopped = false;
  return {
    print: (line) => {
      // Until the bar is up (and once it is down) nothing redraws, so the line is written at once.
      if (bar && !stopped) bars.log(`${line}\n`);
      else stream.write(`${line}\n`);
    },
    show: (view) => {
      if (stopped) return;
      const { value, total, ...payload } = barPayload(view);
      if (!bar) {
        bar = bars.create(total, value, payload);
        return;
      }
      bar.setTotal(total);
      bar.update(value, payload);
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      if (!bar) return;
      // Draws once more, which writes the lines logged since the last frame, then clears the bar.
      bars.update();
      bars.stop();
    },
  };
}
