import { describe, expect, it } from 'vitest';
import { csvField, csvLine } from '../../src/query/csv.js';

describe('csv', () => {
  it('C01 neutralizes text a spreadsheet would run as a formula with a leading quote', () => {
    for (const formula of ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1', "=cmd|' /C calc'!A0"]) {
      expect(csvField(formula).replace(/^"|"$/g, '').replaceAll('""', '"')).toBe(`'${formula}`);
    }
    expect(csvField('=HYPERLINK("http://evil.example","x")')).toBe('"\'=HYPERLINK(""http://evil.example"",""x"")"');
  });

  it('C02 leaves ordinary text, numbers and JSON alone, quoting only what RFC 4180 needs', () => {
    expect(csvLine(['/authors/1', 200, null, undefined, new Date('2026-01-02T03:04:05.678Z'), ['a', 'b'], { route: '/x' }, 'a,b', 'line\nbreak', 'say "hi"'])).toBe(
      '/authors/1,200,,,2026-01-02T03:04:05.678Z,"[""a"",""b""]","{""route"":""/x""}","a,b","line\nbreak","say ""hi"""\r\n',
    );
    expect(csvField(-5)).toBe('-5'); // a number is data, not a formula
    expect(csvField('a=b')).toBe('a=b');
  });
});
