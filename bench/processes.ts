import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, readdir } from 'node:fs/promises';

/** A child process of the bench with everything it printed. */
export interface BenchChild {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

/** Runs `node <args>` (node itself, so the pid is the process measured, not a launcher). */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv, cwd: string): BenchChild {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start node ${args.join(' ')}`);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, pid: child.pid, output: () => output, exited };
}

/** Resolves once `child` printed `text`; fails if it exits first or `timeoutMs` pass. */
export async function waitForOutput(child: BenchChild, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!child.output().includes(text)) {
    if (child.child.exitCode !== null) throw new Error(`exited before printing "${text}":\n${tail(child)}`);
    if (Date.now() > deadline) throw new Error(`did not print "${text}" within ${timeoutMs} ms:\n${tail(child)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopChild(child: BenchChild, graceMs = 15_000): Promise<void> {
  if (child.child.exitCode !== null || child.child.signalCode !== null) return;
  child.child.kill('SIGTERM');
  const timer = setTimeout(() => child.child.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

export function tail(child: BenchChild, lines = 30): string {
  return child.output().trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * The pid of this process's child serving `port` on loopback (the store server: FerretDB's
 * `-listen 127.0.0.1:<port>`, mongod's `--port <port>`), found through /proc.
 */
export async function childServingPort(port: number): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const [stat, cmdline] = await Promise.all([
      readFile(`/proc/${entry}/stat`, 'utf8').catch(() => ''),
      readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => ''),
    ]);
    // The parent pid is the second field after the command name, which sits in parentheses.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent !== process.pid) continue;
    const args = cmdline.split('\0');
    if (args.some((arg, index) => arg.endsWith(`:${port}`) || (arg === String(port) && args[index - 1] === '--port')))
      return Number(entry);
  }
  return undefined;
}
