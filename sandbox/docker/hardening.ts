import type Docker from 'dockerode';
import { RUNNER_COMMAND, SANDBOX_USER, WORKSPACE_DIR } from '../image/recipe.js';

/** Resources of one sandbox container, fixed when it is created. */
export interface ContainerLimits {
  memoryMb: number;
  cpus: number;
  pids: number;
  tmpMb: number;
  workspaceMb: number;
  openFiles: number;
  fileSizeMb: number;
}

export const DEFAULT_CONTAINER_LIMITS: Readonly<ContainerLimits> = Object.freeze({
  memoryMb: 512,
  cpus: 1,
  pids: 128,
  tmpMb: 128,
  workspaceMb: 256,
  openFiles: 1024,
  fileSizeMb: 256,
});

export interface ContainerSpecInput {
  image: string;
  limits: ContainerLimits;
  labels: Record<string, string>;
  /** `runsc` when the engine offers gVisor; undefined keeps the engine's default runtime. */
  runtime?: string | undefined;
}

/** The only variables a sandbox sees; nothing is copied from the host's environment. */
export function sandboxEnv(limits: ContainerLimits): string[] {
  const threads = String(Math.max(1, Math.ceil(limits.cpus)));
  return [
    `HOME=${WORKSPACE_DIR}`,
    `ASSAY_WORKSPACE=${WORKSPACE_DIR}`,
    // Lets the runner end stray processes with kill(-1), which it refuses to do anywhere else.
    'ASSAY_SANDBOX=1',
    'LANG=C.UTF-8',
    'MPLBACKEND=Agg',
    'MPLCONFIGDIR=/tmp/matplotlib',
    'PYTHONDONTWRITEBYTECODE=1',
    `OPENBLAS_NUM_THREADS=${threads}`,
    `OMP_NUM_THREADS=${threads}`,
    `MKL_NUM_THREADS=${threads}`,
  ];
}

const MB = 1024 * 1024;

/**
 * The create options of a sandbox container: no network, read-only root, size-capped tmpfs for
 * /tmp and the workspace, non-root, no capabilities, no privilege gain, pids/memory/CPU limits
 * with swap equal to memory, ulimits, the runner as PID 1, no container log, and no mounts from
 * the host.
 */
export function containerSpec(input: ContainerSpecInput): Docker.ContainerCreateOptions {
  const { limits } = input;
  const [uid, gid] = SANDBOX_USER.split(':');
  return {
    Image: input.image,
    Cmd: [...RUNNER_COMMAND],
    Entrypoint: [],
    User: SANDBOX_USER,
    WorkingDir: WORKSPACE_DIR,
    Env: sandboxEnv(limits),
    Labels: input.labels,
    Hostname: 'sandbox',
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    // The runner sees end-of-file when the attached client goes away, so a killed host process
    // leaves a stopped container behind rather than a running one.
    StdinOnce: true,
    Tty: false,
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      Tmpfs: {
        '/tmp': `rw,nosuid,nodev,size=${limits.tmpMb}m,mode=1777`,
        [WORKSPACE_DIR]: `rw,nosuid,nodev,size=${limits.workspaceMb}m,uid=${uid},gid=${gid},mode=0755`,
      },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Privileged: false,
      PidsLimit: limits.pids,
      Memory: limits.memoryMb * MB,
      MemorySwap: limits.memoryMb * MB,
      NanoCpus: Math.round(limits.cpus * 1e9),
      Ulimits: [
        { Name: 'nofile', Soft: limits.openFiles, Hard: limits.openFiles },
        { Name: 'fsize', Soft: limits.fileSizeMb * MB, Hard: limits.fileSizeMb * MB },
        { Name: 'core', Soft: 0, Hard: 0 },
      ],
      // No docker-init: the runner's supervisor is PID 1 itself. An init running as the sandbox
      // user keeps the attached stdout open where the code could open it through /proc/1/fd
      // and forge replies; the supervisor is undumpable, so its descriptors are out of reach.
      Init: false,
      // The reply stream is not kept in a host-side log (json-file would store every reply).
      LogConfig: { Type: 'none', Config: {} },
      IpcMode: 'private',
      OomScoreAdj: 500,
      Binds: [],
      Mounts: [],
      AutoRemove: false,
      ...(input.runtime ? { Runtime: input.runtime } : {}),
    },
  };
}

