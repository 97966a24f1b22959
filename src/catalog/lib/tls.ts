import type { K8sObject } from '../../model/index.js';
import { arr } from './workloads.js';

/**
 * TLS at the edge of the cluster (CC9-ENC-04): which Ingress hosts a TLS entry covers, and which
 * `LoadBalancer` Services front an in-cluster ingress controller that terminates TLS itself (an NLB
 * passing TCP through to ingress-nginx, Traefik, ...).
 */

/**
 * Whether a TLS host (a certificate name in `spec.tls[].hosts`) covers a rule host, as TLS name
 * matching does (RFC 6125 §6.4.3) and Kubernetes Ingress wildcards do: case-insensitive; a `*.` label
 * matches exactly one left-most label (`*.example.com` covers `shop.example.com`, not
 * `a.shop.example.com` nor `example.com`); a wildcard rule host is covered only by the same wildcard.
 */
export function tlsHostCovers(tlsHost: string, ruleHost: string): boolean {
  const t = tlsHost.trim().toLowerCase().replace(/\.$/, '');
  const r = ruleHost.trim().toLowerCase().replace(/\.$/, '');
  if (t === r) return true;
  if (!t.startsWith('*.') || r.startsWith('*.')) return false;
  const suffix = t.slice(1); // ".example.com"
  if (!r.endsWith(suffix)) return false;
  const label = r.slice(0, r.length - suffix.length);
  return label.length > 0 && !label.includes('.');
}

interface IngressTlsEntry { hosts?: unknown }
interface IngressRule { host?: unknown }

/**
 * The rule hosts of an Ingress that no `spec.tls` entry covers. A TLS entry without hosts covers
 * every host (the API defaults it to the controller's wildcard host); a rule without a host routes
 * every host, those of the TLS entries included, so it is covered whenever a TLS entry exists.
 */
export function uncoveredHosts(ing: K8sObject): { tlsHosts: string[]; ruleHosts: string[]; uncovered: string[] } {
  const spec = (ing.spec ?? {}) as { tls?: unknown; rules?: unknown };
  const entries = arr<IngressTlsEntry | null>(spec.tls).filter((e): e is IngressTlsEntry => e !== null && typeof e === 'object');
  const tlsHosts = entries.flatMap((e) => arr<unknown>(e.hosts)).filter((h): h is string => typeof h === 'string' && h !== '');
  const catchAll = entries.some((e) => arr<unknown>(e.hosts).length === 0);
  const ruleHosts = [...new Set(arr<IngressRule | null>(spec.rules).map((r) => r?.host).filter((h): h is string => typeof h === 'string' && h !== ''))];
  const uncovered = entries.length === 0 || catchAll ? (entries.length === 0 ? ruleHosts : []) : ruleHosts.filter((h) => !tlsHosts.some((t) => tlsHostCovers(t, h)));
  return { tlsHosts, ruleHosts, uncovered };
}

/** In-cluster ingress controllers that terminate TLS themselves, by IngressClass controller and Service labels. */
interface IngressFamily {
  name: string;
  /** `IngressClass.spec.controller` values. */
  controllers: readonly string[];
  /** IngressClass names the project's charts create, for Ingresses whose class object is not in the input. */
  classNames: readonly string[];
  /** Values of `app.kubernetes.io/name` / `app` / `app.kubernetes.io/component` on the controller's Service (or its selector). */
  labels: readonly string[];
  /** Whether plain HTTP is redirected to HTTPS by default for hosts with TLS, and the annotations that turn it off. */
  redirect?: { byDefault: boolean; off: readonly string[]; on: readonly string[] };
}

export const INGRESS_FAMILIES: readonly IngressFamily[] = [
  {
    name: 'ingress-nginx', controllers: ['k8s.io/ingress-nginx'], classNames: ['nginx'], labels: ['ingress-nginx'],
    redirect: { byDefault: true, off: ['nginx.ingress.kubernetes.io/ssl-redirect'], on: ['nginx.ingress.kubernetes.io/force-ssl-redirect'] },
  },
  { name: 'NGINX Ingress Controller (F5)', controllers: ['nginx.org/ingress-controller'], classNames: [], labels: ['nginx-ingress'] },
  { name: 'Traefik', controllers: ['traefik.io/ingress-controller'], classNames: ['traefik'], labels: ['traefik'] },
  { name: 'HAProxy', controllers: ['haproxy.org/ingress-controller', 'haproxy-ingress.github.io/controller'], classNames: ['haproxy'], labels: ['kubernetes-ingress', 'haproxy-ingress'] },
  { name: 'Kong', controllers: ['ingress-controllers.konghq.com/kong', 'konghq.com/ingress-controller'], classNames: ['kong'], labels: ['kong'] },
  { name: 'Contour', controllers: ['projectcontour.io/ingress-controller'], classNames: ['contour'], labels: ['contour'] },
  { name: 'Istio ingress gateway', controllers: ['istio.io/ingress-controller'], classNames: ['istio'], labels: ['istio-ingressgateway', 'ingressgateway'] },
];

/**
 * The ingress-controller family of an Ingress's controller (`k8s.io/ingress-nginx` → ingress-nginx), or
 * of its class name when the IngressClass object is not in the input (`nginx`).
 */
export function familyOfController(controller: string | undefined): IngressFamily | undefined {
  if (!controller) return undefined;
  return INGRESS_FAMILIES.find((f) => f.controllers.some((c) => controller === c || controller.startsWith(`${c}/`)) || (!controller.includes('/') && f.classNames.includes(controller)));
}

/** The ingress-controller family a `LoadBalancer` Service fronts, from its labels or selector. */
export function familyOfService(svc: K8sObject): IngressFamily | undefined {
  const spec = (svc.spec ?? {}) as { selector?: Record<string, string> };
  const values = [svc.metadata.labels, spec.selector].flatMap((m) => [m?.['app.kubernetes.io/name'], m?.app, m?.istio]).filter((v): v is string => typeof v === 'string');
  return INGRESS_FAMILIES.find((f) => values.some((v) => f.labels.includes(v)));
}
