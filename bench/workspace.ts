/**
 * The workspace tools' latencies beside `docker exec` per call on the same container (the
 * SWE-agent / mini-swe-agent design), plus copying a 5,000-file, 50 MB repository into a
 * workspace and the verifier's overhead beyond the tests' own time. Needs a Docker engine
 * and `assay sandbox build`.
 *
 * Run: npx tsx bench/workspace.ts   (BENCH_SCALE=2 doubles every sample count)
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex, Readable } from 'node:stream';
import { DockerEngine } from '../sandbox/docker/engine.js';
import { listSource, packSource } from '../sandbox/workspace/source-files.js';
import { SpareWorkspaceSessions } from '../sandbox/workspace/spare-sessions.js';
import { verifyDiff } from '../sandbox/workspace/verify-diff.js';
import { Workspace } from '../sandbox/workspace/workspace.js';
import { WorkspaceSession } from '../sandbox/workspace/workspace-session.js';
import { type Figure, reportFigures } from './figures.js';

const SCALE = Number(process.env['BENCH_SCALE'] ?? 1);
const n = (count: number) => Math.max(3, Math.round(count * SCALE));
const engine = new DockerEngine();

function p50(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

async function timed(count: number, once: (i: number) => Promise<void>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await once(i);
    samples.push(performance.now() - start);
  }
  return p50(samples);
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `docker exec` with a payload on its stdin, as a copy by exec would send a tar. */
async function execWithInput(id: string, cmd: string[], input: Buffer): Promise<void> {
  const container = engine.docker.getContainer(id);
  const exec = await container.exec({
    Cmd: cmd,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
  const done = readAll(stream);
  stream.end(input);
  await done;
  const info = await exec.inspect();
  if (info.ExitCode !== 0) throw new Error(`docker exec ${cmd.join(' ')} failed`);
}

/** One `docker exec` in the workspace container, as exec-per-call agents run each action. */
async function dockerExec(id: string, cmd: string[]): Promise<void> {
  const container = engine.docker.getContainer(id);
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  await readAll((await exec.start({ hijack: true, stdin: false })) as Readable);
  const info = await exec.inspect();
  if (info.ExitCode !== 0) throw new Error(`docker exec ${cmd.join(' ')} failed`);
}

async function makeRepository(files: number, bytes: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'assay-bench-repo-'));
  const size = Math.floor(bytes / files);
  for (let d = 0; d < files / 100; d++) {
    await mkdir(join(dir, `pkg${d}`));
    // Each file different, as in a real repository: identical files would be stored once.
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        writeFile(join(dir, `pkg${d}`, `m${i}.py`), Buffer.alloc(size, `# ${d}.${i}\n`)),
      ),
    );
  }
  return dir;
}

