import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { dockerOptionsFor } from '../../sandbox/docker/engine-host.js';

const run = promisify(execFile);

/** A throwaway CA (one day) and a certificate it signs, made with openssl. */
async function issue(dir: string, name: string, cn: string, ext: string): Promise<void> {
  const key = join(dir, `${name}-key.pem`);
  const csr = join(dir, `${name}.csr`);
  const extFile = join(dir, `${name}.ext`);
  await writeFile(extFile, `${ext}\n`);
  await run('openssl', [
    ...['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', key, '-out', csr, '-subj', `/CN=${cn}`],
  ]);
  await run('openssl', [
    ...['x509', '-req', '-in', csr, '-CA', join(dir, 'ca.pem'), '-CAkey', join(dir, 'ca-key.pem')],
    ...['-CAcreateserial', '-days', '1', '-out', join(dir, `${name}-cert.pem`)],
    ...['-extfile', extFile],
  ]);
}

async function makeCa(dir: string, cn: string): Promise<void> {
  await run('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', join(dir, 'ca-key.pem'), '-out', join(dir, 'ca.pem'), '-days', '1'],
    ...['-subj', `/CN=${cn}`],
  ]);
}

/**
 * The client side of `docker --tlsverify`: a DOCKER_CERT_PATH directory with `ca.pem`,
 * `cert.pem` and `key.pem` (a client certificate signed by the CA in `dir`).
 */
async function clientCertPath(dir: string, caDir: string): Promise<string> {
  const out = await mkdtemp(join(dir, 'client-'));
  await issue(caDir, 'client', 'assay-test-client', 'extendedKeyUsage=clientAuth');
  await writeFile(join(out, 'ca.pem'), await readFile(join(caDir, 'ca.pem')));
  await writeFile(join(out, 'cert.pem'), await readFile(join(caDir, 'client-cert.pem')));
  await writeFile(join(out, 'key.pem'), await readFile(join(caDir, 'client-key.pem')));
  return out;
}

export interface TlsEngineEndpoint {
  /** `tcp://127.0.0.1:PORT`, for DOCKER_HOST with DOCKER_TLS_VERIFY=1. */
  url: string;
  /** DOCKER_CERT_PATH of a client the endpoint trusts. */
  certPath: string;
  /** DOCKER_CERT_PATH of a client whose certificate comes from another CA. */
  strangerCertPath: string;
  /** Connections whose client certificate was verified; null for the dockerd of the script. */
  authorized: (() => number) | null;
  /** Which endpoint this is, for the test's messages. */
  kind: 'dockerd' | 'in-process';
  close: () => Promise<void>;
}

/**
 * A Docker engine endpoint on 127.0.0.1 TCP with mutual TLS, as dockerd serves it with
 * `-H tcp://127.0.0.1:PORT --tlsverify --tlscacert … --tlscert … --tlskey …`: a TLS server
 * with throwaway certificates that requires a client certificate signed by its CA and
 * forwards verified connections to the local engine's socket. Loopback only.
 */
export async function startTlsEngineEndpoint(socketPath: string): Promise<TlsEngineEndpoint> {
  const dir = await mkdtemp(join(tmpdir(), 'assay-docker-tls-'));
  const caDir = await mkdtemp(join(dir, 'ca-'));
  await makeCa(caDir, 'assay-test-ca');
  await issue(
    caDir,
    'server',
    '127.0.0.1',
    'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth',
  );
  const certPath = await clientCertPath(dir, caDir);
  const otherCa = await mkdtemp(join(dir, 'other-ca-'));
  await makeCa(otherCa, 'assay-test-other-ca');
  const strangerCertPath = await clientCertPath(dir, otherCa);
  // The stranger trusts the real server CA, so only its client certificate is wrong.
  await writeFile(join(strangerCertPath, 'ca.pem'), await readFile(join(caDir, 'ca.pem')));

  let authorized = 0;
  const server = createServer(
    {
      ca: await readFile(join(caDir, 'ca.pem')),
      cert: await readFile(join(caDir, 'server-cert.pem')),
      key: await readFile(join(caDir, 'server-key.pem')),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (client: TLSSocket) => {
      if (!client.authorized) {
        client.destroy();
        return;
      }
      authorized++;
      const engine = connect(socketPath);
      client.pipe(engine).pipe(client);
      client.on('error', () => engine.destroy());
      engine.on('error', () => client.destroy());
    },
  );
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    url: `tcp://127.0.0.1:${address.port}`,
    certPath,
    strangerCertPath,
    authorized: () => authorized,
    kind: 'in-process',
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The second dockerd that scripts/ensure-docker-tls.sh starts (127.0.0.1, mutual TLS, the
 * sandbox image loaded), when it answers with the client certificate the script made; else
 * null, and under CI=true an error, so that CI really tests dockerd's TLS.
 */
export async function scriptTlsEngine(): Promise<TlsEngineEndpoint | null> {
  const port = Number(process.env['ASSAY_TEST_DOCKER_TLS_PORT'] ?? 23760);
  const certPath = join(import.meta.dirname, '..', '..', '.cache', 'docker-tls', 'client');
  const url = `tcp://127.0.0.1:${port}`;
  let reason = '';
  try {
    const env = { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certPath };
    await new Docker({ ...dockerOptionsFor(url, env), timeout: 3000 }).ping();
  } catch (error) {
    reason = `no TLS dockerd answers at ${url} (${error instanceof Error ? error.message : String(error)}); run \`bash scripts/ensure-docker-tls.sh\``;
  }
  if (reason && process.env['CI'] === 'true') throw new Error(reason);
  if (reason) {
    console.warn(`the TLS test uses an in-process endpoint: ${reason}`);
    return null;
  }
  const dir = await mkdtemp(join(tmpdir(), 'assay-docker-tls-'));
  const otherCa = await mkdtemp(join(dir, 'other-ca-'));
  await makeCa(otherCa, 'assay-test-other-ca');
  const strangerCertPath = await clientCertPath(dir, otherCa);
  await writeFile(join(strangerCertPath, 'ca.pem'), await readFile(join(certPath, 'ca.pem')));
  return {
    url,
    certPath,
    strangerCertPath,
    authorized: null,
    kind: 'dockerd',
    close: async () => {},
  };
}
