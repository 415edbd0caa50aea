import { describe, expect, it } from 'vitest';
import { compareKeys, fileNameForKey, listKeys } from '../../src/embedded/s3/index.ts';

describe('key file names', () => {
  it('never leave the bucket folder and never collide', () => {
    const keys = [
      '.',
      '..',
      '../etc/passwd',
      'a/b',
      'a%2Fb',
      '.hidden',
      '%H00',
      'x'.repeat(1024),
      'x'.repeat(1023),
    ];
    const names = keys.map(fileNameForKey);
    expect(new Set(names).size).toBe(keys.length);
    for (const name of names) {
      expect(name).not.toContain('/');
      expect(name.startsWith('.')).toBe(false);
      expect(name.length).toBeLessThanOrEqual(200);
    }
  });
});

describe('S3 listing order and paging', () => {
  it('orders keys by UTF-8 bytes', () => {
    const keys = ['b', 'a\u{1F600}', 'a\uFFFD', 'a', 'A', 'a/'];
    expect([...keys].sort(compareKeys)).toEqual(['A', 'a', 'a/', 'a\uFFFD', 'a\u{1F600}', 'b']);
    const bytewise = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...keys].sort(compareKeys)).toEqual(bytewise);
  });

  it('pages through keys and common prefixes without repeating or skipping any', () => {
    const sorted = ['p', 'p/', 'p/a', 'p/b/1', 'p/b/2', 'p/c', 'q'].sort(compareKeys);
    const seen: string[] = [];
    let after = '';
    for (let page = 0; page < 10; page++) {
      const result = listKeys(sorted, { prefix: 'p/', delimiter: '/', maxKeys: 1, after });
      seen.push(...result.keys, ...result.commonPrefixes);
      if (!result.isTruncated) break;
      after = result.last as string;
    }
    expect(seen).toEqual(['p/', 'p/a', 'p/b/', 'p/c']);
    const whole = listKeys(sorted, { prefix: '', delimiter: '/', maxKeys: 1000, after: '' });
    expect(whole).toMatchObject({ keys: ['p', 'q'], commonPrefixes: ['p/'], isTruncated: false });
  });
});
