import type { FirstSeenLookup, SightingKey } from '../model/index.js';
import type { SqlConn } from './sql.js';
import { str } from './sql.js';

/**
 * The `vuln_first_seen` table (schema 3): when the store first saw each CRITICAL vulnerability of a
 * workload's image, so that CC3-RA-03 can age it although the Trivy operator renews its reports. Rows
 * are written in the transaction of each stored run and read back before the next evaluation.
 */

export const FIRST_SEEN_SCHEMA = 3;

type Sighting = SightingKey & { vulnerability: string };
const keyOf = (s: { workload: string; image: string; vulnerability: string }) => `${s.workload}\n${s.image}\n${s.vulnerability}`;

/** Record the sightings of one run (at `at`): new ones are inserted, earlier ones (a run stored out of order) move the date back. */
export async function writeFirstSeen(tx: SqlConn, clusterKey: string, runId: string, at: string, sightings: readonly Sighting[]): Promise<void> {
  if (!sightings.length) return;
  const known = new Map<string, string>();
  for (const r of await tx.all('SELECT workload, image, vulnerability, first_seen_at FROM vuln_first_seen WHERE cluster_key = ?', [clusterKey])) {
    known.set(keyOf({ workload: str(r.workload), image: str(r.image), vulnerability: str(r.vulnerability) }), str(r.first_seen_at));
  }
  const fresh = sightings.filter((s) => !known.has(keyOf(s)));
  await tx.insertMany('vuln_first_seen', ['cluster_key', 'workload', 'image', 'vulnerability', 'first_seen_at', 'run_id'],
    fresh.map((s) => [clusterKey, s.workload, s.image, s.vulnerability, at, runId]), 'cluster_key, workload, image, vulnerability');
  for (const s of sightings) {
    const was = known.get(keyOf(s));
    if (was !== undefined && at < was) {
      await tx.run('UPDATE vuln_first_seen SET first_seen_at = ?, run_id = ? WHERE cluster_key = ? AND workload = ? AND image = ? AND vulnerability = ?',
        [at, runId, clusterKey, s.workload, s.image, s.vulnerability]);
    }
  }
}

/** Every first sight of one cluster, as a lookup (empty for a store older than schema 3). */
export async function readFirstSeen(conn: SqlConn, clusterKey: string, schemaVersion: number): Promise<{ lookup: FirstSeenLookup; size: number }> {
  const map = new Map<string, string>();
  if (schemaVersion >= FIRST_SEEN_SCHEMA) {
    for (const r of await conn.all('SELECT workload, image, vulnerability, first_seen_at FROM vuln_first_seen WHERE cluster_key = ?', [clusterKey])) {
      map.set(keyOf({ workload: str(r.workload), image: str(r.image), vulnerability: str(r.vulnerability) }), str(r.first_seen_at));
    }
  }
  return { lookup: (workload, image, vulnerability) => map.get(keyOf({ workload, image, vulnerability })), size: map.size };
}
