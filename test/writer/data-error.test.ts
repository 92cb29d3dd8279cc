import { describe, expect, it } from 'vitest';
import { isDataError } from '../../src/writer/data-error.js';

describe('isDataError', () => {
  it.each([
    ['a PostgreSQL data exception (22001, value too long)', { code: '22001' }],
    ['a PostgreSQL integrity violation wrapped by Sequelize (23502)', { original: { code: '23502' } }],
    ['an unsupported JSONB escape (22P05)', { code: '22P05' }],
    ['a SQLite constraint', { original: { code: 'SQLITE_CONSTRAINT' } }],
    ['our own serialization failing', new TypeError('Do not know how to serialize a BigInt')],
  ])('is true for %s', (_, error) => expect(isDataError(error)).toBe(true));

  it.each([
    ['a refused connection', { original: { code: 'ECONNREFUSED' } }],
    ['a reset connection', Object.assign(new Error('Connection terminated unexpectedly'), {})],
    ['an administrator shutdown (57P01)', { code: '57P01' }],
    ['a connection exception (08006)', { code: '08006' }],
    ['a missing table (42P01): worth retrying once an operator fixes it', { code: '42P01' }],
    ['nothing at all', undefined],
  ])('is false for %s', (_, error) => expect(isDataError(error)).toBe(false));
});
