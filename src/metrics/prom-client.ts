import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import { AuditTrailError } from '../errors.js';

export type PromClientModule = typeof PromClient;

let loaded: PromClientModule | undefined;

/**
 * prom-client is an optional peer: it is loaded when a metrics route is created, never by importing an
 * adapter. Resolved from this package's location, so the host and the package share one instance.
 */
export function promClient(): PromClientModule {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('prom-client') as PromClientModule;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw error;
    throw new AuditTrailError('peer_missing', 'metricsRoute needs the prom-client package: run `npm install prom-client`.', {
      cause: error,
    });
  }
  return loaded;
}
