import { describe, expect, it } from 'vitest';
import { prefetch } from '../../sandbox/workspace/prefetch.js';

describe('prefetching a packed copy while the container starts', () => {
  it('packs every chunk before anyone reads, then hands them over in order', async () => {
    let packed = 0;
    async function* chunks() {
      for (const text of ['a', 'b', 'c']) {
        packed++;
        yield Buffer.from(text);
      }
    }
    const tar = prefetch({ bytes: 3, chunks: chunks() });
    await tar.packed;
    expect(packed).toBe(3);
    const read: string[] = [];
    for await (const chunk of tar.chunks) read.push(chunk.toString());
    expect(read).toEqual(['a', 'b', 'c']);
  });

  it('passes a packing failure to the reader and to `packed`, after the chunks before it', async () => {
    async function* chunks() {
      yield Buffer.from('a');
      throw new Error('EACCES: permission denied, open secret.py');
    }
    const tar = prefetch({ bytes: 2, chunks: chunks() });
    await expect(tar.packed).rejects.toThrow('EACCES');
    const read: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of tar.chunks) read.push(chunk.toString());
      })(),
    ).rejects.toThrow('EACCES');
    expect(read).toEqual(['a']);
  });
});

describe('packing ahead of the socket', () => {
  it('packs at most `ahead` chunks before the reader takes one, and keeps their order', async () => {
    let packed = 0;
    async function* chunks() {
      for (let i = 0; i < 20; i++) {
        packed++;
        yield Buffer.from([i]);
      }
    }
    const tar = prefetch({ bytes: 20, chunks: chunks() }, 8);
    // The packer waits once 8 are queued; give it every chance to run further.
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(packed).toBe(8);
    const read: number[] = [];
    for await (const chunk of tar.chunks) read.push(chunk[0] as number);
    expect(read).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await tar.packed;
    expect(packed).toBe(20);
  });

  it('stops packing when told, ending the source and settling `packed`', async () => {
    let finished = false;
    async function* chunks() {
      try {
        for (let i = 0; ; i++) yield Buffer.from([i]);
      } finally {
        finished = true;
      }
    }
    const tar = prefetch({ bytes: 100, chunks: chunks() }, 2);
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    tar.stop();
    await tar.packed;
    expect(finished).toBe(true);
  });

  it('passes the source release on, so the channel can hand chunks back', () => {
    const released: Buffer[] = [];
    const release = (chunk: Buffer) => released.push(chunk);
    async function* chunks() {
      yield Buffer.from('a');
    }
    const tar = prefetch({ bytes: 1, chunks: chunks(), release });
    expect(tar.release).toBe(release);
  });
});
