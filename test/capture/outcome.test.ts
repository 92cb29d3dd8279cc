import { describe, it, expect } from 'vitest';
import { outcomeOf } from '../../src/capture/outcome.js';

describe('outcomeOf', () => {
  it.each([200, 201, 204, 301, 304, 399])('is success for %i', (status) => {
    expect(outcomeOf(status, {})).toBe('success');
  });

  it('is success when no status is known and nothing failed', () => {
    expect(outcomeOf(undefined, {})).toBe('success');
  });

  it.each([401, 403])('is permission_denied for %i', (status) => {
    expect(outcomeOf(status, {})).toBe('permission_denied');
  });

  it.each([400, 404, 409, 422, 500, 503])('is error for %i', (status) => {
    expect(outcomeOf(status, {})).toBe('error');
  });

  it('is error for a thrown error even with a success status', () => {
    expect(outcomeOf(200, { error: new Error('boom') })).toBe('error');
    expect(outcomeOf(undefined, { error: 'string thrown' })).toBe('error');
  });

  it('counts a thrown null or false as an error: something was thrown', () => {
    expect(outcomeOf(200, { error: null })).toBe('error');
    expect(outcomeOf(200, { error: false })).toBe('error');
  });

  it('is error for an aborted request', () => {
    expect(outcomeOf(200, { aborted: true })).toBe('error');
    expect(outcomeOf(undefined, { aborted: true })).toBe('error');
  });

  it('ignores aborted: false and an explicit undefined error', () => {
    expect(outcomeOf(200, { aborted: false, error: undefined })).toBe('success');
  });

  it('keeps a denial a denial when it also threw or was aborted', () => {
    expect(outcomeOf(403, { error: new Error('forbidden') })).toBe('permission_denied');
    expect(outcomeOf(401, { aborted: true })).toBe('permission_denied');
  });
});
