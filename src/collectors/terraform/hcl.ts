/**
 * The HCL2 parser: HashiCorp's HCL implementation compiled to WebAssembly, as @cdktn/hcl2json (the
 * maintained continuation of @cdktf/hcl2json) ships it. `parse` turns a file into JSON (blocks as
 * lists, expressions as `${…}` templates); `expressionAst` gives the syntax tree of one expression,
 * which eval.ts evaluates. No HCL is parsed by hand here.
 */
import type { ExpressionType } from '@cdktn/hcl2json/build/syntax-tree.js';
import type * as Hcl2JsonModule from '@cdktn/hcl2json';

type Hcl2Json = typeof Hcl2JsonModule;
let lib: Promise<Hcl2Json> | undefined;
const load = (): Promise<Hcl2Json> => (lib ??= import('@cdktn/hcl2json').then((m) => ((m as unknown as { default?: Hcl2Json }).default ?? m)));

export class HclError extends Error {
  constructor(message: string, readonly file: string, readonly line: number | undefined) { super(message); }
}

/** `parse config: [main.tf:2,7-3,1: Invalid expression; Expected …]` → file, line and the message. */
function hclError(err: unknown, file: string): HclError {
  const msg = (err as Error).message ?? String(err);
  const m = /\[?([^[\]]*?):(\d+),\d+(?:-\d+(?:,\d+)?)?: ([^\]]+)\]?/.exec(msg);
  if (m) return new HclError(m[3]!.replace(/\s+/g, ' ').trim(), file, Number(m[2]));
  return new HclError(msg.replace(/^parse config: /, ''), file, undefined);
}

/** Parse one .tf file into its JSON form. */
export async function parseHcl(file: string, text: string): Promise<Record<string, unknown>> {
  const { parse } = await load();
  try {
    return await parse(file, text);
  } catch (err) {
    throw hclError(err, file);
  }
}

export type { ExpressionType };

const astCache = new Map<string, { ast: ExpressionType | null; source: string } | Error>();

/**
 * The syntax tree of a template string as hcl2json gives it (`${var.x}-eks`, `${aws_kms_key.k.arn}`).
 * A single interpolation is parsed as a bare expression (keeping its type: a list stays a list);
 * anything else as a heredoc template, in which the text outside interpolations is taken literally.
 */
export async function templateAst(template: string): Promise<{ ast: ExpressionType | null; source: string }> {
  const hit = astCache.get(template);
  if (hit instanceof Error) throw hit;
  if (hit) return hit;
  const { getExpressionAst } = await load();
  let result: { ast: ExpressionType | null; source: string } | undefined;
  if (template.startsWith('${') && template.endsWith('}')) {
    const inner = template.slice(2, -1);
    try {
      // `a}-${b` (two interpolations) is not an expression: the parser rejects it.
      const ast = await getExpressionAst('expression.tf', inner);
      if (ast) result = { ast, source: inner };
    } catch { /* not a single interpolation */ }
  }
  if (!result) {
    let delim = 'EKSSOC2EOT';
    while (template.includes(delim)) delim += 'X';
    const source = `<<${delim}\n${template}\n${delim}\n`;
    try {
      result = { ast: await getExpressionAst('expression.tf', source), source };
    } catch (err) {
      const e = new Error(`expression ${JSON.stringify(template.length > 80 ? `${template.slice(0, 77)}...` : template)} could not be parsed: ${(err as Error).message.replace(/^.*?: /, '')}`);
      astCache.set(template, e);
      throw e;
    }
  }
  astCache.set(template, result);
  return result;
}
