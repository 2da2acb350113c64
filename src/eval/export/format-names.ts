/**
 * The export formats by name: their own module so that `assay traces export --help` can list
 * them without loading the exporters.
 */
export const EXPORT_FORMATS = [
  'trl',
  'trl-grpo',
  'verifiers',
  'openrlhf',
  'sharegpt',
  'tokens',
] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}
