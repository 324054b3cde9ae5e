import { describe, expect, it } from 'vitest';
import { asJson, asText, defaultMode, hexDump, toBytes } from './payload';

describe('payload', () => {
  it('decodes base64 and text to the same bytes', () => {
    expect(Array.from(toBytes('AP8=', 'base64'))).toEqual([0, 255]);
    expect(Array.from(toBytes('hé', 'text'))).toEqual([0x68, 0xc3, 0xa9]);
    expect(toBytes(null, 'text').length).toBe(0);
  });

  it('recognises UTF-8 text and JSON', () => {
    expect(asText(new Uint8Array([0xff]))).toBeNull();
    expect(asText(toBytes('grüße', 'text'))).toBe('grüße');
    expect(asJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(asJson('hello')).toBeNull();
    expect(asJson('{broken')).toBeNull();
  });

  it('dumps hex with offsets and ASCII', () => {
    const dump = hexDump(toBytes('ABCDEFGHIJKLMNOPQ', 'text'));
    const lines = dump.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^00000000 {2}41 42 43 .* 50 {2}ABCDEFGHIJKLMNOP$/);
    expect(lines[1]).toMatch(/^00000010 {2}51 +Q$/);
    expect(hexDump(new Uint8Array([0, 0x7f]))).toContain('..');
  });

  it('opens JSON as JSON, text as text, binary as hex', () => {
    expect(defaultMode(toBytes('[1,2]', 'text'))).toBe('json');
    expect(defaultMode(toBytes('plain words', 'text'))).toBe('text');
    expect(defaultMode(toBytes('AP8=', 'base64'))).toBe('hex');
  });
});
