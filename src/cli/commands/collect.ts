import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { Snapshot } from '../../model/index.js';
import { escapeTerminal } from '../../report/escape.js';
import { EXIT, UserError } from '../errors.js';
import { ioErrorText } from '../output.js';
import { toolVersion } from '../version.js';
import { addKubernetesOptions, collectKubernetes } from '../sources/kubernetes.js';
import type { KubernetesOptions } from '../sources/kubernetes.js';
import { addAwsOptions, collectAws } from '../sources/aws.js';
import type { AwsOptions } from '../sources/aws.js';

export interface CollectCommandOptions extends KubernetesOptions, AwsOptions {
  output?: string;
  gzip: boolean;
  control?: string[];
  section?: string[];
  quiet?: boolean;
}

const splitList = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

export function registerCollect(program: Command): void {
  const cmd = program
    .command('collect')
    .description('collect evidence from the live cluster (and AWS) into a snapshot bundle that `scan -f` evaluates later')
    .option('-o, --output <file>', 'write the bundle to FILE (gzip-compressed unless it ends in .json), or - for stdout')
    .option('--no-gzip', 'write plain JSON')
    .option('--control <ids>', 'only the evidence these controls need (comma-separated or repeated)', splitList)
    .option('--section <ids>', 'only the evidence these checklist sections need, e.g. CC5,CC6', splitList)
    .option('-q, --quiet', 'no progress and no summary on stderr');
  addKubernetesOptions(cmd);
  addAwsOptions(cmd);
  cmd
    .addHelpText('after', `
The bundle holds the evidence only (objects reduced on arrival; never Secret values) and is
evaluated later, anywhere, with \`eks-soc2 scan -f FILE\`.

Exit codes: 0 everything asked for was collected; 2 usage error; 3 the bundle was written but some
evidence could not be collected (permissions, network, throttling: listed on stderr and in the bundle),
or nothing could be collected at all.

Examples:
  eks-soc2 collect -o evidence.json.gz
  eks-soc2 collect --context prod --section CC5 -o - | eks-soc2 scan -f -`)
    .action(async (opts: CollectCommandOptions) => {
      process.exitCode = await runCollect(opts);
    });
}

export async function runCollect(opts: CollectCommandOptions): Promise<number> {
  if (!opts.output) throw new UserError('collect needs -o FILE (or -o - for stdout)', EXIT.USAGE, 'e.g. eks-soc2 collect -o evidence.json.gz');
  const { catalog, evidenceKeys } = await import('../../catalog/index.js');
  const { selectControls } = await import('../../engine/index.js');
  const known = new Set(catalog.map((c) => c.id));
  for (const id of opts.control ?? []) if (!known.has(id.toUpperCase())) throw new UserError(`unknown control "${id}"; \`eks-soc2 controls\` lists them`);
  const sections = new Set(catalog.map((c) => c.section as string));
  for (const s of opts.section ?? []) if (!sections.has(s.toUpperCase())) throw new UserError(`unknown section "${s}"; sections are ${[...sections].join(', ')}`);
  const toStdout = opts.output === '-';
  const gzip = opts.gzip !== false && !opts.output.toLowerCase().endsWith('.json');
  if (toStdout && gzip && process.stdout.isTTY) {
    throw new UserError('refusing to write a compressed bundle to the terminal', EXIT.USAGE, 'redirect stdout (-o - > file.json.gz, or pipe into `eks-soc2 scan -f -`), or add --no-gzip');
  }

  const keys = evidenceKeys(selectControls(catalog, { ...(opts.control ? { controls: opts.control } : {}), ...(opts.section ? { sections: opts.section } : {}) }));
  let snapshot = await collectKubernetes(opts, keys, toolVersion());
  snapshot = await collectAws(opts, snapshot, keys, { liveKubernetes: true });

  await writeSnapshotBundle(snapshot, opts.output, gzip);
  const gaps = snapshot.gaps.filter((g) => g.source === 'kubernetes' || g.source === 'aws');
  if (!opts.quiet) {
    const kinds = Object.values(snapshot.kubernetes.kinds).filter((c) => c.state === 'collected').length;
    process.stderr.write(`wrote ${toStdout ? 'the bundle to stdout' : escapeTerminal(opts.output, 300)}: ${snapshot.kubernetes.objects.length.toLocaleString('en-US')} Kubernetes objects (${kinds} kinds), ${snapshot.aws.facts.length.toLocaleString('en-US')} AWS facts${gaps.length ? `, ${gaps.length} evidence gap(s)` : ''}\n`);
    for (const g of gaps.slice(0, 10)) {
      process.stderr.write(`  gap: ${escapeTerminal(g.key ?? g.target, 80)}: ${escapeTerminal(g.message, 300)}${g.permission ? ` [needs: ${escapeTerminal(g.permission, 120)}]` : ''}\n`);
    }
    if (gaps.length > 10) process.stderr.write(`  … and ${gaps.length - 10} more (see "gaps" in the bundle)\n`);
  }
  return gaps.length > 0 ? EXIT.EVIDENCE : EXIT.OK;
}

/**
 * Serialise a snapshot as JSON without building one giant string: the envelope is stringified with
 * a placeholder where the objects go, and the objects are streamed in batches.
 */
export function snapshotChunks(snapshot: Snapshot, batch = 256): Iterable<string> {
  const marker = `__eks_soc2_objects_${randomBytes(8).toString('hex')}__`;
  const envelope = JSON.stringify({ ...snapshot, kubernetes: { ...snapshot.kubernetes, objects: marker } });
  const at = envelope.indexOf(JSON.stringify(marker));
  const head = envelope.slice(0, at);
  const tail = envelope.slice(at + marker.length + 2);
  const objects = snapshot.kubernetes.objects;
  return (function* () {
    yield `${head}[`;
    for (let i = 0; i < objects.length; i += batch) {
      const parts: string[] = [];
      for (let j = i; j < Math.min(objects.length, i + batch); j++) parts.push(JSON.stringify(objects[j]));
      yield `${i === 0 ? '' : ','}${parts.join(',')}`;
    }
    yield `]${tail}`;
  })();
}

/** Write a bundle to a file (atomically: temp file + rename) or to stdout (`-`). */
export async function writeSnapshotBundle(snapshot: Snapshot, dest: string, gzip: boolean, stdout: Writable = process.stdout): Promise<void> {
  const source = Readable.from(snapshotChunks(snapshot));
  if (dest === '-') {
    if (gzip) await pipeline(source, createGzip(), stdout, { end: false });
    else await pipeline(source, stdout, { end: false });
    return;
  }
  const tmp = `${dest}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const file = createWriteStream(tmp, { mode: 0o600 });
    if (gzip) await pipeline(source, createGzip(), file);
    else await pipeline(source, file);
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new UserError(`cannot write ${dest}: ${ioErrorText(err)}; no partial bundle was left`, EXIT.USAGE);
  }
}
