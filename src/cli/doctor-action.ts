import { z } from 'zod';
import { DOCKER_FIX } from '../../sandbox/docker/docker-errors.js';
import type { DockerEngine, EngineInfo } from '../../sandbox/docker/engine.js';
import { defaultImageName } from '../../sandbox/image/recipe.js';
import { findProgram } from '../../sandbox/image/rootfs.js';
import { errorMessage } from '../core/errors.js';
import { DEFAULT_BASE_URL } from './model-options.js';
import { parseOptions } from './parse-options.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** A missing required part makes `assay doctor` exit with 3; optional ones only inform. */
  required: boolean;
  detail: string;
  fix?: string;
}

export interface DoctorOptions {
  baseUrl: string;
  image?: string | undefined;
  engine?: DockerEngine;
  timeoutMs?: number;
}

async function checkModelServer(baseUrl: string, timeoutMs: number): Promise<DoctorCheck> {
  const url = `${baseUrl.replace(/\/+$/, '')}/models`;
  const fix =
    'start your model server (for example `ollama serve`), or point assay at it with --base-url / ASSAY_BASE_URL';
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    if (response.ok)
      return { name: 'model server', ok: true, required: true, detail: `${url} answered` };
    return {
      name: 'model server',
      ok: false,
      required: true,
      detail: `${url} answered HTTP ${response.status}`,
      fix,
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? errorMessage(error);
    return {
      name: 'model server',
      ok: false,
      required: true,
      detail: `${url} is unreachable (${cause})`,
      fix,
    };
  }
}

/** Checks each part assay needs and says how to fix what is missing. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorCheck[]> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  // Loaded here so that commands which never touch Docker do not pay for dockerode.
  const engine =
    options.engine ??
    new (await import('../../sandbox/docker/engine.js')).DockerEngine({ callTimeoutMs: timeoutMs });
  const checks: DoctorCheck[] = [];
  let info: EngineInfo | undefined;
  try {
    info = await engine.info();
    checks.push({
      name: 'docker engine',
      ok: true,
      required: true,
      detail: `${engine.endpoint} (engine ${info.serverVersion})`,
    });
  } catch (error) {
    checks.push({
      name: 'docker engine',
      ok: false,
      required: true,
      detail: errorMessage(error).split(';')[0] ?? '',
      fix: DOCKER_FIX,
    });
  }
  const image = options.image ?? defaultImageName();
  let imagePresent = false;
  if (info) {
    imagePresent = (await engine.inspectImage(image).catch(() => undefined)) !== undefined;
    checks.push({
      name: 'sandbox image',
      ok: imagePresent,
      required: true,
      detail: imagePresent ? image : `${image} is not in the engine`,
      ...(imagePresent
        ? {}
        : {
            fix: options.image
              ? `build or load ${image} locally (no registry is used)`
              : '`assay sandbox build`',
          }),
    });
  } else {
    checks.push({
      name: 'sandbox image',
      ok: false,
      required: true,
      detail: `${image}: cannot check without an engine`,
      fix: 'start the Docker engine first',
    });
  }
  const debootstrap = findProgram('debootstrap');
  checks.push({
    name: 'debootstrap',
    ok: debootstrap !== undefined,
    // Only building the default image needs it.
    required: !imagePresent && options.image === undefined,
    detail: debootstrap ?? 'not installed (needed to build the sandbox image)',
    ...(debootstrap ? {} : { fix: '`sudo apt-get install -y debootstrap`' }),
  });
  const runsc = info?.runtimes.includes('runsc') ?? false;
  checks.push({
    name: 'gVisor (runsc)',
    ok: runsc,
    required: false,
    detail: runsc
      ? 'the engine offers runsc; sandboxes use it'
      : 'not offered by the engine; sandboxes use runc',
    ...(runsc
      ? {}
      : {
          fix: 'install gVisor and register runsc in /etc/docker/daemon.json (https://gvisor.dev/docs/user_guide/install/)',
        }),
  });
  checks.push(await checkModelServer(options.baseUrl, timeoutMs));
  return checks;
}

export function formatDoctor(checks: readonly DoctorCheck[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks
    .map((c) => {
      const status = c.ok ? 'OK     ' : 'MISSING';
      const optional = !c.ok && !c.required ? ' (optional)' : '';
      const fix = !c.ok && c.fix ? `\n${' '.repeat(width + 11)}fix: ${c.fix}` : '';
      return `${status}  ${c.name.padEnd(width)}  ${c.detail}${optional}${fix}`;
    })
    .join('\n');
}

const doctorFlagsSchema = z.object({
  baseUrl: z
    .url({ message: '--base-url must be a URL such as http://127.0.0.1:11434/v1' })
    .optional(),
  image: z.string().min(1).optional(),
});

/** What `assay doctor` does; doctor-command.ts declares its flags and imports this when it runs. */
export async function doctorCommand(raw: Record<string, unknown>): Promise<number> {
  const flags = parseOptions(doctorFlagsSchema, raw);
  const baseUrl = flags.baseUrl ?? (process.env['ASSAY_BASE_URL'] || DEFAULT_BASE_URL);
  const checks = await runDoctor({ baseUrl, image: flags.image });
  process.stdout.write(`${formatDoctor(checks)}\n`);
  return checks.every((c) => c.ok || !c.required) ? 0 : 3;
}
