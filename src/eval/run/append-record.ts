import { AssayError, errorMessage } from '../../core/errors.js';
import type { TraceRecord } from '../../trace/schema.js';
import type { TraceWriter } from '../../trace/writer.js';

/**
 * Appends the record; a record that cannot be written (a bug, since the writer caps sizes) is
 * replaced by a harness error record for the same job, so one bad episode never ends the run.
 * Disk faults still throw: nothing else could be written either.
 */
export async function appendOrReplace(writer: TraceWriter, record: TraceRecord): Promise<void> {
  try {
    await writer.append(record);
  } catch (error) {
    if (!(error instanceof AssayError) || error.code !== 'TRACE_INVALID') throw error;
    const r = record;
    await writer.append({
      schema_version: r.schema_version,
      trace_id: r.trace_id,
      run_id: r.run_id,
      task_id: r.task_id,
      arm: r.arm,
      group_id: r.group_id,
      sample_index: r.sample_index,
      attempt: r.attempt,
      model: r.model,
      sampling: r.sampling,
      tools_enabled: r.tools_enabled,
      tools: r.tools,
      usage: r.usage,
      timing: r.timing,
      runtime: r.runtime,
      policy: r.policy,
      tags: r.tags,
      messages: [],
      tool_calls: [],
      final_answer: null,
      outcome: { status: 'error', stop_reason: 'trace_invalid' },
      error: { class: 'harness', code: 'TRACE_INVALID', message: errorMessage(error) },
      reward: null,
      verifier: null,
    });
  }
}
