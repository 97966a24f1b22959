/**
 * API discovery: which resource (and preferred version) serves each evidence key. Only the
 * discovery documents the requested keys need are fetched — `/api/v1` for the core group, `/apis`
 * for the group list, then `/apis/<group>/<preferred version>` per group — and each at most once.
 * A group or kind the server does not serve is `absent`: evidence that it is not installed.
 */
import type { KubeHttp } from './http.js';
import { statusMessage } from './http.js';
import { KubeRequestError } from './errors.js';

export interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

export interface ResolvedResource {
  group: string;
  version: string;
  /** `apps/v1`, or `v1` for the core group. */
  apiVersion: string;
  kind: string;
  /** Plural resource name. */
  resource: string;
  namespaced: boolean;
  /** Collection path: `/api/v1/pods`, `/apis/apps/v1/deployments`. */
  path: string;
}

export type DiscoveryFailure = { state: 'denied' | 'error'; status?: number; reason: 'forbidden' | 'network' | 'timeout' | 'error' | 'throttled'; message: string; target: string };
export type KindResolution = { state: 'served'; resource: ResolvedResource } | { state: 'absent'; target: string } | DiscoveryFailure;
export type GroupResolution = { state: 'served'; version: string; resources: ResolvedResource[] } | { state: 'absent'; target: string } | DiscoveryFailure;

interface GroupInfo {
  preferred: string;
  versions: string[];
}

type Doc = { ok: true; resources: ApiResource[] } | { ok: false; absent: true; target: string } | ({ ok: false; absent: false } & DiscoveryFailure);
type Groups = { ok: true; groups: Map<string, GroupInfo> } | ({ ok: false } & DiscoveryFailure);

/** Unauthenticated during discovery: the caller aborts the whole collection. */
export class DiscoveryUnauthorized extends Error {}

function failure(target: string, status: number | undefined, body: unknown, err?: KubeRequestError): DiscoveryFailure {
  if (err) return { state: 'error', reason: err.kind === 'timeout' ? 'timeout' : 'network', message: `${target}: ${err.message}`, target };
  if (status === 403) return { state: 'denied', status, reason: 'forbidden', message: `${target} was forbidden (403)${statusMessage(body) ? `: ${statusMessage(body)}` : ''}`, target };
  if (status === 429) return { state: 'error', status, reason: 'throttled', message: `${target} kept being throttled (429) after retries`, target };
  return { state: 'error', status, reason: 'error', message: `${target} failed with HTTP ${status}${statusMessage(body) ? `: ${statusMessage(body)}` : ''}`, target };
}

export class Discovery {
  private groupsP: Promise<Groups> | undefined;
  private readonly docs = new Map<string, Promise<Doc>>();

  constructor(private readonly http: KubeHttp) {}

  /** Number of discovery documents fetched so far. */
  get fetched(): number {
    return this.docs.size + (this.groupsP ? 1 : 0);
  }

  private get(path: string): Promise<{ status: number; body: unknown } | KubeRequestError> {
    return this.http.getJson(path).catch((err: unknown) => {
      if (err instanceof KubeRequestError) return err;
      throw err;
    });
  }

  private groups(): Promise<Groups> {
    this.groupsP ??= this.get('/apis').then((r): Groups => {
      if (r instanceof KubeRequestError) return { ok: false, ...failure('GET /apis', undefined, undefined, r) };
      if (r.status === 401) throw new DiscoveryUnauthorized('GET /apis: 401 Unauthorized');
      if (r.status !== 200) return { ok: false, ...failure('GET /apis', r.status, r.body) };
      const groups = new Map<string, GroupInfo>();
      const list = (r.body as { groups?: unknown }).groups;
      for (const g of Array.isArray(list) ? list : []) {
        const name = (g as { name?: unknown }).name;
        if (typeof name !== 'string') continue;
        const versions = ((g as { versions?: { version?: unknown }[] }).versions ?? []).map((v) => v.version).filter((v): v is string => typeof v === 'string');
        const preferred = (g as { preferredVersion?: { version?: unknown } }).preferredVersion?.version;
        const pref = typeof preferred === 'string' ? preferred : versions[0];
        if (!pref) continue;
        groups.set(name, { preferred: pref, versions: [pref, ...versions.filter((v) => v !== pref)] });
      }
      return { ok: true, groups };
    });
    return this.groupsP;
  }

