import { describe, expect, it } from 'vitest';
import { InfraError, UsageError } from '../../src/core/errors.js';
import { ResultCollector } from '../../src/eval/run/queue-collector.js';
import {
  episodeJobId,
  parseQueueUrl,
  queueNames,
  redactQueueUrl,
  scrub,
} from '../../src/eval/run/queue-connection.js';
import type { TraceRecord } from '../../src/trace/schema.js';

const record = (trace: string) => ({ trace_id: trace }) as unknown as TraceRecord;

describe('--queue URLs', () => {
  it('reads host, port, database and credentials from redis://USER:PASSWORD@HOST:PORT/DB', () => {
    const { options, redacted } = parseQueueUrl('redis://me:p%40ss@10.0.0.5:6380/4');
    expect(options).toMatchObject({
      host: '10.0.0.5',
      port: 6380,
      db: 4,
      username: 'me',
      password: 'p@ss',
    });
    expect(redacted).toBe('redis://me:***@10.0.0.5:6380/4');
  });

  it('defaults to port 6379 and database 0, and uses TLS for rediss://', () => {
    expect(parseQueueUrl('redis://127.0.0.1').options).toMatchObject({ port: 6379, db: 0 });
    expect(parseQueueUrl('rediss://h:7000').options.tls).toEqual({});
  });

  it('rejects other schemes and bad databases naming the URL without its password', () => {
    const bad = ['http://u:secret@h:1', 'redis://u:secret@h:1/x', 'redis://u:secret@h:1/-1'];
    for (const url of bad) {
      let error: unknown;
      try {
        parseQueueUrl(url);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toContain('u:***@h:1');
      expect((error as Error).message).not.toContain('secret');
    }
    expect(() => parseQueueUrl('not a url')).toThrow(/not a URL/);
  });

  it('redacts passwords in URLs and in messages a client echoes', () => {
    expect(redactQueueUrl('redis://:pw@h:1/0')).toBe('redis://:***@h:1/0');
    expect(redactQueueUrl('redis://h:1/0')).toBe('redis://h:1/0');
    const connection = parseQueueUrl('redis://:hunter2@h:1');
    expect(scrub('AUTH hunter2 failed', connection)).toBe('AUTH *** failed');
    expect(new InfraError('QUEUE_UNREACHABLE', 'x').exitCode).toBe(3);
  });
});

describe('queue names and job ids', () => {
  it('carry the run id, so two runs never share a queue', () => {
    expect(queueNames('run-1').jobs).not.toBe(queueNames('run-2').jobs);
    expect(queueNames('run-1').jobs).toContain('run-1');
    expect(queueNames('run-1').jobs).not.toContain(':');
    expect(() => queueNames('a:b')).toThrow(UsageError);
  });

  it('gives an attempt the same id every time and each attempt its own', () => {
    const id = episodeJobId('r', 't1', 'tools', 0, 0);
    expect(episodeJobId('r', 't1', 'tools', 0, 0)).toBe(id);
    const others = [
      episodeJobId('r', 't1', 'tools', 0, 1),
      episodeJobId('r', 't1', 'tools', 1, 0),
      episodeJobId('r', 't1', 'no-tools', 0, 0),
      episodeJobId('r2', 't1', 'tools', 0, 0),
      episodeJobId('r', 't2', 'tools', 0, 0),
    ];
    expect(new Set([id, ...others]).size).toBe(6);
    for (const jobId of [id, ...others]) {
      expect(jobId).not.toContain(':');
      expect(Number.isInteger(Number(jobId))).toBe(false);
    }
  });

  it('gives a strategy episode an id of its input: a refine round after another answer is new', () => {
    const round = (answer: string) => ({
      messages: [
        { role: 'user' as const, content: 'q' },
        { role: 'assistant' as const, content: answer },
      ],
      useTools: false,
      seedOffset: 0,
      score: true,
      role: 'round',
      index: 1,
    });
    const id = episodeJobId('r', 't1', 'ref', 0, 0, round('7'));
    expect(episodeJobId('r', 't1', 'ref', 0, 0, round('7'))).toBe(id);
    expect(episodeJobId('r', 't1', 'ref', 0, 0, round('8'))).not.toBe(id);
    expect(episodeJobId('r', 't1', 'ref', 0, 0, { ...round('7'), index: 2 })).not.toBe(id);
    expect(episodeJobId('r', 't1', 'ref', 0, 0)).not.toBe(id);
  });
});

describe('the result collector', () => {
  it('keeps the first record of an attempt and counts the copies it drops', async () => {
    const collector = new ResultCollector();
    const waiting = collector.wait('job-1');
    expect(collector.accept('job-1', record('first'))).toBe(true);
    expect(collector.accept('job-1', record('second'))).toBe(false);
    expect(collector.accept('job-1', record('third'))).toBe(false);
    expect((await waiting).trace_id).toBe('first');
    expect((await collector.wait('job-1')).trace_id).toBe('first');
    expect(collector.duplicatesDropped).toBe(2);
  });

  it('hands over a record that arrived before anyone waited for it', async () => {
    const collector = new ResultCollector();
    collector.accept('early', record('e'));
    expect((await collector.wait('early')).trace_id).toBe('e');
    expect(collector.duplicatesDropped).toBe(0);
  });
});

describe('the workers shown in the progress of a --queue run', () => {
  it('lists each worker that sent records with its rate since the start', async () => {
    const { createWorkerRates } = await import('../../src/cli/queue-progress.js');
    let now = 0;
    const rates = createWorkerRates(() => now);
    const progress = (name: string) => ({
      total: 4,
      finished: 1,
      arms: {},
      last: { runtime: { assay_version: '0', node: 'v20', worker: { name } } } as never,
    });
    expect(rates({ total: 4, finished: 0, arms: {} })).toBe('');
    now = 2000;
    rates(progress('b'));
    rates(progress('a'));
    const p = progress('b');
    expect(rates(p)).toBe('  workers: a 0.5/s · b 1.0/s');
    // The same record seen again (a redraw) is not counted twice.
    expect(rates(p)).toBe('  workers: a 0.5/s · b 1.0/s');
  });
});
