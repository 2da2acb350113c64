import { describe, expect, it } from 'vitest';
import { groupId, pendingJobs } from '../../src/eval/run/jobs.js';
import { taskSchema } from '../../src/eval/task-schema.js';

const tasks = ['a', 'b'].map((id) =>
  taskSchema.parse({ id, prompt: `Task ${id}?`, verifier: 'exact', answer: '4' }),
);
const arms = [
  { name: 'tools', tools: ['calculator'] },
  { name: 'no-tools', tools: [] },
];

describe('pendingJobs group ids', () => {
  it('gives every sample of one task in one arm of one run the same group', () => {
    const { jobs } = pendingJobs('run-1', tasks, arms, 3, 0, [], 3);
    const ofA = jobs.filter((j) => j.task.id === 'a' && j.arm.name === 'tools');
    expect(ofA).toHaveLength(3);
    expect(new Set(ofA.map((j) => j.groupId)).size).toBe(1);
  });

  it('keeps arms and tasks in separate groups', () => {
    const { jobs } = pendingJobs('run-1', tasks, arms, 1, 0, [], 3);
    expect(new Set(jobs.map((j) => j.groupId)).size).toBe(4);
  });

  it('gives the same task and arm different groups in two runs, so concatenated traces do not merge them', () => {
    const first = pendingJobs('run-1', tasks, arms, 1, 0, [], 3).jobs;
    const second = pendingJobs('run-2', tasks, arms, 1, 0, [], 3).jobs;
    for (const [i, job] of first.entries()) expect(job.groupId).not.toBe(second[i]?.groupId);
    expect(groupId('run-1', 'a', 'tools')).toBe(first[0]?.groupId);
  });
});
