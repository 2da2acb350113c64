import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { errorMessage, InfraError } from '../core/errors.js';
import { syncDirectory } from '../core/fs-sync.js';
import type { ToolArtifact } from '../core/tool.js';

/** An artifact as a trace records it: `path` is relative to the trace file's folder. */
export interface StoredArtifact {
  name: string;
  mime_type: string;
  path: string;
  sha256: string;
  bytes: number;
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  'application/json': '.json',
  'application/pdf': '.pdf',
  'image/gif': '.gif',
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/svg+xml': '.svg',
  'image/webp': '.webp',
  'text/csv': '.csv',
  'text/html': '.html',
  'text/markdown': '.md',
  'text/plain': '.txt',
};

const SAFE_EXTENSION = /^\.[a-z0-9]{1,10}$/;

/**
 * Stores a tool's artifact next to the trace, content-addressed:
 * `<trace file without .jsonl>.artifacts/<sha256><ext>`. Identical bytes are stored once. The
 * file is written under a temporary name, fsynced and renamed, so a crash never leaves a
 * partial file under the final name.
 */
export async function storeArtifact(
  traceFile: string,
  traceId: string,
  artifact: ToolArtifact,
): Promise<StoredArtifact> {
  const sha256 = createHash('sha256').update(artifact.data).digest('hex');
  const folderName = artifactFolderName(traceFile);
  const folder = join(dirname(traceFile), folderName);
  const fileName = `${sha256}${extensionFor(artifact)}`;
  const target = join(folder, fileName);
  try {
    if (!(await existsWithSize(target, artifact.data.byteLength))) {
      await writeDurably(folder, target, artifact.data);
    }
  } catch (error) {
    throw new InfraError(
      'TRACE_WRITE_FAILED',
      `cannot store artifact ${JSON.stringify(artifact.name)} of trace ${traceId} in ${folder}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  return {
    name: artifact.name,
    mime_type: artifact.mime_type,
    path: `${folderName}/${fileName}`,
    sha256,
    bytes: artifact.data.byteLength,
  };
}

/** Where `storeArtifact` puts a text artifact, relative to the trace file's folder. */
export function textArtifactPath(traceFile: string, data: Uint8Array): string {
  const sha256 = createHash('sha256').update(data).digest('hex');
  return `${artifactFolderName(traceFile)}/${sha256}.txt`;
}

function artifactFolderName(traceFile: string): string {
  return `${basename(traceFile).replace(/\.jsonl$/, '')}.artifacts`;
}

/** The artifact's own extension when it is plain, else one from its MIME type, else none. */
function extensionFor(artifact: ToolArtifact): string {
  const own = extname(artifact.name).toLowerCase();
  if (SAFE_EXTENSION.test(own)) return own;
  const mime = artifact.mime_type.split(';')[0]?.trim().toLowerCase() ?? '';
  return Object.hasOwn(EXTENSIONS, mime) ? EXTENSIONS[mime]! : '';
}

async function existsWithSize(path: string, size: number): Promise<boolean> {
  try {
    return (await stat(path)).size === size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

async function writeDurably(folder: string, target: string, data: Uint8Array): Promise<void> {
  await mkdir(folder, { recursive: true });
  const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(folder);
}
