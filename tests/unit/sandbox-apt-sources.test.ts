import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseDeb822Sources,
  parseOneLineSources,
  pickMirror,
  readAptSources,
} from '../../sandbox/image/apt-sources.js';

const DEB822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
`;

describe('apt sources', () => {
  it('reads the URIs and suites of deb822 stanzas, skipping comments', () => {
    expect(parseDeb822Sources(DEB822, 'debian.sources')).toEqual([
      {
        uri: 'http://mirror.example/debian',
        suites: ['bookworm', 'bookworm-updates'],
        file: 'debian.sources',
      },
      {
        uri: 'http://mirror.example/debian-security',
        suites: ['bookworm-security'],
        file: 'debian.sources',
      },
    ]);
  });

  it('skips deb-src and disabled stanzas', () => {
    const text =
      'Types: deb-src\nURIs: http://a/debian\nSuites: bookworm\n\nTypes: deb\nEnabled: no\nURIs: http://b/debian\nSuites: bookworm\n';
    expect(parseDeb822Sources(text, 'x.sources')).toEqual([]);
  });

  it('reads one-line entries with options and ignores comments and deb-src', () => {
    const text =
      '# deb http://old/debian bookworm main\ndeb-src http://src/debian bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] http://one/debian bookworm main\n';
    expect(parseOneLineSources(text, 'sources.list')).toEqual([
      { uri: 'http://one/debian', suites: ['bookworm'], file: 'sources.list' },
    ]);
  });

  it('picks the source that lists the suite, not the security pocket', () => {
    const sources = parseDeb822Sources(DEB822, 'd');
    expect(pickMirror([...sources].reverse(), 'bookworm')).toBe('http://mirror.example/debian');
  });

  it('falls back to a main archive when no source lists the suite, and to nothing without one', () => {
    const trixie = [
      { uri: 'http://m/debian-security', suites: ['trixie-security'], file: 'f' },
      { uri: 'http://m/debian', suites: ['trixie'], file: 'f' },
    ];
    expect(pickMirror(trixie, 'bookworm')).toBe('http://m/debian');
    expect(
      pickMirror([{ uri: 'cdrom:/media', suites: ['bookworm'], file: 'f' }], 'bookworm'),
    ).toBeUndefined();
  });

  it('reads sources.list and sources.list.d from an apt folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'assay-apt-'));
    mkdirSync(join(root, 'sources.list.d'));
    writeFileSync(join(root, 'sources.list'), 'deb http://list/debian bookworm main\n');
    writeFileSync(join(root, 'sources.list.d', 'debian.sources'), DEB822);
    writeFileSync(
      join(root, 'sources.list.d', 'ignored.txt'),
      'deb http://ignored/debian bookworm main\n',
    );
    expect(readAptSources(root).map((s) => s.uri)).toEqual([
      'http://list/debian',
      'http://mirror.example/debian',
      'http://mirror.example/debian-security',
    ]);
  });
});