async function main(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const small = await makeRepository(100, 100_000);
  const workspace = await Workspace.open(small, { engine });
  const session = workspace.session;
  try {
    await session.tool('write_file', { path: 'edit.py', content: 'value = 0\n' });
    let flip = 0;
    const edit = await timed(n(200), async () => {
      const [a, b] = flip++ % 2 === 0 ? ['0', '1'] : ['1', '0'];
      const r = await session.tool('edit_file', {
        path: 'edit.py',
        old_string: `value = ${a}`,
        new_string: `value = ${b}`,
      });
      if (!r.ok) throw new Error(r.content);
    });
    const bashTrue = await timed(n(200), async () => {
      await session.bash('true', 10_000, 4096);
    });
    const execTrue = await timed(n(50), () => dockerExec(session.id, ['true']));
    const execEdit = await timed(n(50), (i) =>
      dockerExec(session.id, [
        'sed',
        '-i',
        i % 2 === 0 ? 's/value = 0/value = 1/' : 's/value = 1/value = 0/',
        '/workspace/edit.py',
      ]),
    );
    console.log('workspace tools, warm p50 (ms)          assay   docker exec   ratio');
    console.log(
      `  edit_file / sed -i                 ${edit.toFixed(2).padStart(9)} ${execEdit.toFixed(2).padStart(12)} ${(execEdit / edit).toFixed(0).padStart(6)}x`,
    );
    console.log(
      `  bash "true" / exec true            ${bashTrue.toFixed(2).padStart(9)} ${execTrue.toFixed(2).padStart(12)} ${(execTrue / bashTrue).toFixed(0).padStart(6)}x`,
    );
    figures.push(
      {
        name: 'edit_file, warm p50',
        value: edit,
        unit: 'ms',
        baseline: execEdit,
        baselineName: 'docker exec sed -i',
        target: { on: 'value', op: '<=', limit: 2 },
      },
      {
        name: 'bash "true", warm p50',
        value: bashTrue,
        unit: 'ms',
        baseline: execTrue,
        baselineName: 'docker exec true',
        target: { on: 'value', op: '<=', limit: 5 },
      },
    );
  } finally {
    await workspace.close();
  }

  const big = await makeRepository(5000, 50 * 1024 * 1024);
  const copies: number[] = [];
  const usable: number[] = [];
  const cpu: number[] = [];
  const execCopies: number[] = [];
  const aheadCopies: number[] = [];
  const aheadUsable: number[] = [];
  const aheadCpu: number[] = [];
  const execAhead: number[] = [];
  for (let i = 0; i < n(3); i++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const ws = await Workspace.open(big, { engine });
    copies.push(performance.now() - start);
    // The first command waits for the base snapshot the runner records in the background.
    await ws.session.bash('true', 60_000, 4096);
    usable.push(performance.now() - start);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
    await ws.close();
    const execStart = performance.now();
    const tar = await packSource(await listSource(big));
    const plain = await WorkspaceSession.start({ engine });
    await execWithInput(plain.id, ['tar', '-x', '-f', '-', '-C', '/workspace'], tar);
    execCopies.push(performance.now() - execStart);
    await plain.close();

    // The same copies into a container started beforehand (an eval's spare).
    const ready = await WorkspaceSession.start({ engine });
    const aheadStart = performance.now();
    const aheadCpuStart = process.cpuUsage();
    const onReady = await Workspace.open(big, { engine, startSession: async () => ready });
    aheadCopies.push(performance.now() - aheadStart);
    await onReady.session.bash('true', 60_000, 4096);
    aheadUsable.push(performance.now() - aheadStart);
    const aheadUsed = process.cpuUsage(aheadCpuStart);
    aheadCpu.push((aheadUsed.user + aheadUsed.system) / 1000);
    await onReady.close();
    const started = await WorkspaceSession.start({ engine });
    const execAheadStart = performance.now();
    const aheadTar = await packSource(await listSource(big));
    await execWithInput(started.id, ['tar', '-x', '-f', '-', '-C', '/workspace'], aheadTar);
    execAhead.push(performance.now() - execAheadStart);
    await started.close();
  }
  console.log(
    `copy 5,000 files / 50 MB into a new workspace (container start included), p50 ms:
  assay open ${p50(copies).toFixed(0)}, until the first command ${p50(usable).toFixed(0)}, host CPU ${p50(cpu).toFixed(0)}
  docker exec tar -x with the same tar ${p50(execCopies).toFixed(0)}  (ratio ${(p50(execCopies) / p50(copies)).toFixed(2)}x)
copy into a container started ahead, p50 ms:
  assay open ${p50(aheadCopies).toFixed(0)}, until the first command ${p50(aheadUsable).toFixed(0)}, host CPU ${p50(aheadCpu).toFixed(0)}
  pack + docker exec tar -x into a started container ${p50(execAhead).toFixed(0)}  (ratio ${(p50(execAhead) / p50(aheadCopies)).toFixed(2)}x)`,
  );

  const tests = { command: 'sleep 1' };
  const diff =
    'diff --git a/new.txt b/new.txt\nnew file mode 100644\n--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+x\n';
  const overheads: number[] = [];
  for (let i = 0; i < n(3); i++) {
    const verdict = await verifyDiff({ source: small, diff, tests, engine });
    if (verdict.reward !== 1) throw new Error(`verification failed: ${verdict.output_tail}`);
    overheads.push(verdict.duration_ms - 1000);
  }
  // The same grades with the next container started while the previous grade ran, as an
  // eval that grades one episode after another can do.
  const spares = new SpareWorkspaceSessions({ engine });
  spares.prepare();
  const spareOverheads: number[] = [];
  try {
    for (let i = 0; i < n(3); i++) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const verdict = await verifyDiff({ source: small, diff, tests, engine, spares });
      if (verdict.reward !== 1) throw new Error(`verification failed: ${verdict.output_tail}`);
      spareOverheads.push(verdict.duration_ms - 1000);
    }
  } finally {
    await spares.close();
  }
  console.log(
    `verification overhead beyond a 1 s test, p50: ${p50(overheads).toFixed(0)} ms with a container started per grade, ${p50(spareOverheads).toFixed(0)} ms with one started ahead (${(p50(overheads) / p50(spareOverheads)).toFixed(1)}x)`,
  );
  console.log(
    '\ntargets: edit_file p50 <= 2 ms; bash true p50 <= 5 ms; copy <= 1 s; overhead <= 0.5 s',
  );
  await rm(small, { recursive: true, force: true });
  await rm(big, { recursive: true, force: true });
  figures.push(
    {
      name: 'copy 5,000 files / 50 MB into a new workspace, p50',
      value: p50(copies),
      unit: 'ms',
      baseline: p50(execCopies),
      baselineName: 'container start + docker exec tar -x',
      target: { on: 'value', op: '<=', limit: 1000 },
    },
    {
      name: 'copy 5,000 files / 50 MB until the first command answers, p50',
      value: p50(usable),
      unit: 'ms',
      baseline: p50(execCopies),
      baselineName: 'container start + docker exec tar -x',
    },
    {
      name: 'host CPU of open + first command, new workspace, p50',
      value: p50(cpu),
      unit: 'ms',
    },
    {
      name: 'copy 5,000 files / 50 MB into a started container, p50',
      value: p50(aheadCopies),
      unit: 'ms',
      baseline: p50(execAhead),
      baselineName: 'pack + docker exec tar -x into a started container',
      target: { on: 'value', op: '<=', limit: 1000 },
    },
    {
      name: 'copy 5,000 files / 50 MB into a started container until the first command answers, p50',
      value: p50(aheadUsable),
      unit: 'ms',
      baseline: p50(execAhead),
      baselineName: 'pack + docker exec tar -x into a started container',
    },
    {
      name: 'verification overhead beyond a 1 s test, p50',
      value: p50(overheads),
      unit: 'ms',
      target: { on: 'value', op: '<=', limit: 500 },
    },
    {
      name: 'verification overhead beyond a 1 s test, container started ahead, p50',
      value: p50(spareOverheads),
      unit: 'ms',
      baseline: p50(overheads),
      baselineName: 'a container started per grade',
      target: { on: 'value', op: '<=', limit: 500 },
    },
  );
  return figures;
}

reportFigures('workspace', await main());
