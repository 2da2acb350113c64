import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerEngine } from './sandbox/docker/engine.js';
import { Workspace } from './sandbox/workspace/workspace.js';
const engine = new DockerEngine();
const dir = await mkdtemp(join(tmpdir(), 'prof-'));
const N=Number(process.argv[2]??50);
for (let d = 0; d < N; d++) { await mkdir(join(dir, `pkg${d}`)); await Promise.all(Array.from({length:100},(_,i)=>writeFile(join(dir,`pkg${d}`,`m${i}.py`),Buffer.alloc(10485, `${d} ${i}\n`)))); }
for (let k=0;k<2;k++){
const t=performance.now(); const c0=process.cpuUsage();
const w = await Workspace.open(dir,{engine}); const t1=performance.now();
console.log('opened', t1-t);
const tree = await w.session.baseTree(); const t2=performance.now();
console.log({open:t1-t, base:t2-t1, files:w.files, cpu: process.cpuUsage(c0)});
const b = await w.session.bash('du -sh /tmp; ls /tmp/.assay-workspace', 10000, 1000); console.log(b.stdout, b.stderr);
await w.close();
}
