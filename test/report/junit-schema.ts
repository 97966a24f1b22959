/**
 * The content model of the Jenkins JUnit schema (xunit-plugin `junit-10.xsd`, the schema Jenkins
 * reads JUnit reports with), checked on our output: which elements may appear where, which
 * attributes each may carry, which are required, and the time format. Written from the schema's
 * rules, not copied; our XML is regular (escaped text, no CDATA, no comments), so a small tokenizer
 * is enough to walk it.
 */

interface Rule {
  attributes: readonly string[];
  required?: readonly string[];
  children: readonly string[];
  /** Text content allowed (mixed or simple content). */
  text: boolean;
}

const DETAIL: Rule = { attributes: ['type', 'message'], children: [], text: true };
const RULES: Record<string, Rule> = {
  testsuites: { attributes: ['name', 'time', 'tests', 'failures', 'errors'], children: ['testsuite'], text: false },
  testsuite: {
    attributes: ['name', 'tests', 'failures', 'errors', 'group', 'time', 'skipped', 'timestamp', 'hostname', 'id', 'package', 'file', 'log', 'url'],
    required: ['name', 'tests', 'failures', 'errors'],
    children: ['testsuite', 'properties', 'testcase', 'system-out', 'system-err'],
    text: false,
  },
  properties: { attributes: [], children: ['property'], text: false },
  property: { attributes: ['name', 'value'], required: ['name', 'value'], children: [], text: false },
  testcase: {
    attributes: ['name', 'time', 'classname', 'group'],
    required: ['name'],
    children: ['skipped', 'error', 'failure', 'rerunFailure', 'rerunError', 'flakyFailure', 'flakyError', 'system-out', 'system-err'],
    text: false,
  },
  failure: DETAIL,
  error: DETAIL,
  skipped: DETAIL,
  'system-out': { attributes: [], children: [], text: true },
  'system-err': { attributes: [], children: [], text: true },
};
const SUREFIRE_TIME = /^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?$/;

/** Problems of a JUnit XML document against the Jenkins schema's content model; [] when it conforms. */
export function junitProblems(xml: string): string[] {
  const problems: string[] = [];
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  const stack: string[] = [];
  let root: string | undefined;
  const token = /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = token.exec(body))) {
    if (m.index !== consumed) problems.push(`unparsable text at ${consumed}`);
    consumed = token.lastIndex;
    const [, closing, name, attrText, selfClosing, text] = m;
    const parent = stack[stack.length - 1];
    if (text !== undefined) {
      if (text.trim() && (!parent || !RULES[parent]?.text)) problems.push(`text inside <${parent ?? '(top)'}>`);
      continue;
    }
    if (closing) {
      if (stack.pop() !== name) problems.push(`</${name}> closes nothing open`);
      continue;
    }
    const rule = RULES[name!];
    if (!rule) { problems.push(`<${name}> is not in the schema`); continue; }
    if (parent === undefined) {
      if (root !== undefined) problems.push('more than one root element');
      root = name;
    } else if (!RULES[parent]!.children.includes(name!)) {
      problems.push(`<${name}> is not allowed in <${parent}>`);
    }
    const attrs = new Map([...attrText!.matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
    for (const a of attrs.keys()) if (!rule.attributes.includes(a)) problems.push(`<${name}> has attribute ${a}, which the schema does not allow`);
    for (const a of rule.required ?? []) if (!attrs.has(a)) problems.push(`<${name}> lacks the required attribute ${a}`);
    const time = attrs.get('time');
    if (time !== undefined && (name === 'testsuite' || name === 'testsuites') && !SUREFIRE_TIME.test(time)) problems.push(`<${name}> time="${time}" is not a SUREFIRE_TIME`);
    if (!selfClosing) stack.push(name!);
  }
  if (consumed !== body.length) problems.push('trailing content');
  if (stack.length) problems.push(`unclosed <${stack.join('>, <')}>`);
  if (root !== 'testsuites' && root !== 'testsuite') problems.push(`root element <${root ?? ''}> is neither <testsuites> nor <testsuite>`);
  return problems;
}
