import { access } from 'node:fs/promises';

/** Where headless Chromium is looked for: `$CHROMIUM`, then Debian's and others' names. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export interface ChromiumStatus {
  /** The browser binary, or null when none was found. */
  path: string | null;
  /** Why the browser tests are skipped; empty when they run. */
  reason: string;
}

/** Looks for headless Chromium, quietly: its path, or null and why (`bench/run-all.ts`). */
export async function findChromium(): Promise<ChromiumStatus> {
  const wanted = process.env['CHROMIUM'];
  for (const path of wanted ? [wanted] : CANDIDATES) {
    try {
      await access(path);
      return { path, reason: '' };
    } catch {}
  }
  const reason = `no Chromium at ${wanted ?? CANDIDATES.join(', ')}; run \`bash scripts/ensure-chromium.sh\` or set CHROMIUM`;
  return { path: null, reason };
}

/**
 * Finds headless Chromium for the report tests. Without one the tests are skipped with the
 * reason printed, except under `CI=true`, where this throws so the file fails instead of
 * passing silently (`scripts/ensure-chromium.sh` installs it).
 */
export async function requireChromium(): Promise<ChromiumStatus> {
  const found = await findChromium();
  if (found.path !== null) return found;
  const { reason } = found;
  if (process.env['CI'] === 'true')
    throw new Error(`browser tests cannot run under CI=true: ${reason}`);
  console.warn(`skipping browser tests: ${reason}`);
  return { path: null, reason };
}

/** Headless Chromium with a throwaway profile: no sandbox, GPU, first-run page or extensions. */
export function headlessArgs(profile: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-extensions',
    `--user-data-dir=${profile}`,
  ];
}

/** Headless Chromium's arguments to print a page's DOM once its scripts have settled. */
export function chromiumArgs(profile: string, url: string): string[] {
  return [
    ...headlessArgs(profile),
    // Lets the page's promises (the samples are inflated asynchronously) settle before the
    // dump. It also makes the page's clock virtual, so in-page timings mean nothing here.
    '--virtual-time-budget=30000',
    '--dump-dom',
    url,
  ];
}