/** Runs when the engine lists gVisor, unless the caller pinned a runtime. */
export function chooseRuntime(
  requested: 'auto' | 'runc' | 'runsc',
  available: readonly string[],
): string | undefined {
  if (requested === 'runc') return undefined;
  if (requested === 'runsc') return 'runsc';
  return available.includes('runsc') ? 'runsc' : undefined;
}

/**
 * What is missing from a created container compared with the spec, read back from the engine:
 * an engine, a plugin or a daemon default can drop a setting, and a sandbox is refused then.
 */
export function hardeningProblems(
  info: Docker.ContainerInspectInfo,
  input: ContainerSpecInput,
  allowedEnv: ReadonlySet<string>,
): string[] {
  const host = info.HostConfig as Docker.HostConfig & { Init?: boolean | null; Runtime?: string };
  const { limits } = input;
  const problems: string[] = [];
  const expect = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  expect(host.NetworkMode === 'none', 'NetworkMode none');
  expect(host.ReadonlyRootfs === true, 'read-only root filesystem');
  expect(
    Boolean(host.Tmpfs?.['/tmp']?.includes(`size=${limits.tmpMb}m`)),
    'size-limited tmpfs on /tmp',
  );
  expect(
    Boolean(host.Tmpfs?.[WORKSPACE_DIR]?.includes(`size=${limits.workspaceMb}m`)),
    `size-limited tmpfs on ${WORKSPACE_DIR}`,
  );
  expect(
    ((host.CapDrop ?? []) as string[]).map((c) => c.toUpperCase()).includes('ALL'),
    'CapDrop ALL',
  );
  expect(((host.CapAdd ?? []) as string[]).length === 0, 'no added capabilities');
  expect(
    ((host.SecurityOpt ?? []) as string[]).some((o) => /^no-new-privileges(:true|=true)?$/.test(o)),
    'no-new-privileges',
  );
  expect(host.Privileged !== true, 'not privileged');
  expect(
    !((host.SecurityOpt ?? []) as string[]).some((o) =>
      /^(seccomp|apparmor)[=:]unconfined$/.test(o),
    ),
    'the default seccomp and AppArmor profiles',
  );
  expect(
    host.IpcMode === 'private' && !['host'].includes(String(host.PidMode ?? '')),
    'private IPC and PID namespaces',
  );
  expect(host.PidsLimit === limits.pids, `pids limit ${limits.pids}`);
  expect(host.Memory === limits.memoryMb * MB, `memory limit ${limits.memoryMb} MB`);
  expect(host.MemorySwap === limits.memoryMb * MB, 'swap equal to memory');
  expect(host.NanoCpus === Math.round(limits.cpus * 1e9), `CPU quota ${limits.cpus}`);
  const ulimits = new Set((host.Ulimits ?? []).map((u) => u.Name));
  expect(ulimits.has('nofile') && ulimits.has('fsize'), 'ulimits nofile and fsize');
  expect(host.Init !== true, 'the runner as PID 1 (no docker-init)');
  expect(host.LogConfig?.Type === 'none', 'no container log (log driver none)');
  expect(
    (host.Binds ?? []).length === 0 && (info.Mounts ?? []).every((m) => m.Type !== 'bind'),
    'no host mounts',
  );
  expect(!JSON.stringify(info.Mounts ?? []).includes('docker.sock'), 'no Docker socket');
  expect(info.Config.User === SANDBOX_USER, `user ${SANDBOX_USER}`);
  expect(
    (host.Runtime ?? 'runc') === (input.runtime ?? host.Runtime ?? 'runc'),
    `runtime ${input.runtime}`,
  );
  const leaked = (info.Config.Env ?? [])
    .map((e) => e.slice(0, e.indexOf('=')))
    .filter((k) => !allowedEnv.has(k));
  expect(leaked.length === 0, `no variables beyond the sandbox's own (found ${leaked.join(', ')})`);
  return problems;
}
