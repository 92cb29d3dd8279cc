import { describe, expect, it } from 'vitest';
import { compileKeyMatcher } from '../../src/capture/key-matcher.js';
import { DEFAULT_SENSITIVE_KEYS } from '../../src/capture/sensitive-keys.js';
import { compileTextRedactor } from '../../src/capture/text-secrets.js';

const listed = compileKeyMatcher(DEFAULT_SENSITIVE_KEYS);
const redact = compileTextRedactor((name) => listed(name, []));

describe('compileTextRedactor', () => {
  it.each([
    ['connect ECONNREFUSED postgres://app:SUPERSECRET4@127.0.0.1:5432/db', 'connect ECONNREFUSED postgres://app:[REDACTED]@127.0.0.1:5432/db'],
    ['GET https://api.example/x?access_token=abc123&page=2 failed', 'GET https://api.example/x?access_token=[REDACTED]&page=2 failed'],
    ['token=abc123', 'token=[REDACTED]'],
    ['upstream said: password=hunter2, user=ada', 'upstream said: password=[REDACTED], user=ada'],
    ['/download?X-Amz-Signature=0a1b2c3d&X-Amz-Date=20260101', '/download?X-Amz-Signature=[REDACTED]&X-Amz-Date=20260101'],
    ['/files;session_id=S3SS10N', '/files;session_id=[REDACTED]'],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln rejected', 'Authorization: Bearer [REDACTED] rejected'],
    ['bearer abcdefgh12345678==', 'bearer [REDACTED]'],
  ])('redacts %s', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it.each([
    'cannot read properties of undefined',
    'bearer token missing',
    'author=ada classname=x code=E42',
    'mailto:ada@example.org',
    'https://api.example/x?page=2',
    '/authors/311',
  ])('leaves %s as it is', (text) => {
    expect(redact(text)).toBe(text);
  });
});
