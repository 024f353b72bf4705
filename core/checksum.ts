import { createHash } from 'node:crypto';

export type Sha256 = `sha256:${string}`;

export function sha256Hex(data: string | Buffer): Sha256 {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
