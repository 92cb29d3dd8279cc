import { createPrivateKey, KeyObject } from 'node:crypto';
import { AuditTrailError } from '../errors.js';
import { optionNames, requireKnownOptions } from '../option-keys.js';
import type { Checkpoint } from './checkpoint.js';

export interface IntegrityOptions {
  /** An Ed25519 private key (PEM text, or a KeyObject): the writer signs the chain's head with it. */
  signingKey?: string | Buffer | KeyObject;
  /** Sign the head every so many batches or seconds, whichever comes first. Default: 1,000 batches, 60 seconds. */
  checkpointEvery?: { batches?: number; seconds?: number };
  /** Told of every signed checkpoint, to ship it outside the database. An error it throws is logged, never raised. */
  onCheckpoint?: (checkpoint: Checkpoint) => void;
}

export interface IntegrityConfig {
  /** The signing key as PKCS#8 PEM: text crosses to the writer thread as it is. */
  readonly signingKeyPem: string | undefined;
  readonly checkpointEvery: { readonly batches: number; readonly seconds: number };
  readonly onCheckpoint: ((checkpoint: Checkpoint) => void) | undefined;
}

const INTEGRITY_DEFAULTS = Object.freeze({ checkpointEvery: Object.freeze({ batches: 1_000, seconds: 60 }) });

const OPTIONS = optionNames<IntegrityOptions>({ signingKey: true, checkpointEvery: true, onCheckpoint: true });
const EVERY = optionNames<NonNullable<IntegrityOptions['checkpointEvery']>>({ batches: true, seconds: true });

/** The chain is on unless `integrity: false`; options set its signing and checkpoints. */
export function resolveIntegrity(options: IntegrityOptions | boolean | undefined): IntegrityConfig | false {
  if (options === false) return false;
  if (options !== undefined && options !== true && (typeof options !== 'object' || options === null)) {
    throw new AuditTrailError('invalid_option', `integrity must be true, false or an object such as { signingKey }; got ${String(options)}.`);
  }
  const given = typeof options === 'object' ? options : {};
  requireKnownOptions(given, OPTIONS, 'integrity.');
  requireKnownOptions(given.checkpointEvery ?? {}, EVERY, 'integrity.checkpointEvery.');
  const batches = given.checkpointEvery?.batches ?? INTEGRITY_DEFAULTS.checkpointEvery.batches;
  const seconds = given.checkpointEvery?.seconds ?? INTEGRITY_DEFAULTS.checkpointEvery.seconds;
  for (const [name, value] of [
    ['batches', batches],
    ['seconds', seconds],
  ] as const) {
    if (!(Number.isFinite(value) && value > 0)) {
      throw new AuditTrailError('invalid_option', `integrity.checkpointEvery.${name} must be a positive number; got ${String(value)}.`);
    }
  }
  if (given.onCheckpoint !== undefined && typeof given.onCheckpoint !== 'function') {
    throw new AuditTrailError('invalid_option', 'integrity.onCheckpoint must be a function that takes a checkpoint.');
  }
  return Object.freeze({
    signingKeyPem: given.signingKey === undefined ? undefined : signingKeyPem(given.signingKey),
    checkpointEvery: Object.freeze({ batches, seconds }),
    onCheckpoint: given.onCheckpoint,
  });
}

/** The key as PKCS#8 PEM, refused unless it is an Ed25519 private key. */
export function signingKeyPem(key: string | Buffer | KeyObject): string {
  let privateKey: KeyObject;
  try {
    privateKey = key instanceof KeyObject ? key : createPrivateKey(key);
  } catch (error) {
    // The key's text never goes into the message.
    throw new AuditTrailError('invalid_option', 'integrity.signingKey is not a private key in PEM form (or a KeyObject).', { cause: error });
  }
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new AuditTrailError(
      'invalid_option',
      `integrity.signingKey must be an Ed25519 private key; got a ${privateKey.asymmetricKeyType ?? 'symmetric'} ${privateKey.type} key. Make one with: openssl genpkey -algorithm ed25519`,
    );
  }
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}
