import { describe, expect, it } from 'vitest';
import { FILTER_NAMES } from '../../src/query/parse-filters.js';
import { FILTER_PARAMS, filterLink, readState, reportWindow, searchOf } from '../../src/viewer/client/filters.js';

describe("the viewer's URL state", () => {
  it('F01 every filter the page keeps in its URL is one the API takes by the same name', () => {
    expect([...FILTER_NAMES]).toEqual(expect.arrayContaining([...FILTER_PARAMS]));
  });

  it('F02 a URL read and written again is the same query, the one the API is sent', () => {
    const search = 'username=bora&outcome=error&resource=%2Fauthors%2F*&from=24h&userId=u-1&limit=10&cursor=abc';
    const state = readState(`?${search}`);
    expect(state).toEqual({ filters: { username: 'bora', outcome: 'error', resource: '/authors/*', from: '24h', userId: 'u-1' }, cursor: 'abc', limit: '10' });
    expect(new URLSearchParams(searchOf(state)).get('resource')).toBe('/authors/*');
    expect(readState(`?${searchOf(state).toString()}`)).toEqual(state);
    expect(readState('?unknown=1&username=')).toEqual({ filters: {}, cursor: undefined, limit: undefined });
  });

  it('F03 links from a detail are query strings, whatever the recorded value holds', () => {
    expect(filterLink('requestId', 'javascript:alert(1)')).toBe('?requestId=javascript%3Aalert%281%29');
    expect(filterLink('username', '"><img src=x>')).toMatch(/^\?username=[^<>"]+$/);
  });

  it('F04 the chart follows the time filter: presets pick their bucket, anything else a day, none the last 24 h', () => {
    expect(reportWindow({ from: '1h' })).toMatchObject({ since: '1h', bucket: 'minute' });
    expect(reportWindow({ from: '7d' })).toMatchObject({ since: '7d', bucket: 'day' });
    expect(reportWindow({ from: '2026-01-01T00:00:00.000Z' })).toMatchObject({ since: '2026-01-01T00:00:00.000Z', bucket: 'day' });
    expect(reportWindow({})).toMatchObject({ since: '24h', bucket: 'hour' });
  });
});
