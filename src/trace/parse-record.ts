import type { z } from 'zod';
import { isPlainObject, safeJsonParse } from '../core/json.js';
import { TRACE_SCHEMA_VERSION, type TraceRecord, traceRecordSchema } from './schema.js';

export type RecordCheck = { ok: true; record: TraceRecord } | { ok: false; error: string };

const MAX_ISSUES = 5;

/**
 * Checks a parsed JSON value against the v1 record. The version is checked first so that a
 * record from a newer assay gets a message about versions instead of a list of field errors.
 */
export function checkTraceRecord(value: unknown): RecordCheck {
  if (!isPlainObject(value))
    return { ok: false, error: `not a JSON object (got ${kindOf(value)})` };
  if (!Object.hasOwn(value, 'schema_version')) {
    return { ok: false, error: 'schema_version: missing (is this an assay trace record?)' };
  }
  const version = value['schema_version'];
  if (version !== TRACE_SCHEMA_VERSION) return { ok: false, error: versionMessage(version) };
  const parsed = traceRecordSchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: formatIssues(parsed.error.issues) };
  return { ok: true, record: parsed.data };
}

/** Parses one line of a trace file: JSON first, then the record. */
export function parseTraceLine(text: string): RecordCheck {
  const json = safeJsonParse(text);
  if (!json.ok) return { ok: false, error: `not valid JSON: ${json.error}` };
  return checkTraceRecord(json.value);
}

/** `messages.3.tool_call_id: expected string, received undefined; reward: …` */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, MAX_ISSUES).map((issue) => {
    const message = issue.message.replace(/^Invalid input: /, '');
    return issue.path.length === 0 ? message : `${issue.path.map(String).join('.')}: ${message}`;
  });
  const more = issues.length > MAX_ISSUES ? ` (and ${issues.length - MAX_ISSUES} more)` : '';
  return `${shown.join('; ')}${more}`;
}

function versionMessage(version: unknown): string {
  if (typeof version === 'number' && Number.isInteger(version) && version > TRACE_SCHEMA_VERSION) {
    return `schema_version ${version} is newer than this assay supports (${TRACE_SCHEMA_VERSION}); upgrade assay to read it`;
  }
  return `schema_version ${JSON.stringify(version)} is not supported (this assay reads ${TRACE_SCHEMA_VERSION})`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
