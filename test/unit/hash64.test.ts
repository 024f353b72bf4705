import { describe, expect, it } from 'vitest';
import { Hash64Set, decodeHashes, encodeHashes, hash64 } from '../../core/hash64';

describe('hash64 and Hash64Set', () => {
  it('hashes the same value the same way, and different values apart', () => {
    expect(hash64('E1001')).toBe(hash64('E1001'));
    expect(hash64('E1001')).not.toBe(hash64('E1002'));
    expect(hash64('')).not.toBe(0n);
  });

  it('keeps a million members through many growths, each once, with its value', () => {
    const set = new Hash64Set({ withValues: true });
    for (let index = 0; index < 1_000_000; index += 1) expect(set.add(hash64(`person-${index}`), index + 2)).toBe(true);
    expect(set.size).toBe(1_000_000);
    expect(set.add(hash64('person-5'), 99)).toBe(false);
    expect(set.get(hash64('person-5'))).toBe(7);
    expect(set.get(hash64('person-999999'))).toBe(1_000_001);
    expect(set.has(hash64('person-1000000'))).toBe(false);
    expect(set.get(hash64('nobody'))).toBeUndefined();
  });

  it('stores hashes as bytes and reads them back, also from an unaligned buffer', () => {
    const hashes = [hash64('a'), hash64('b'), 1n, 2n ** 64n - 1n];
    const bytes = encodeHashes(hashes);
    expect(bytes.length).toBe(32);
    const unaligned = Buffer.concat([Buffer.from([7]), bytes]).subarray(1);
    expect([...decodeHashes(unaligned)]).toEqual(hashes);
    expect(() => decodeHashes(Buffer.alloc(7))).toThrow('is not whole');
  });
});
