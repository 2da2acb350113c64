import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AssayError } from '../../src/core/errors.js';
import { parsePolicy } from '../../src/policy/load.js';
import type { AskAnswer, AskRequest, Prompter } from '../../src/policy/prompter.js';
import { createTerminalPrompter } from '../../src/policy/tty-prompter.js';

const ASK = `
rules:
  - id: ask-fetch
    tool: web_fetch
    effect: ask
    reason: fetching leaves the machine
`;

function policy(batchAsk: 'deny' | 'allow' = 'deny') {
  return parsePolicy(`version: 1\nbatch_ask: ${batchAsk}\n${ASK}`, 'ask.yaml');
}

/** A prompter that answers from a script and remembers what it was asked. */
function scripted(...answers: AskAnswer[]): Prompter & { asked: AskRequest[] } {
  const asked: AskRequest[] = [];
  return {
    asked,
    async ask(request) {
      asked.push(request);
      const next = answers.shift();
      if (!next) throw new Error('the prompter was asked more often than scripted');
      return next;
    },
  };
}

const fetchCall = (url: string, step = 1) => ({ tool: 'web_fetch', args: { url }, step });

describe('ask without a person (batch)', () => {
  it('denies under batch_ask: deny, says so, and records who decided', async () => {
    const session = policy('deny').startEpisode({ prompt: '', interactive: false });
    const d = await session.decide(fetchCall('https://a.org/'));
    expect(d).toMatchObject({
      decision: 'deny',
      effect: 'ask',
      rule: 'ask-fetch',
      answered_by: 'batch_ask',
      clamps: null,
    });
    expect(d.reason).toBe(
      'Rule "ask-fetch" requires a person to approve this web_fetch call, and this run has nobody to ask ' +
        '(batch_ask: deny). fetching leaves the machine Do not retry it.',
    );
  });

  it('allows under batch_ask: allow and records it as the batch answer', async () => {
    const session = policy('allow').startEpisode({ prompt: '', interactive: false });
    const d = await session.decide(fetchCall('https://a.org/'));
    expect(d).toMatchObject({ decision: 'allow', effect: 'ask', answered_by: 'batch_ask' });
    expect(d.clamps).not.toBeNull();
    expect(d.reason).toContain('batch_ask: allow');
  });

  it('never calls a prompter in a batch episode', async () => {
    const prompter = scripted();
    const session = policy().startEpisode({ prompt: '', interactive: false, prompter });
    await session.decide(fetchCall('https://a.org/'));
    expect(prompter.asked).toEqual([]);
  });
});

