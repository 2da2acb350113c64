import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';

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
  /** Connections whose client certificate was verified. */
  authorized: () => number;
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
