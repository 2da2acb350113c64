import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import {
  chooseRuntime,
  containerSpec,
  DEFAULT_CONTAINER_LIMITS,
  hardeningProblems,
  sandboxEnv,
} from '../../sandbox/docker/hardening.js';
import { isOwnerAlive, LABEL_HOST, LABEL_PID, ownerLabels } from '../../sandbox/docker/labels.js';

const input = {
  image: 'assay/python:test',
  limits: DEFAULT_CONTAINER_LIMITS,
  labels: { 'assay.managed': 'true' },
};
const allowed = new Set([
  ...sandboxEnv(DEFAULT_CONTAINER_LIMITS).map((e) => e.split('=')[0]!),
  'PATH',
]);

/** What the engine would report for a container created from the spec, settings intact. */
function inspected(spec: Docker.ContainerCreateOptions): Docker.ContainerInspectInfo {
  return {
    HostConfig: { ...spec.HostConfig, Binds: null },
    Config: { User: spec.User, Env: [...(spec.Env ?? []), 'PATH=/usr/bin'] },
    Mounts: [],
  } as unknown as Docker.ContainerInspectInfo;
}

describe('sandbox hardening', () => {
  it('creates containers with no network, a read-only root, no capabilities and every limit set', () => {
    const spec = containerSpec(input);
    expect(spec.HostConfig).toMatchObject({
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      PidsLimit: 128,
      Memory: 512 * 1024 * 1024,
      MemorySwap: 512 * 1024 * 1024,
      NanoCpus: 1e9,
      Init: false,
      LogConfig: { Type: 'none', Config: {} },
      Binds: [],
    });
    expect(spec.User).toBe('1000:1000');
    expect(Object.keys(spec.HostConfig?.Tmpfs ?? {})).toEqual(['/tmp', '/workspace']);
  });

  it('passes only its own variables, never the host environment', () => {
    process.env['ASSAY_HOST_SECRET'] = 'do-not-leak';
    try {
      const env = containerSpec(input).Env ?? [];
      expect(env.join('\n')).not.toContain('do-not-leak');
      expect(env.every((e) => !e.startsWith('ASSAY_HOST_SECRET='))).toBe(true);
    } finally {
      delete process.env['ASSAY_HOST_SECRET'];
    }
  });

  it('accepts a container whose settings came back as asked', () => {
    expect(hardeningProblems(inspected(containerSpec(input)), input, allowed)).toEqual([]);
  });

  it('names every setting the engine dropped', () => {
    const info = inspected(containerSpec(input));
    info.HostConfig.NetworkMode = 'bridge';
    info.HostConfig.CapDrop = [];
    info.HostConfig.SecurityOpt = ['no-new-privileges', 'seccomp=unconfined'];
    info.HostConfig.MemorySwap = -1;
    (info.HostConfig as { Init?: boolean }).Init = true;
    info.HostConfig.LogConfig = { Type: 'json-file', Config: {} };
    info.Mounts = [
      {
        Type: 'bind',
        Source: '/var/run/docker.sock',
        Destination: '/var/run/docker.sock',
        Mode: '',
        RW: true,
        Propagation: '',
      },
    ];
    info.Config.Env.push('AWS_SECRET_ACCESS_KEY=x');
    expect(hardeningProblems(info, input, allowed)).toEqual([
      'NetworkMode none',
      'CapDrop ALL',
      'the default seccomp and AppArmor profiles',
      'swap equal to memory',
      'the runner as PID 1 (no docker-init)',
      'no container log (log driver none)',
      'no host mounts',
      'no Docker socket',
      "no variables beyond the sandbox's own (found AWS_SECRET_ACCESS_KEY)",
    ]);
  });

  it('uses gVisor when the engine lists runsc, unless runc is asked for', () => {
    expect(chooseRuntime('auto', ['runc', 'runsc'])).toBe('runsc');
    expect(chooseRuntime('auto', ['runc'])).toBeUndefined();
    expect(chooseRuntime('runc', ['runsc'])).toBeUndefined();
    expect(containerSpec({ ...input, runtime: 'runsc' }).HostConfig?.Runtime).toBe('runsc');
  });

  it('tells a live owner from a dead one by pid and start time', () => {
    const labels = ownerLabels('s1', 'session');
    expect(isOwnerAlive(labels)).toBe(true);
    expect(isOwnerAlive({ ...labels, [LABEL_PID]: '999999999' })).toBe(false);
    expect(isOwnerAlive({ ...labels, 'assay.pid_start': '1' })).toBe(false);
    expect(
      isOwnerAlive({ ...labels, [LABEL_PID]: '999999999', [LABEL_HOST]: 'another-host' }),
    ).toBe(true);
  });
});
