import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BatchDigest, canonicalLine } from '../../src/integrity/canonical.js';
import { GENESIS_HASH, linkHash } from '../../src/integrity/chain.js';
import { CheckpointSchedule, signatureHolds, signCheckpoint } from '../../src/integrity/checkpoint.js';
import { resolveIntegrity } from '../../src/integrity/options.js';
import { AuditTrailError } from '../../src/errors.js';
import { KEYS, PRIVATE_PEM } from './support.js';

describe('integrity options', () => {
  it('O01 the chain is on by default, unsigned, and with true or options; off with false; a key is kept as PKCS#8 PEM', () => {
    expect(resolveIntegrity(undefined)).toMatchObject({ signingKeyPem: undefined, checkpointEvery: { batches: 1000, seconds: 60 } });
    expect(resolveIntegrity(false)).toBe(false);
    expect(resolveIntegrity(true)).toEqual(resolveIntegrity(undefined));
    expect(resolveIntegrity({ signingKey: KEYS.privateKey })).toMatchObject({ signingKeyPem: PRIVATE_PEM });
    expect(resolveIntegrity({ signingKey: PRIVATE_PEM, checkpointEvery: { seconds: 5 } })).toMatchObject({ checkpointEvery: { batches: 1000, seconds: 5 } });
  });

  it('O02 refuses a key that is not Ed25519 private, a misspelled option and a bad interval, with the fix in the message', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const code = (work: () => unknown) => {
      try {
        work();
      } catch (error) {
        return [(error as AuditTrailError).code, (error as Error).message];
      }
      return undefined;
    };
    expect(code(() => resolveIntegrity({ signingKey: rsa.privateKey }))).toEqual([
      'invalid_option',
      expect.stringMatching(/Ed25519 private key; got a rsa private key.*openssl genpkey -algorithm ed25519/),
    ]);
    expect(code(() => resolveIntegrity({ signingKey: KEYS.publicKey }))).toEqual(['invalid_option', expect.stringMatching(/Ed25519 private key; got a ed25519 public key/)]);
    expect(code(() => resolveIntegrity({ signingKey: 'not a key' }))).toEqual(['invalid_option', 'integrity.signingKey is not a private key in PEM form (or a KeyObject).']);
    expect(code(() => resolveIntegrity({ signinKey: PRIVATE_PEM } as never))).toEqual(['invalid_option', expect.stringMatching(/did you mean integrity.signingKey/)]);
    expect(code(() => resolveIntegrity(null as never))).toEqual(['invalid_option', expect.stringMatching(/^integrity must be true, false or an object/)]);
    expect(code(() => resolveIntegrity('on' as never))).toEqual(['invalid_option', expect.stringMatching(/^integrity must be true, false or an object/)]);
    expect(code(() => resolveIntegrity({ checkpointEvery: { batches: 0 } }))).toEqual([
      'invalid_option',
      expect.stringMatching(/checkpointEvery.batches must be a positive number/),
    ]);
  });
});

describe('canonical form, links and checkpoints', () => {
  it('O03 a row is the JSON array of its text values; the digest and link hash follow the documented recipe', () => {
    expect(canonicalLine(['1', '2026-01-02T03:04:05.678000Z', null, 'a "b"'])).toBe('["1","2026-01-02T03:04:05.678000Z",null,"a \\"b\\""]\n');
    const digest = new BatchDigest();
    digest.add(['1', null]);
    digest.add(['2', 'x']);
    expect(digest.count).toBe(2);
    const hex = digest.hex();
    expect(hex).toMatch(/^[0-9a-f]{64}$/);
    expect(linkHash(GENESIS_HASH, 1, 2, hex, 'user_actions')).not.toBe(linkHash(GENESIS_HASH, 1, 3, hex, 'user_actions'));
    // A change batch's link names its table: the same rows' link cannot pass for the other table's.
    expect(linkHash(GENESIS_HASH, 1, 2, hex, 'user_action_changes')).not.toBe(linkHash(GENESIS_HASH, 1, 2, hex, 'user_actions'));
  });

  it('O04 a checkpoint verifies with the public key only, and not once any field changes', () => {
    const checkpoint = signCheckpoint(7, 'ab'.repeat(32), KEYS.privateKey, new Date('2026-01-01T00:00:00Z'));
    expect(signatureHolds(checkpoint, KEYS.publicKey)).toBe(true);
    expect(signatureHolds({ ...checkpoint, seq: 8 }, KEYS.publicKey)).toBe(false);
    expect(signatureHolds({ ...checkpoint, hash: 'cd'.repeat(32) }, KEYS.publicKey)).toBe(false);
    expect(signatureHolds(checkpoint, generateKeyPairSync('ed25519').publicKey)).toBe(false);
    expect(signatureHolds({ ...checkpoint, signature: null }, KEYS.publicKey)).toBe(false);
  });

  it('O05 a checkpoint is due every N batches or S seconds, whichever comes first', () => {
    const schedule = new CheckpointSchedule({ batches: 3, seconds: 10 }, 0);
    expect([schedule.due(1), schedule.due(2), schedule.due(3)]).toEqual([false, false, true]);
    expect([schedule.due(4), schedule.due(10_004)]).toEqual([false, true]);
  });
});
