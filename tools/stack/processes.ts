import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { StackError } from './errors';

/** A server process of the stack, with the tail of its output for error messages. */
export interface ServerProcess {
  name: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Every child this process started (servers, builds) and has not seen exit, so that a stop signal
 * can end them wherever start-up was, even before a stack object exists to stop them by.
 */
const liveChildren = new Set<ChildProcess>();

/** Registers `child` until it exits; see `stopAllChildren`. */
export function trackChild<T extends ChildProcess>(child: T): T {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  child.once('error', () => liveChildren.delete(child));
  return child;
}

/** Stops every child still running (SIGTERM, then SIGKILL after `graceMs`). */
export async function stopAllChildren(graceMs?: number): Promise<void> {
  await Promise.all([...liveChildren].map((child) => stopProcess(child, graceMs)));
}

/** SIGKILL to every child still running, for a second stop signal or a process about to exit. */
export function killAllChildren(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
}

let detachServers = false;

/**
 * From now on servers start in a process group of their own, so that Ctrl-C in the terminal
 * reaches only this process, which stops them after the worker (see cli/stop-signals.ts) instead
 * of them dying under it. They are killed when this process exits, however it exits but SIGKILL.
 */
export function superviseServers(): void {
  if (detachServers) return;
  detachServers = true;
  process.on('exit', killAllChildren);
}

export function startServer(name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): ServerProcess {
  const child = trackChild(
    spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env, detached: detachServers }),
  );
  const tail: string[] = [];
  const collect = (chunk: Buffer) => {
    tail.push(chunk.toString());
    if (tail.length > 40) tail.shift();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return {
    name,
    child,
    output: () => tail.join('').trim().split('\n').slice(-15).join('\n'),
    stop: () => stopProcess(child),
  };
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `probe` until it resolves, the process exits, or `timeoutMs` passes. */
export async function waitUntilReady(
  server: ServerProcess,
  probe: () => Promise<unknown>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new StackError(`${server.name} exited during start-up:\n${server.output()}`);
    }
    try {
      await probe();
      return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      await server.stop();
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new StackError(`${server.name} was not ready after ${timeoutMs / 1000}s (${reason}):\n${server.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