  private doc(group: string, version: string): Promise<Doc> {
    const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
    let p = this.docs.get(path);
    if (!p) {
      p = this.get(path).then((r): Doc => {
        const target = `GET ${path}`;
        if (r instanceof KubeRequestError) return { ok: false, absent: false, ...failure(target, undefined, undefined, r) };
        if (r.status === 401) throw new DiscoveryUnauthorized(`${target}: 401 Unauthorized`);
        if (r.status === 404) return { ok: false, absent: true, target };
        if (r.status !== 200) return { ok: false, absent: false, ...failure(target, r.status, r.body) };
        const resources = (r.body as { resources?: unknown }).resources;
        return { ok: true, resources: Array.isArray(resources) ? (resources as ApiResource[]).filter((x) => x && typeof x.name === 'string' && typeof x.kind === 'string') : [] };
      });
      this.docs.set(path, p);
    }
    return p;
  }

  private static resolved(group: string, version: string, r: ApiResource): ResolvedResource {
    const apiVersion = group ? `${group}/${version}` : version;
    return { group, version, apiVersion, kind: r.kind, resource: r.name, namespaced: Boolean(r.namespaced), path: `${group ? '/apis' : '/api'}/${apiVersion}/${r.name}` };
  }

  private static listable(r: ApiResource): boolean {
    return !r.name.includes('/') && (!Array.isArray(r.verbs) || r.verbs.includes('list') || r.verbs.includes('get'));
  }

  private async versionsOf(group: string): Promise<{ ok: true; info: GroupInfo } | { ok: false; absent: true; target: string } | ({ ok: false; absent: false } & DiscoveryFailure)> {
    if (!group) return { ok: true, info: { preferred: 'v1', versions: ['v1'] } };
    const g = await this.groups();
    if (!g.ok) return { ...g, ok: false, absent: false };
    const info = g.groups.get(group);
    if (!info) return { ok: false, absent: true, target: 'GET /apis' };
    return { ok: true, info };
  }

  /** The resource serving `kind` in `group` ('' = core): preferred version first, then the others. */
  async resolveKind(group: string, kind: string): Promise<KindResolution> {
    const v = await this.versionsOf(group);
    if (!v.ok) return v.absent ? { state: 'absent', target: v.target } : v;
    let lastTarget = '';
    for (const version of v.info.versions) {
      const d = await this.doc(group, version);
      if (!d.ok) {
        if (d.absent) { lastTarget = d.target; continue; }
        if (version === v.info.preferred) return d;
        continue;
      }
      const r = d.resources.find((x) => x.kind === kind && Discovery.listable(x));
      if (r) return { state: 'served', resource: Discovery.resolved(group, version, r) };
      lastTarget = `GET ${group ? `/apis/${group}` : '/api'}/${version}`;
    }
    return { state: 'absent', target: lastTarget };
  }

  /** Every listable resource of a group in its preferred version. */
  async resolveGroup(group: string): Promise<GroupResolution> {
    const v = await this.versionsOf(group);
    if (!v.ok) return v.absent ? { state: 'absent', target: v.target } : v;
    const d = await this.doc(group, v.info.preferred);
    if (!d.ok) return d.absent ? { state: 'absent', target: d.target } : d;
    const resources = d.resources.filter((x) => Discovery.listable(x) && (!Array.isArray(x.verbs) || x.verbs.includes('list')))
      .map((x) => Discovery.resolved(group, v.info.preferred, x));
    return { state: 'served', version: v.info.preferred, resources };
  }
}
