/**
 * terraform-aws-modules/eks/aws (and its node-group submodules), understood from the module call's
 * inputs with the module's documented defaults for the pinned major version, when the module's own
 * source is not on disk.
 */
import type { EvidenceGap, SourceLocation } from '../../model/index.js';
import type { Ids } from './ids.js';
import { Unknown } from './values.js';
import type { TfInstance, TfObject } from './values.js';

const EKS_SOURCE = /^(?:registry\.terraform\.io\/|app\.terraform\.io\/)?terraform-aws-modules\/eks\/aws(?:\/\/modules\/([\w-]+))?$/;

export function isEksModule(source: string): boolean {
  return EKS_SOURCE.test(source);
}

export interface EksModuleCall {
  source: string;
  version: string | undefined;
  inputs: TfObject;
  address: string;
  source_loc: SourceLocation;
  root: string;
  region: string | undefined;
  ids: Ids;
}

export async function eksModuleInstances(call: EksModuleCall): Promise<{ instances: TfInstance[]; outputs: TfObject; problems: EvidenceGap[] }> {
  return {
    instances: [],
    outputs: {},
    problems: [{ source: 'files', target: call.source_loc.file, reason: 'skipped', line: call.source_loc.line, message: `${call.source_loc.file}:${call.source_loc.line}: module ${call.address} (${call.source}) not expanded yet` }],
  };
}

export { Unknown };
