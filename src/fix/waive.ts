import { createHash } from 'node:crypto';
import { isMap, isSeq, parseDocument, stringify } from 'yaml';
import type { Finding, RunResult, Waiver } from '../model/index.js';
import { isFixable } from './plan.js';

/**
 * `fix --waive`: waiver entries, in the format `scan --waivers` reads, for the findings the user
 * chooses not to fix. The reason (and the approver, unless given) are placeholders that the waiver
 * loader refuses until someone replaces them: a generated waiver never accepts a risk by itself.
 */

/** Marks a value a person still has to write; the waiver loader rejects entries that contain it. */
export const WAIVER_PLACEHOLDER = 'TODO(eks-soc2 fix --waive)';

export interface WaiveOptions {
  /** Who approves (defaults to the placeholder). */
  approver?: string;
  /** Expiry (YYYY-MM-DD); defaults to 90 days after `now`. */
  expires?: string;
  now: Date;
  rules?: readonly string[];
  includeSystem?: boolean;
  /** Waiver ids already in the target file (not reused). */
  existingIds?: ReadonlySet<string>;
}

type WaiverEntry = Omit<Waiver, 'source'>;

function selector(f: Finding): NonNullable<Waiver['resources']> {
  const r = f.resource;
  return {
    ...(r.namespace ? { namespace: r.namespace } : {}),
    kind: r.kind,
    // AWS resources are matched by name or ARN; the ARN names one resource exactly.
    name: r.provider === 'aws' && r.arn ? r.arn : r.name,
  };
}

/** One waiver per failing or warning finding of the selection (same control, rule and resource: once). */
export function waiverEntries(run: RunResult, opts: WaiveOptions): WaiverEntry[] {
  const expires = opts.expires ?? new Date(opts.now.getTime() + 90 * 86400_000).toISOString().slice(0, 10);
  const out: WaiverEntry[] = [];
  const seen = new Set<string>(opts.existingIds ?? []);
  for (const c of run.controls) {
    for (const f of c.findings) {
      if (!isFixable(f, Boolean(opts.includeSystem))) continue;
      if (opts.rules?.length && !opts.rules.some((r) => r === f.rule || r.toUpperCase() === `${c.id}/${f.rule}`.toUpperCase())) continue;
      const resources = selector(f);
      const digest = createHash('sha256').update(`${c.id}|${f.rule}|${JSON.stringify(resources)}`).digest('hex').slice(0, 8).toUpperCase();
      const id = `W-${c.id}-${digest}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({
        id, control: c.id, rule: f.rule, resources,
        reason: `${WAIVER_PLACEHOLDER}: why this risk is accepted and what compensates for it (finding: ${f.message.slice(0, 160)})`,
        approvedBy: opts.approver ?? `${WAIVER_PLACEHOLDER}: who approves`,
        expires,
      });
    }
  }
  return out;
}

/**
 * The waivers file with the entries appended to its `waivers:` list: the existing text is kept as it
 * is and the new entries are added at its end (a new file when `existing` is undefined).
 */
export function appendWaivers(existing: string | undefined, entries: readonly WaiverEntry[]): string {
  const body = (indent: string) => entries.map((e) => stringify([e], { lineWidth: 0 }).split('\n').filter((l) => l !== '').map((l) => `${indent}${l}`).join('\n')).join('\n') + '\n';
  if (existing === undefined || existing.trim() === '') {
    return `# Accepted risks (eks-soc2 scan --waivers FILE). Entries written by \`eks-soc2 fix --waive\` are refused\n# until their reason and approver are filled in.\nwaivers:\n${body('  ')}`;
  }
  const doc = parseDocument(existing);
  const list = isMap(doc.contents) ? doc.contents.get('waivers', true) : doc.contents;
  if (isSeq(list) && !list.flow && list.items.length > 0) {
    // Append after the last line of the list, at its items' indentation.
    const first = (list.items[0] as { range?: [number, number, number] }).range![0];
    const dash = existing.lastIndexOf('-', first);
    const col = dash - (existing.lastIndexOf('\n', dash - 1) + 1);
    const end = (list as { range?: [number, number, number] }).range![1];
    let p = end - 1;
    while (p >= 0 && /\s/.test(existing[p]!)) p--;
    const nl = existing.indexOf('\n', p + 1);
    const at = nl === -1 ? existing.length : nl + 1;
    const pre = existing.slice(0, at);
    return `${pre}${pre.endsWith('\n') ? '' : '\n'}${body(' '.repeat(col))}${existing.slice(at)}`;
  }
  if (isMap(doc.contents) && !doc.contents.has('waivers')) return `${existing}${existing.endsWith('\n') ? '' : '\n'}waivers:\n${body('  ')}`;
  throw new Error('the waivers file has no block list under "waivers:" to append to');
}
