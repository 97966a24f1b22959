import type { IacEvidence, IacResource, ResourceRef, SourceLocation } from '../model/index.js';

/**
 * Findings about resources translated from Terraform are reported on the Terraform resource: kind =
 * resource type, name = address, source = the line of its block (so SARIF annotates the .tf line).
 * Checks build AWS refs from the facts (ARN, name, id); this maps them back, and rewrites the
 * stand-in ids that name a resource whose id is known only after apply into its address.
 */
export class IacMapper {
  private readonly byArn = new Map<string, IacResource>();
  private readonly byKindId = new Map<string, IacResource>();
  private readonly byId = new Map<string, IacResource[]>();
  private readonly placeholders: Map<string, string>;
  private readonly refs = new Map<IacResource, ResourceRef>();

  constructor(iac: IacEvidence) {
    for (const r of iac.resources) {
      for (const id of r.ids) {
        if (id.startsWith('arn:')) this.byArn.set(id, r);
        this.byKindId.set(`${r.cfnType}|${id}`, r);
        (this.byId.get(id) ?? this.byId.set(id, []).get(id)!).push(r);
      }
    }
    this.placeholders = new Map(Object.entries(iac.placeholders));
  }

  /** The Terraform ref and source of an AWS ref, when it names a translated resource. */
  map(ref: ResourceRef): { resource: ResourceRef; source?: SourceLocation } | undefined {
    if (ref.provider !== 'aws') return undefined;
    const r = (ref.arn ? this.byArn.get(ref.arn) : undefined) ?? this.byKindId.get(`${ref.kind}|${ref.name}`) ?? this.only(ref.name) ?? (ref.arn ? this.only(ref.arn) : undefined);
    if (!r) return undefined;
    let tf = this.refs.get(r);
    if (!tf) {
      tf = { provider: 'terraform', kind: r.type, name: r.address, ...(ref.region && !ref.region.includes('unknown') ? { region: ref.region } : {}) };
      this.refs.set(r, tf);
    }
    return { resource: tf, ...(r.source ? { source: r.source } : {}) };
  }

  /** A resource named by an id only one resource carries. */
  private only(id: string): IacResource | undefined {
    const list = this.byId.get(id);
    return list && list.length === 1 ? list[0] : undefined;
  }

  /** A message with every stand-in id replaced by the `address.attribute` it stands for. */
  text(message: string): string {
    if (this.placeholders.size === 0) return message;
    return message.replace(/[A-Za-z0-9:/._@*-]{6,}/g, (tok) => {
      const hit = this.placeholders.get(tok);
      if (hit) return hit;
      const trimmed = tok.replace(/[.:]+$/, '');
      const h2 = trimmed !== tok ? this.placeholders.get(trimmed) : undefined;
      return h2 ? `${h2}${tok.slice(trimmed.length)}` : tok;
    });
  }
}
