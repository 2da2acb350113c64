import type { Command } from 'commander';
import type { z } from 'zod';
import type { SetExit } from './commands.js';
import { parseOptions } from './parse-options.js';

/** The flags of `sandbox build`, built when it runs so that `--help` loads no zod. */
async function buildFlagsSchema() {
  const { z } = await import('zod');
  return z.object({
    image: z.string().min(1).optional(),
    force: z.boolean().default(false),
    mirror: z
      .url({ message: '--mirror must be a URL such as http://deb.debian.org/debian' })
      .optional(),
    cacheDir: z.string().min(1).optional(),
    dockerHost: z.string().min(1).optional(),
  });
}

type BuildFlags = z.infer<Awaited<ReturnType<typeof buildFlagsSchema>>>;

/** `assay sandbox build|reap`: the python sandbox's image and leftovers. */
export function registerSandboxCommand(program: Command, setExit: SetExit): void {
  const sandbox = program.command('sandbox').description('the Docker sandbox of the python tool');
  sandbox
    .command('build')
    .description(
      'build the sandbox image offline (debootstrap + docker import), or prepare --image NAME',
    )
    .option('--image <name>', 'make this local image usable instead: copy the runner into it')
    .option('--force', 'rebuild even when the image exists')
    .option(
      '--mirror <url>',
      'Debian mirror (env ASSAY_DEBIAN_MIRROR; default: from the apt sources)',
    )
    .option(
      '--cache-dir <dir>',
      'where the root filesystem tarball is cached (env ASSAY_CACHE_DIR)',
    )
    .option(
      '--docker-host <url>',
      'build on this engine: unix://, tcp:// (TLS on 2376) or ssh:// (env DOCKER_HOST)',
    )
    .action(async (raw: Record<string, unknown>) => {
      setExit(await build(parseOptions(await buildFlagsSchema(), raw)));
    });
  sandbox
    .command('reap')
    .description('remove sandbox containers left behind by assay processes that no longer run')
    .action(async () => {
      const { DockerEngine } = await import('../../sandbox/docker/engine.js');
      const { reapOrphans } = await import('../../sandbox/docker/reaper.js');
      const result = await reapOrphans(new DockerEngine());
      process.stdout.write(`removed ${result.removed.length} container(s)\n`);
      for (const f of result.failed)
        process.stderr.write(`assay: could not remove ${f.id.slice(0, 12)}: ${f.reason}\n`);
      setExit(result.failed.length > 0 ? 3 : 0);
    });
}

async function build(flags: BuildFlags): Promise<number> {
  // Loaded here so that commands which never touch Docker do not pay for dockerode.
  const { DockerEngine } = await import('../../sandbox/docker/engine.js');
  const { buildDefaultImage, prepareCustomImage } = await import(
    '../../sandbox/image/build-image.js'
  );
  const engine = new DockerEngine(flags.dockerHost === undefined ? {} : { host: flags.dockerHost });
  await engine.ping();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  try {
    const result = flags.image
      ? await prepareCustomImage(engine, flags.image, {
          signal: controller.signal,
          force: flags.force,
        })
      : await buildDefaultImage(engine, {
          force: flags.force,
          log,
          signal: controller.signal,
          ...(flags.mirror ? { mirror: flags.mirror } : {}),
          ...(flags.cacheDir ? { cacheDir: flags.cacheDir } : {}),
        });
    log(result.built ? `built ${result.image}` : `${result.image} is present`);
    process.stdout.write(`${result.image}\n`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
