import { describe, expect, it } from 'vitest';
import { prefetch } from '../../sandbox/workspace/workspace.js';

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
