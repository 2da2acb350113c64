import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { headlessArgs } from './chromium.js';

/**
 * A headless Chromium driven over the DevTools protocol on `--remote-debugging-pipe` (fd 3 in,
 * fd 4 out, NUL-separated JSON): no puppeteer, no port. For the report's bench and browser tests,
 * which need the page's real clock: `--dump-dom` with `--virtual-time-budget` may dump a page
 * before its transcripts are inflated, because virtual time runs on while the main thread idles.
 */
export class CdpBrowser {
  private nextId = 1;
  private buffer = '';
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private readonly listeners = new Set<(message: CdpMessage) => void>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly input: Writable,
    output: Readable,
  ) {
    output.setEncoding('utf8');
    output.on('data', (text: string) => {
      this.buffer += text;
      for (let end = this.buffer.indexOf('\0'); end >= 0; end = this.buffer.indexOf('\0')) {
        const message = JSON.parse(this.buffer.slice(0, end)) as CdpMessage;
        this.buffer = this.buffer.slice(end + 1);
        this.dispatch(message);
      }
    });
  }

  static launch(chromium: string, profile: string): CdpBrowser {
    const child = spawn(
      chromium,
      [...headlessArgs(profile), '--remote-debugging-pipe', 'about:blank'],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
    );
    return new CdpBrowser(child, child.stdio[3] as Writable, child.stdio[4] as Readable);
  }

  send(method: string, params: object = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    this.input.write(
      `${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`,
    );
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
  }

  /** Resolves with the first event `method` of `sessionId`. */
  once(method: string, sessionId: string): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      const listener = (message: CdpMessage) => {
        if (message.method !== method || message.sessionId !== sessionId) return;
        this.listeners.delete(listener);
        resolve(message.params ?? {});
      };
      this.listeners.add(listener);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.send('Browser.close').catch(() => this.child.kill());
    });
  }

  private dispatch(message: CdpMessage): void {
    if (message.id !== undefined) {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(`${message.error.message} (CDP)`));
      else waiter?.resolve(message.result ?? {});
      return;
    }
    for (const listener of [...this.listeners]) listener(message);
  }
}

interface CdpMessage {
  id?: number;
  method?: string;
  sessionId?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
}

/**
 * Watches for the page's first drawn frame: for a page that marks itself ready with
 * `data-browser-ready`, the frame after the mark; for any other page, the frame after `load`.
 * Times are the page's `performance.now()`, from the start of the navigation.
 */
const DRAWN = `(() => {
  const drawn = () => requestAnimationFrame(() => { window.__benchDrawnAt = performance.now(); });
  // The document has no root element yet when this runs; watch the document itself.
  new MutationObserver((_, observer) => {
    if (document.documentElement?.hasAttribute('data-browser-ready')) { observer.disconnect(); drawn(); }
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-browser-ready'] });
  addEventListener('load', () => {
    if (!document.querySelector('script')) drawn();
  });
})();`;

export interface Opened {
  /** From the start of the navigation to the first frame drawn after the page was ready. */
  drawnMs: number;
  /** From sending the navigation to learning that it was drawn, as the bench saw it. */
  wallMs: number;
  /**
   * CPU time of the renderer's main thread until then (`ThreadTime` of the DevTools
   * Performance domain, from the renderer's start): what a loaded machine does not inflate the
   * way it does wall time (`TaskDuration`, the tasks' wall time, it does).
   */
  busyMs: number;
  /** What the page holds once drawn (`expression`'s value). */
  value: unknown;
  screenshot?: Buffer;
}

/** Opens `url` in a new tab, waits until it is drawn, and reads `expression` from it. */
export async function openDrawn(
  browser: CdpBrowser,
  url: string,
  expression: string,
  options: { screenshot?: boolean; width?: number; height?: number; timeoutMs?: number } = {},
): Promise<Opened> {
  const { targetId } = (await browser.send('Target.createTarget', { url: 'about:blank' })) as {
    targetId: string;
  };
  const { sessionId } = (await browser.send('Target.attachToTarget', {
    targetId,
    flatten: true,
  })) as {
    sessionId: string;
  };
  try {
    await browser.send('Page.enable', {}, sessionId);
    // A tab in the background gets no animation frames.
    await browser.send('Page.bringToFront', {}, sessionId);
    await browser.send('Performance.enable', {}, sessionId);
    await browser.send(
      'Emulation.setDeviceMetricsOverride',
      {
        width: options.width ?? 1280,
        height: options.height ?? 900,
        deviceScaleFactor: 1,
        mobile: false,
      },
      sessionId,
    );
    await browser.send('Page.addScriptToEvaluateOnNewDocument', { source: DRAWN }, sessionId);
    const loaded = browser.once('Page.loadEventFired', sessionId);
    const started = performance.now();
    await browser.send('Page.navigate', { url }, sessionId);
    await loaded;
    const waited = (await browser.send(
      'Runtime.evaluate',
      {
        expression: `new Promise((resolve, reject) => {
          const limit = performance.now() + ${options.timeoutMs ?? 60_000};
          const poll = () => window.__benchDrawnAt !== undefined
            ? resolve({ drawnMs: window.__benchDrawnAt, value: (${expression}) })
            : performance.now() > limit ? reject(new Error('not drawn')) : setTimeout(poll, 5);
          poll();
        })`,
        awaitPromise: true,
        returnByValue: true,
      },
      sessionId,
    )) as { result: { value?: { drawnMs: number; value: unknown } }; exceptionDetails?: unknown };
    const wallMs = performance.now() - started;
    if (!waited.result.value)
      throw new Error(`${url} was not drawn: ${JSON.stringify(waited.exceptionDetails)}`);
    const { metrics } = (await browser.send('Performance.getMetrics', {}, sessionId)) as {
      metrics: { name: string; value: number }[];
    };
    const busyMs = (metrics.find((m) => m.name === 'ThreadTime')?.value ?? Number.NaN) * 1000;
    const opened: Opened = {
      busyMs,
      drawnMs: waited.result.value.drawnMs,
      wallMs,
      value: waited.result.value.value,
    };
    if (options.screenshot) {
      const { data } = (await browser.send(
        'Page.captureScreenshot',
        { format: 'png' },
        sessionId,
      )) as {
        data: string;
      };
      opened.screenshot = Buffer.from(data, 'base64');
    }
    return opened;
  } finally {
    await browser.send('Target.closeTarget', { targetId });
  }
}
