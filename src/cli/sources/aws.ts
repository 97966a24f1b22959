import type { Command } from 'commander';
import type { Snapshot } from '../../model/index.js';

/** Flags of AWS evidence collection (owned by the AWS evidence work, issue 3). */
export interface AwsOptions {
  cluster?: string;
  region?: string;
  profile?: string;
  awsEvidence?: string;
}

export function addAwsOptions(cmd: Command): Command {
  return cmd;
}

/** Add AWS evidence for `keys` to the snapshot when asked for (or inferable); returns it. */
export async function collectAws(_opts: AwsOptions, snapshot: Snapshot, _keys: ReadonlySet<string>): Promise<Snapshot> {
  return snapshot;
}
