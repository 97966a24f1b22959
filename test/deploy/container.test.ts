/**
 * The Dockerfile cannot be built here (no container engine): these checks keep it what
 * docs/container.md says it is — multi-stage, distroless runtime pinned by digest, non-root
 * 65532, the CLI as ENTRYPOINT, OCI labels from build args — and keep .dockerignore from
 * excluding anything the build copies.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './kustomize.js';

const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
const lines = dockerfile.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const stages = lines.reduce<string[][]>((acc, l) => { if (/^FROM\s/i.test(l)) acc.push([l]); else acc.at(-1)?.push(l); return acc; }, []);

/** .dockerignore semantics for the patterns it uses: last match wins, `!` re-includes. */
function ignored(path: string): boolean {
  const rules = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  let out = false;
  for (const r of rules) {
    const neg = r.startsWith('!');
    const pat = (neg ? r.slice(1) : r).replace(/\/$/, '');
    const re = new RegExp(`^${pat.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '(?:.*/)?')}(?:/.*)?$`);
    if (re.test(path)) out = !neg;
  }
  return out;
}

describe('Dockerfile', () => {
  it('builds on Node.js 24 with npm ci, npm run build, npm prune --omit=dev', () => {
    expect(stages).toHaveLength(2);
    expect(stages[0]![0]).toMatch(/^FROM \$\{BUILD_IMAGE\} AS build$/);
    expect(dockerfile).toMatch(/^ARG BUILD_IMAGE=node:24-[\w.-]+@sha256:[0-9a-f]{64}$/m);
    const build = stages[0]!.join('\n');
    expect(build).toMatch(/RUN npm ci\b/);
    expect(build).toMatch(/npm run build/);
    expect(build).toMatch(/npm prune --omit=dev/);
  });

  it('runs on distroless Node.js 24, pinned by digest, as 65532, with the CLI as ENTRYPOINT', () => {
    expect(dockerfile).toMatch(/^ARG RUNTIME_IMAGE=gcr\.io\/distroless\/nodejs24-debian12:nonroot@sha256:[0-9a-f]{64}$/m);
    const run = stages[1]!;
    expect(run[0]).toBe('FROM ${RUNTIME_IMAGE}');
    expect(run).toContain('USER 65532:65532');
    expect(run.join('\n')).toMatch(/HOME=\/tmp/);
    expect(run.join('\n')).toMatch(/TMPDIR=\/tmp/);
    expect(run).toContain('ENTRYPOINT ["/nodejs/bin/node", "/app/bin/eks-soc2.mjs"]');
    expect(existsSync(join(REPO, 'bin/eks-soc2.mjs'))).toBe(true);
    expect(run.some((l) => /^RUN\b/.test(l))).toBe(false); // no shell in the runtime image
  });

  it('pins real digests, never a placeholder (an all-zero or repeated digest cannot be pulled)', () => {
    const digests = [...dockerfile.matchAll(/^ARG \w+_IMAGE=[^@\s]+:[\w.-]+@sha256:([0-9a-f]{64})$/gm)].map((m) => m[1]!);
    expect(digests).toHaveLength(2);
    for (const d of digests) {
      expect(new Set(d).size, d).toBeGreaterThan(8); // 0000…, aaaa…, 1234 1234 … are placeholders
      expect(/^(.{1,8})\1+$/.test(d), d).toBe(false);
    }
    expect(new Set(digests).size).toBe(2);
    expect(dockerfile).not.toMatch(/placeholder/i);
  });

  it('labels the image with OCI annotations from build args', () => {
    for (const k of ['version', 'source', 'revision', 'licenses', 'title', 'description']) expect(dockerfile).toContain(`org.opencontainers.image.${k}=`);
    expect(dockerfile).toContain('org.opencontainers.image.version="${VERSION}"');
    expect(dockerfile).toContain('org.opencontainers.image.revision="${REVISION}"');
  });

  it('.dockerignore lets through everything the build copies, and keeps stores and keys out', () => {
    const copies = stages[0]!.filter((l) => /^COPY\s/.test(l) && !l.includes('--from')).flatMap((l) => l.split(/\s+/).slice(1, -1));
    copies.push(...stages[1]!.filter((l) => /^COPY\s/.test(l) && !l.includes('--from')).flatMap((l) => l.split(/\s+/).slice(1, -1)));
    expect(copies.length).toBeGreaterThan(5);
    for (const c of copies) {
      expect(existsSync(join(REPO, c)), c).toBe(true);
      expect(ignored(c.replace(/\/$/, '')), c).toBe(false);
    }
    for (const p of ['evidence.db', 'src/x.db', '.git', 'node_modules', 'dist', 'test', 'src/server/key.pem', '.env']) expect(ignored(p), p).toBe(true);
  });
});
