import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerOptionsFor } from '../../sandbox/docker/engine-host.js';
import { UsageError } from '../../src/core/errors.js';

function certDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'assay-certs-'));
  for (const name of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, name), name);
  return dir;
}

describe('Docker engine addresses (--docker-host / DOCKER_HOST)', () => {
  it('talks to a unix:// socket directly', () => {
    expect(dockerOptionsFor('unix:///run/d.sock', {})).toEqual({ socketPath: '/run/d.sock' });
  });

  it('uses plain HTTP for tcp:// on 2375 and when no port is given', () => {
    expect(dockerOptionsFor('tcp://10.0.0.2:2375', {})).toEqual({
      host: '10.0.0.2',
      port: '2375',
      protocol: 'http',
    });
    expect(dockerOptionsFor('tcp://10.0.0.2', {})).toMatchObject({ port: 2375 });
  });

  it('uses HTTPS with the client certificates of DOCKER_CERT_PATH on 2376 or with DOCKER_TLS_VERIFY', () => {
    const dir = certDir();
    const on2376 = dockerOptionsFor('tcp://h:2376', { DOCKER_CERT_PATH: dir });
    expect(on2376).toMatchObject({ protocol: 'https', host: 'h', port: '2376' });
    expect(String(on2376.ca)).toBe('ca.pem');
    expect(String(on2376.cert)).toBe('cert.pem');
    expect(String(on2376.key)).toBe('key.pem');
    const verify = dockerOptionsFor('tcp://h:9999', {
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: dir,
    });
    expect(verify).toMatchObject({ protocol: 'https', port: '9999' });
  });

  it('refuses TLS without readable certificates, naming the file', () => {
    expect(() => dockerOptionsFor('tcp://h:2376', { DOCKER_CERT_PATH: '/nonexistent' })).toThrow(
      /\/nonexistent\/ca\.pem cannot be read/,
    );
  });

  it('reaches ssh:// engines with the user, port and ssh-agent given', () => {
    expect(dockerOptionsFor('ssh://ops@build-2:2222', { SSH_AUTH_SOCK: '/tmp/agent' })).toEqual({
      protocol: 'ssh',
      host: 'build-2',
      port: '2222',
      username: 'ops',
      sshOptions: { agent: '/tmp/agent' },
    });
    expect(dockerOptionsFor('ssh://build-2', {})).toMatchObject({ port: 22 });
  });

  it('rejects other schemes with the address named', () => {
    expect(() => dockerOptionsFor('ftp://h:1', {})).toThrow(UsageError);
    expect(() => dockerOptionsFor('ftp://h:1', {})).toThrow(/ftp:\/\/h:1/);
  });
});