describe('ask with a person', () => {
  it('shows the tool, the exact arguments and the exact host', async () => {
    const prompter = scripted({ answer: 'once' });
    const session = policy().startEpisode({ prompt: '', interactive: true, prompter });
    const d = await session.decide(fetchCall('https://user@Sub.Example.org:8443/p?q=1', 4));
    expect(d).toMatchObject({ decision: 'allow', effect: 'ask', answered_by: 'user' });
    expect(prompter.asked).toEqual([
      {
        tool: 'web_fetch',
        args: { url: 'https://user@Sub.Example.org:8443/p?q=1' },
        host: 'sub.example.org',
        rule: 'ask-fetch',
        reason: 'fetching leaves the machine',
        step: 4,
      },
    ]);
  });

  it('asks again after a once answer', async () => {
    const prompter = scripted({ answer: 'once' }, { answer: 'once' });
    const session = policy().startEpisode({ prompt: '', interactive: true, prompter });
    await session.decide(fetchCall('https://a.org/1'));
    await session.decide(fetchCall('https://a.org/2'));
    expect(prompter.asked).toHaveLength(2);
  });

  it('remembers an episode answer for the same host only', async () => {
    const prompter = scripted({ answer: 'episode' }, { answer: 'deny' });
    const session = policy().startEpisode({ prompt: '', interactive: true, prompter });
    expect((await session.decide(fetchCall('https://a.org/1'))).decision).toBe('allow');
    const again = await session.decide(fetchCall('https://a.org/2'));
    expect(again).toMatchObject({ decision: 'allow', answered_by: 'user' });
    expect(prompter.asked).toHaveLength(1);
    expect((await session.decide(fetchCall('https://b.org/'))).decision).toBe('deny');
    expect(prompter.asked).toHaveLength(2);
  });

  it('passes the person’s reason for a refusal on to the model', async () => {
    const prompter = scripted({ answer: 'deny', reason: 'use the local mirror instead' });
    const session = policy().startEpisode({ prompt: '', interactive: true, prompter });
    const d = await session.decide(fetchCall('https://a.org/'));
    expect(d).toMatchObject({ decision: 'deny', answered_by: 'user', rule: 'ask-fetch' });
    expect(d.reason).toBe(
      'The user refused this web_fetch call (rule ask-fetch asked). They said: use the local mirror instead Do not retry it.',
    );
  });

  it('falls back to batch_ask when there is no terminal, and says why', async () => {
    const prompter = scripted({ answer: 'unavailable', reason: 'no terminal to ask on' });
    const session = policy('allow').startEpisode({ prompt: '', interactive: true, prompter });
    const d = await session.decide(fetchCall('https://a.org/'));
    expect(d).toMatchObject({ decision: 'allow', answered_by: 'batch_ask' });
    expect(d.reason).toContain('(no terminal to ask on)');
  });

  it('stops waiting for an answer when the episode is aborted', async () => {
    const controller = new AbortController();
    const prompter: Prompter = {
      ask: (_request, signal) =>
        new Promise((_resolve, reject) =>
          signal?.addEventListener('abort', () => reject(signal.reason)),
        ),
    };
    const session = policy().startEpisode({ prompt: '', interactive: true, prompter });
    const pending = session.decide(fetchCall('https://a.org/'), controller.signal);
    controller.abort(new AssayError('ABORTED', 'stop'));
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('the terminal prompter', () => {
  function terminal(input: string) {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let shown = '';
    stdout.on('data', (chunk: Buffer) => {
      shown += chunk.toString('utf8');
    });
    const prompter = createTerminalPrompter(() => ({
      input: stdin,
      output: stdout,
      close: () => undefined,
    }));
    stdin.write(input);
    return { prompter, shown: () => shown };
  }
  const request: AskRequest = {
    tool: 'web_fetch',
    args: { url: 'https://xn--bcher-kva.example/\u202egnp.exe' },
    host: 'xn--bcher-kva.example',
    rule: 'ask-fetch',
    reason: 'fetching leaves the machine',
    step: 2,
  };

  it('shows the host and the arguments with display tricks escaped', async () => {
    const { prompter, shown } = terminal('o\n');
    expect(await prompter.ask(request)).toEqual({ answer: 'once' });
    expect(shown()).toContain('host:  xn--bcher-kva.example');
    expect(shown()).toContain('"url": "https://xn--bcher-kva.example/\\u202egnp.exe"');
    expect(shown()).not.toContain('\u202e');
  });

  it('reads episode and deny answers, with the reason for a refusal', async () => {
    expect(await terminal('episode\n').prompter.ask(request)).toEqual({ answer: 'episode' });
    expect(await terminal('d\nnot that site\n').prompter.ask(request)).toEqual({
      answer: 'deny',
      reason: 'not that site',
    });
  });

  it('asks again after an answer it does not understand, then refuses', async () => {
    expect(await terminal('maybe\ny\n').prompter.ask(request)).toEqual({ answer: 'once' });
    expect(await terminal('a\n').prompter.ask(request)).toEqual({ answer: 'episode' });
    expect(await terminal('?\n?\n?\n').prompter.ask(request)).toEqual({
      answer: 'deny',
      reason: 'no valid answer was given',
    });
  });

  it('reports that nobody can be asked when there is no terminal', async () => {
    const prompter = createTerminalPrompter(() => null);
    expect(await prompter.ask(request)).toEqual({
      answer: 'unavailable',
      reason: 'no terminal to ask on',
    });
  });
});

describe('a changed MCP tool definition (mcp.on_definition_change)', () => {
  const mcpPolicy = (setting: string) =>
    parsePolicy(
      `version: 1\nbatch_ask: deny\nmcp: { on_definition_change: ${setting} }\nrules:\n  - { id: fs, tool: web_fetch, effect: allow }\n`,
      'mcp.yaml',
    );
  const call = { tool: 'web_fetch', args: { url: 'https://a.org/' }, step: 1 };

  it('is refused without asking anyone under the default, deny', async () => {
    const prompter = scripted();
    const session = parsePolicy('version: 1\n', 'plain.yaml').startEpisode({
      prompt: '',
      interactive: true,
      prompter,
    });
    const d = await session.decideChange(call, 'The definition changed.');
    expect(d).toMatchObject({ decision: 'deny', effect: 'deny', rule: 'mcp.on_definition_change' });
    expect(d.reason).toContain('mcp.on_definition_change: deny');
    expect(prompter.asked).toEqual([]);
  });

  it('is put to the person under ask, with the change as the reason, and their answer decides', async () => {
    const prompter = scripted({ answer: 'once' }, { answer: 'deny', reason: 'looks poisoned' });
    const session = mcpPolicy('ask').startEpisode({ prompt: '', interactive: true, prompter });
    const allowed = await session.decideChange(call, 'The definition of x changed.');
    expect(allowed).toMatchObject({ decision: 'allow', effect: 'ask', answered_by: 'user' });
    expect(prompter.asked[0]).toMatchObject({
      tool: 'web_fetch',
      rule: 'mcp.on_definition_change',
      reason: 'The definition of x changed.',
    });
    const refused = await session.decideChange(call, 'The definition of x changed.');
    expect(refused).toMatchObject({ decision: 'deny', effect: 'ask', answered_by: 'user' });
    expect(refused.reason).toContain('looks poisoned');
  });

  it('remembers an answer for the whole episode for that tool only', async () => {
    const prompter = scripted({ answer: 'episode' });
    const session = mcpPolicy('ask').startEpisode({ prompt: '', interactive: true, prompter });
    await session.decideChange(call, 'changed');
    const again = await session.decideChange({ ...call, step: 2 }, 'changed');
    expect(again).toMatchObject({ decision: 'allow', answered_by: 'user' });
    expect(prompter.asked).toHaveLength(1);
  });

  it('rejects an unknown on_definition_change value with its path', () => {
    expect(() => mcpPolicy('allow')).toThrow(/mcp\.on_definition_change/);
  });
});
