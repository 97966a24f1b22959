/**
 * Every option of every command from an `EKS_SOC2_*` environment variable (README "Environment
 * variables"). One rule, applied to the whole command tree instead of option by option:
 *
 * - the variable is EKS_SOC2_ + the option's long name in upper case with `-` as `_`
 *   (`--fail-on` → EKS_SOC2_FAIL_ON); a `--no-X` option is the variable of X
 *   (`--no-aws` → EKS_SOC2_AWS=false), so `--fail-on-warn`/`--no-fail-on-warn` share one;
 * - boolean options take true/false, 1/0, yes/no, on/off (case-insensitive); anything else is a
 *   usage error (exit 2) naming the variable; an empty variable is unset;
 * - precedence: a flag on the command line > the variable > the configuration file > the default.
 *
 * Options that had a variable of their own before keep it (and are left out here): `--store`
 * (EKS_SOC2_STORE), `--notify` (EKS_SOC2_NOTIFY_URL), `serve --token` (EKS_SOC2_TOKEN).
 */
import type { Command, Option } from 'commander';
import { EXIT, UserError } from './errors.js';

export const ENV_PREFIX = 'EKS_SOC2_';

/** Options with a variable of their own, or none at all. */
const OWN_VARIABLE = new Set(['store', 'notify', 'token', 'help', 'version']);

/** `failOnWarn` → EKS_SOC2_FAIL_ON_WARN. */
export function envNameOf(attribute: string): string {
  return `${ENV_PREFIX}${attribute.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/** A boolean from a variable: true/false, 1/0, yes/no, on/off; undefined when it is none of them. */
export function parseEnvBoolean(v: string): boolean | undefined {
  const t = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(t)) return true;
  if (['false', '0', 'no', 'off'].includes(t)) return false;
  return undefined;
}

/** What the environment set in this process's command (for messages about a bad value). */
export interface AppliedEnv { name: string; value: string; flag: string }
const applied: AppliedEnv[] = [];
export function appliedEnv(): readonly AppliedEnv[] {
  return applied;
}

function isBoolean(o: Option): boolean {
  return !o.required && !o.optional;
}

/** Apply the environment to the options of `cmd` that the command line did not set. */
export function applyEnv(cmd: Command, env: NodeJS.ProcessEnv = process.env): void {
  const seen = new Set<string>();
  for (const o of cmd.options as readonly Option[]) {
    const attr = o.attributeName();
    if (seen.has(attr) || OWN_VARIABLE.has(attr)) continue;
    seen.add(attr);
    const name = envNameOf(attr);
    const value = env[name];
    if (value === undefined || value.trim() === '') continue;
    if (cmd.getOptionValueSource(attr) === 'cli') continue; // the flag wins
    const flag = o.long ?? o.flags;
    if (isBoolean(o)) {
      const b = parseEnvBoolean(value);
      if (b === undefined) throw new UserError(`${name}="${value}" is not a boolean (it sets ${flag})`, EXIT.USAGE, `set ${name} to true or false (1 or 0)`);
      cmd.setOptionValueWithSource(attr, b, 'env');
    } else {
      let parsed: unknown = value;
      if (o.parseArg) {
        try {
          parsed = o.parseArg(value, undefined as never);
        } catch (err) {
          throw new UserError(`${name}="${value}" is not a valid value for ${flag}: ${(err as Error).message}`, EXIT.USAGE, `fix or unset ${name}`);
        }
      }
      cmd.setOptionValueWithSource(attr, parsed, 'env');
    }
    applied.push({ name, value, flag });
  }
}

/** The `--help` footer that states the rule. */
export const ENV_HELP = `
Environment: every option can be set with EKS_SOC2_<OPTION> — its long name in upper case, dashes as
underscores (--fail-on high → EKS_SOC2_FAIL_ON=high; --no-aws → EKS_SOC2_AWS=false); boolean options
take true/false (1/0). --store, --notify and serve --token keep EKS_SOC2_STORE, EKS_SOC2_NOTIFY_URL and
EKS_SOC2_TOKEN. Precedence: flag > environment variable > configuration file > default.
`;

/** Hook the rule into every command of the program (and print the footer in every --help). */
export function installEnv(program: Command): void {
  program.hook('preAction', (root, action) => {
    applyEnv(root);
    if (action !== root) applyEnv(action);
  });
  program.addHelpText('afterAll', ENV_HELP);
}
