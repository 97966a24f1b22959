import type { JsonPrimitive, JsonValue, K8sObject, ResourceRef, SourceLocation } from '../model/index.js';

/**
 * Risk of a change. `safe`: it cannot change what a running workload does (labels that only warn
 * or audit, an enforce level every workload in the evidence already meets, a setting that only
 * affects objects created later). `review`: it may break the workload (a process that runs as root,
 * writes to its root filesystem, uses a capability, a setuid binary, a syscall the runtime's
 * default seccomp profile blocks, the host's network; traffic a default-deny policy stops).
 */
export type Risk = 'safe' | 'review';
export const RISKS: readonly Risk[] = ['safe', 'review'];

/** A path into an object: keys and sequence indexes (`['spec','template','spec','containers',0]`). */
export type Path = (string | number)[];

/** One change to an object's data. */
export type ObjectOp =
  | { op: 'set'; path: Path; value: JsonValue }
  /** Remove a key; `orSet` is written instead when the key cannot be removed cleanly (same meaning). */
  | { op: 'delete'; path: Path; orSet?: JsonValue }
  /** Append a scalar to a sequence (created when missing). */
  | { op: 'append'; path: Path; value: JsonPrimitive };

/** What a fix is about: a control's rule on one resource. */
export interface FixSubject {
  control: string;
  rule: string;
  resource: ResourceRef;
  source?: SourceLocation;
}

/** A change to an object that exists in the input (a manifest, a rendered object or a live one). */
export interface ObjectChange extends FixSubject {
  risk: Risk;
  /** What the change does, in one line. */
  summary: string;
  /** Why it has its risk class (what it may break), for `review` changes. */
  caution?: string;
  /** The object as read (the target of the change). */
  object: K8sObject;
  ops: ObjectOp[];
}

/** A new object to add (a default-deny NetworkPolicy). */
export interface NewObject extends FixSubject {
  risk: Risk;
  summary: string;
  caution?: string;
  object: K8sObject;
  /** Directory of the input where the namespace's manifests live, for `--write`. */
  nearFile?: string;
  /** File name for the new object. */
  fileName: string;
}

/** Attributes to set in a Terraform block (`resource "type" "name"`) of a `.tf` file. */
export interface TfChange extends FixSubject {
  risk: Risk;
  summary: string;
  caution?: string;
  file: string;
  /** 1-based line of the block header. */
  line: number;
  /** `resource` and its labels (type, name). */
  blockKind: 'resource';
  labels: [string, string];
  attributes: { attribute: string; value: JsonValue }[];
}

/** A command to run (AWS CLI, or kubectl for what no file change expresses). */
export interface CommandStep extends FixSubject {
  risk: Risk;
  /** Order of execution: lower first (create a key before using it, enable logging before retention). */
  order: number;
  command: string;
  summary: string;
  caution?: string;
  /** Placeholders left in the command and what to put there. */
  needs?: { placeholder: string; what: string }[];
}

/** A finding whose fix needs a value or a judgement eks-soc2 cannot supply. */
export interface Decision extends FixSubject {
  /** What has to be decided. */
  decide: string;
  /** Why it is not automatic. */
  why: string;
  /** A starting point, when there is one (a command with placeholders, a manifest fragment). */
  hint?: string;
}

/** A finding left out of the plan by the selection (`--level`), and why. */
export interface Skipped extends FixSubject {
  risk: Risk;
  summary: string;
}

export interface FixPlan {
  changes: ObjectChange[];
  /** Attribute changes in Terraform files (materialised by `materialiseTerraform`). */
  tfChanges: TfChange[];
  newObjects: NewObject[];
  commands: CommandStep[];
  decisions: Decision[];
  /** Changes of a higher risk than `--level` allows. */
  skipped: Skipped[];
  /** Failing findings of rules that no fixer covers (listed so nothing is silently dropped). */
  uncovered: FixSubject[];
}

export function emptyPlan(): FixPlan {
  return { changes: [], tfChanges: [], newObjects: [], commands: [], decisions: [], skipped: [], uncovered: [] };
}
