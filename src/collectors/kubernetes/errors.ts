/**
 * Errors that stop a live Kubernetes collection as a whole (as opposed to per-kind problems, which
 * become evidence gaps). The CLI turns them into one clear message with the fix; `exit` says
 * whether it is a usage problem (bad kubeconfig, missing context: exit code 2) or a failure to
 * collect (unreachable server, rejected credentials, TLS: exit code 3).
 */
export class KubernetesCollectionError extends Error {
  constructor(
    message: string,
    readonly exit: 'usage' | 'collect',
    readonly fix?: string,
    readonly reason: 'config' | 'no-config' | 'network' | 'timeout' | 'tls' | 'unauthenticated' | 'credentials' | 'error' = 'error',
  ) {
    super(message);
    this.name = 'KubernetesCollectionError';
  }
}

/** A request that could not be completed (after retries): no HTTP status to act on. */
export class KubeRequestError extends Error {
  constructor(
    message: string,
    readonly kind: 'network' | 'timeout' | 'tls' | 'credentials',
    readonly code?: string,
  ) {
    super(message);
    this.name = 'KubeRequestError';
  }
}
