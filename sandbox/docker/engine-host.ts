import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DockerOptions } from 'dockerode';
import { UsageError } from '../../src/core/errors.js';

/**
 * dockerode's options for an engine address, as `docker` itself reads DOCKER_HOST:
 * - `unix:///path`: a local socket (the default engine);
 * - `tcp://host:port`: plain HTTP on 2375, HTTPS with client certificates on 2376 or whenever
 *   DOCKER_TLS_VERIFY=1 (ca.pem, cert.pem and key.pem from DOCKER_CERT_PATH, default ~/.docker);
 * - `ssh://user@host[:port]`: the remote `docker system dial-stdio` over SSH, with the keys of
 *   the running ssh-agent (SSH_AUTH_SOCK). docker-modem opens one SSH connection per request.
 */
export function dockerOptionsFor(
  endpoint: string,
  env: NodeJS.ProcessEnv = process.env,
): DockerOptions {
  if (endpoint.startsWith('unix://')) return { socketPath: endpoint.slice('unix://'.length) };
  let url: URL;
  try {
    url = new URL(endpoint.includes('://') ? endpoint : `tcp://${endpoint}`);
  } catch {
    throw new UsageError('USAGE', `--docker-host ${endpoint}: not an engine address`);
  }
  if (url.protocol === 'ssh:') {
    return {
      protocol: 'ssh',
      host: url.hostname,
      port: url.port || 22,
      ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
      ...(env['SSH_AUTH_SOCK'] ? { sshOptions: { agent: env['SSH_AUTH_SOCK'] } } : {}),
    };
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      'USAGE',
      `--docker-host ${endpoint}: expected unix://, tcp:// or ssh:// (got ${url.protocol})`,
    );
  }
  const tls =
    url.protocol === 'https:' ||
    url.port === '2376' ||
    (env['DOCKER_TLS_VERIFY'] !== undefined && env['DOCKER_TLS_VERIFY'] !== '');
  const port = url.port || (tls ? 2376 : 2375);
  if (!tls) return { host: url.hostname, port, protocol: 'http' };
  const certs = env['DOCKER_CERT_PATH'] || join(homedir(), '.docker');
  const read = (name: string) => {
    try {
      return readFileSync(join(certs, name));
    } catch {
      throw new UsageError(
        'USAGE',
        `--docker-host ${endpoint} uses TLS but ${join(certs, name)} cannot be read (set DOCKER_CERT_PATH)`,
      );
    }
  };
  return {
    host: url.hostname,
    port,
    protocol: 'https',
    ca: read('ca.pem'),
    cert: read('cert.pem'),
    key: read('key.pem'),
  };
}
