import type { Evidence, EvidenceKey } from '../../model/index.js';

/**
 * What a check may say about evidence it did not read. A key can be read (`collected`, or `absent`
 * when the inventory is complete and holds none), never attempted (`not-collected`: a file scan
 * without that kind, an AWS call the run did not make) or attempted and lost (`denied`, `error`, or
 * `partial`: some pages or targets failed). Only a read key proves an absence.
 */

/** The key was attempted and could not be read completely (denied, failed, partial). */
export function readFailed(ev: Evidence, key: EvidenceKey): boolean {
  const s = ev.state(key);
  return s === 'denied' || s === 'error' || s === 'partial';
}

/** `eks:DescribeCluster (denied)` — a key that was not read, in the words messages use. */
export function unread(ev: Evidence, key: EvidenceKey): string {
  const s = ev.state(key);
  const name = key.replace(/^(k8s|aws|tool):/, '');
  return s === 'not-collected' ? `${name} (not collected)` : `${name} (${s})`;
}
