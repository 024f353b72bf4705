import { xxh64 } from '@node-rs/xxhash';

/**
 * Compact stand-ins for ids and emails in duplicate checks and the plan's baseline: 64-bit xxHash
 * values, 8 bytes each instead of a string per person. Two different values share a hash with a
 * probability of about n²/2⁶⁵ (3 in 100 million at a million people); the price of a collision is a
 * row reported as a repeat, or one leaver not counted, never a wrong file.
 */
export function hash64(value: string): bigint {
  // xxh64 of 0 is never produced for the empty-slot marker below to matter: 0 is remapped to 1.
  return xxh64(value) || 1n;
}

const EMPTY = 0;
const MIN_SLOTS = 1024;
/** Grown by half when two thirds full: at a million members 1.5 million slots, not 2²¹. */
const GROWTH = 1.5;
const MAX_LOAD = 2 / 3;

/**
 * A set of 64-bit hashes in two flat typed arrays (open addressing, linear probing, at most two
 * thirds full): 8 bytes a slot, 12-18 bytes a member, where a Set of strings takes ten times that at a
 * million. An optional whole number below 2³² rides with each member (the csv source keeps the line
 * an id was first seen on), 4 more bytes a slot. Slots need not be a power of two: a hash's start
 * slot is its high half scaled to the table, so the table can grow by half instead of doubling.
 */
export class Hash64Set {
  private keys: Uint32Array;
  private values: Uint32Array | undefined;
  private slots = MIN_SLOTS;
  private count = 0;

  constructor(options: { withValues?: boolean } = {}) {
    this.keys = new Uint32Array(MIN_SLOTS * 2);
    this.values = options.withValues ? new Uint32Array(MIN_SLOTS) : undefined;
  }

  get size(): number {
    return this.count;
  }

  has(hash: bigint): boolean {
    split(hash);
    return this.slotOf(HALVES[1]!, HALVES[0]!) >= 0;
  }

  /** The number stored with `hash`, or undefined when it is not a member. */
  get(hash: bigint): number | undefined {
    split(hash);
    const slot = this.slotOf(HALVES[1]!, HALVES[0]!);
    return slot < 0 ? undefined : this.values?.[slot];
  }

  /** Adds `hash` (with `value`, a whole number below 2³²); false when it was already a member (its value is then kept). */
  add(hash: bigint, value = 0): boolean {
    if (this.values && !(Number.isInteger(value) && value >= 0 && value < 2 ** 32))
      throw new RangeError(`a Hash64Set value must be a whole number below 2^32, not ${value}`);
    if (this.count + 1 > this.slots * MAX_LOAD) this.grow();
    split(hash);
    return this.insert(HALVES[1]!, HALVES[0]!, value);
  }

  /** Where a hash's probe starts: its high half scaled to the table (always below `slots`). */
  private startOf(hi: number): number {
    return Math.floor((hi * this.slots) / 4294967296);
  }

  private insert(hi: number, lo: number, value: number): boolean {
    for (let slot = this.startOf(hi); ; slot = slot + 1 === this.slots ? 0 : slot + 1) {
      const at = slot * 2;
      if (this.keys[at] === EMPTY && this.keys[at + 1] === EMPTY) {
        this.keys[at] = hi;
        this.keys[at + 1] = lo;
        if (this.values) this.values[slot] = value;
        this.count += 1;
        return true;
      }
      if (this.keys[at] === hi && this.keys[at + 1] === lo) return false;
    }
  }

  private slotOf(hi: number, lo: number): number {
    for (let slot = this.startOf(hi); ; slot = slot + 1 === this.slots ? 0 : slot + 1) {
      const at = slot * 2;
      if (this.keys[at] === EMPTY && this.keys[at + 1] === EMPTY) return -1;
      if (this.keys[at] === hi && this.keys[at + 1] === lo) return slot;
    }
  }

  private grow(): void {
    const { keys, values, slots } = this;
    this.slots = Math.ceil(slots * GROWTH);
    this.keys = new Uint32Array(this.slots * 2);
    this.values = values ? new Uint32Array(this.slots) : undefined;
    this.count = 0;
    for (let slot = 0; slot < slots; slot += 1) {
      const hi = keys[slot * 2]!;
      const lo = keys[slot * 2 + 1]!;
      if (hi === EMPTY && lo === EMPTY) continue;
      this.insert(hi, lo, values?.[slot] ?? 0);
    }
  }
}

/**
 * A hash's two 32-bit halves through one shared 8-byte buffer: no BigInt arithmetic, no allocation
 * per lookup. (Which half is which depends on the machine's byte order; to the set it does not matter.)
 */
const WHOLE = new BigUint64Array(1);
const HALVES = new Uint32Array(WHOLE.buffer);
function split(hash: bigint): void {
  WHOLE[0] = hash;
}

/** Hashes as bytes for the store (8 bytes each, little-endian), and back. */
export function encodeHashes(hashes: readonly bigint[]): Buffer {
  const array = BigUint64Array.from(hashes);
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

export function decodeHashes(bytes: Uint8Array): BigUint64Array {
  if (bytes.byteLength % 8 !== 0) throw new Error(`a hash list of ${bytes.byteLength} bytes is not whole`);
  // Copied: a driver buffer may sit at an offset that is not a multiple of 8.
  const copy = new Uint8Array(bytes);
  return new BigUint64Array(copy.buffer, 0, copy.byteLength / 8);
}
