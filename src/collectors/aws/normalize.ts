import type { JsonObject, JsonValue } from '../../model/index.js';

/**
 * Turn an SDK v3 value into plain JSON as the fact contract wants it (src/catalog/lib/aws.ts):
 * `$metadata` dropped, Dates as ISO strings, blobs (Uint8Array) as base64 (as the AWS CLI prints
 * them), `undefined` members dropped.
 */
export function toJson(value: unknown, depth = 0): JsonValue | undefined {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (depth > 64) return null;
  if (Array.isArray(value)) return value.map((v) => toJson(v, depth + 1) ?? null);
  if (value instanceof Map) return toJson(Object.fromEntries(value), depth);
  if (value instanceof Set) return toJson([...value], depth);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === '$metadata' || k === '$response') continue;
    const j = toJson(v, depth + 1);
    if (j !== undefined) out[k] = j;
  }
  return out;
}

export function toJsonObject(value: unknown): JsonObject {
  const j = toJson(value);
  return j && typeof j === 'object' && !Array.isArray(j) ? j : {};
}

/** Output members that only drive pagination. */
export const PAGINATION_OUTPUT_MEMBERS: ReadonlySet<string> = new Set(['NextToken', 'nextToken', 'Marker', 'NextMarker', 'IsTruncated', 'PaginationToken', 'NextPageToken']);
/** Input members that only drive pagination (removed from `params`). */
export const PAGINATION_INPUT_MEMBERS: ReadonlySet<string> = new Set(['NextToken', 'nextToken', 'Marker', 'MaxResults', 'maxResults', 'MaxItems', 'MaxRecords', 'Limit', 'limit', 'PageSize', 'pageSize', 'StartingToken']);

/**
 * Merge the pages of a paginated output into one: list members concatenated (at any depth, e.g.
 * DescribeImageScanFindings `imageScanFindings.findings`), objects merged member by member, scalars
 * from the first page that has them.
 */
export function mergePages(pages: readonly JsonObject[]): JsonObject {
  if (pages.length === 0) return {};
  if (pages.length === 1) return pages[0]!;
  let acc: JsonObject = structuredClone(pages[0]!);
  for (const p of pages.slice(1)) acc = mergeObject(acc, p);
  return acc;
}

function mergeObject(a: JsonObject, b: JsonObject): JsonObject {
  for (const [k, bv] of Object.entries(b)) {
    const av = a[k];
    if (av === undefined) a[k] = structuredClone(bv);
    else if (Array.isArray(av) && Array.isArray(bv)) a[k] = [...av, ...bv];
    else if (isObject(av) && isObject(bv)) a[k] = mergeObject(av, bv);
  }
  return a;
}

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Remove pagination members from the top level of an output (all pages were read). */
export function stripPagination(output: JsonObject): JsonObject {
  for (const k of PAGINATION_OUTPUT_MEMBERS) delete output[k];
  return output;
}

/** Request input minus pagination members, as plain JSON (the fact's `params`). */
export function paramsOf(input: Record<string, unknown>): JsonObject {
  const p = toJsonObject(input);
  for (const k of PAGINATION_INPUT_MEMBERS) delete p[k];
  return p;
}

/** Members holding user maps (tags, labels): their keys are data, never renamed or re-dated. */
const MAP_MEMBERS = /^(tags|Tags|TagMap|tagMap|labels|Labels|Annotations|annotations|Parameters|parameters|configurationValues|ConfigurationValues|findingSeverityCounts|FindingSeverityCounts|SummaryMap|Attributes|attributes)$/;

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const TIME_KEY = /(At|Date|Time|Timestamp|Since|Until|Expiration|Expiry)$/;

/**
 * Normalise timestamps of AWS CLI output to the SDK-derived contract (ISO 8601 in UTC with
 * milliseconds): ISO strings with any offset (`2024-03-14T11:31:44.348000-04:00`), and epoch
 * seconds in members named like timestamps (AWS CLI v1's default `cli_timestamp_format = none`).
 */
export function normalizeDates(value: JsonValue, key = '', depth = 0): JsonValue {
  if (depth > 64) return value;
  if (typeof value === 'string') {
    if (ISO_WITH_ZONE.test(value)) {
      const fixed = value.replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1');
      const t = Date.parse(fixed);
      if (!Number.isNaN(t)) return new Date(t).toISOString();
    }
    return value;
  }
  if (typeof value === 'number') {
    if (TIME_KEY.test(key) && value > 1e8 && value < 1e11) return new Date(Math.round(value * 1000)).toISOString();
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => normalizeDates(v, key, depth + 1));
  if (isObject(value)) {
    if (MAP_MEMBERS.test(key)) return value;
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalizeDates(v, k, depth + 1);
    return out;
  }
  return value;
}

/**
 * aws-sdk-go v2 (PascalCase, nulls for absent members) → SDK v3 member names for services whose
 * wire names are camelCase (EKS, ECR): first letter lowered, nulls dropped, map members kept as is.
 */
export function pascalToCamel(value: JsonValue, depth = 0): JsonValue | undefined {
  if (value === null) return undefined;
  if (depth > 64 || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => pascalToCamel(v, depth + 1)).filter((v): v is JsonValue => v !== undefined);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'ResultMetadata' || k === 'NextToken') continue;
    const nk = k.charAt(0).toLowerCase() + k.slice(1);
    if (MAP_MEMBERS.test(k)) {
      if (v !== null) out[nk] = v;
      continue;
    }
    const nv = pascalToCamel(v, depth + 1);
    if (nv !== undefined) out[nk] = nv;
  }
  return out;
}
