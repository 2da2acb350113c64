import { IsolateSession } from '../../sandbox/isolate/isolate-session.js';
import type { Task } from '../../src/eval/task-schema.js';
import { jsVerifier } from '../../src/eval/verifiers/js.js';

/**
 * Runs hostile code in a child process so a test can see whether the process exits after
 * answering and whether a thread keeps burning CPU. argv[2] is a JSON list of attacks:
 * `{ "code": "…" }` runs in the javascript tool's isolate, `{ "verifier": "…" }` as a js
 * verifier function. Prints one JSON line per attack, then one line with the CPU time the
 * process used in the second after the last answer, then returns without `process.exit`.
 */
type Attack = { code: string } | { verifier: string };
const attacks = JSON.parse(process.argv[2] ?? '[]') as Attack[];
const timeoutMs = Number(process.argv[3] ?? 500);

for (const attack of attacks) {
  if ('code' in attack) {
    const session = await IsolateSession.create({ memoryMb: 64 });
    const outcome = await session.run(attack.code, {
      timeoutMs,
      cpuMs: timeoutMs,
      outputBytes: 4_096,
    });
    const after = await session.run('6 * 7', { timeoutMs, cpuMs: timeoutMs, outputBytes: 64 });
    await session.dispose();
    console.log(JSON.stringify({ error: outcome.error, value: outcome.value, after: after.value }));
  } else {
    const task = {
      id: 'hostile',
      prompt: 'q',
      verifier: 'js',
      tags: [],
      function: attack.verifier,
      timeout_ms: timeoutMs,
    } as Task;
    const error = await jsVerifier.verify(task, 'x', {}).then(
      () => null,
      (thrown: unknown) => (thrown as Error).message,
    );
    console.log(JSON.stringify({ error }));
  }
}

const start = process.cpuUsage();
await new Promise((resolve) => setTimeout(resolve, 1_000));
const used = process.cpuUsage(start);
console.log(JSON.stringify({ idleCpuMs: (used.user + used.system) / 1000 }));
