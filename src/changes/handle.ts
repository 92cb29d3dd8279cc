import type { Sequelize } from 'sequelize';
import type { RequestCapture } from '../capture/request-capture.js';
import { runAs } from '../context.js';
import type { AuditTrail } from '../trail.js';
import { trackChanges, type TrackChangesOptions } from './track-changes.js';

/** What the audit middleware offers for model changes. */
export interface ChangesHandle {
  /** Records every committed write through the host's models, tied to the request that made it (docs/changes.md). */
  trackChanges(sequelize: Sequelize, options?: TrackChangesOptions): void;
  /** Runs `fn` (a job, a script) with `user` as the actor of its changes; outside requests and runAs it is `system`. */
  runAs<T>(user: unknown, fn: () => T): T;
}

export function changesHandle(trail: AuditTrail, capture: RequestCapture): ChangesHandle {
  return {
    trackChanges: (sequelize, options = {}) => trackChanges(sequelize, options, { trail, sanitize: capture.sanitizer }),
    runAs,
  };
}
