import { describe, expect, it } from 'vitest';
import { intArray, nullableIntArray, textArray } from '../../src/db/array-literal.ts';

describe('array literals', () => {
  it('writes whole numbers as they are', () => {
    expect(intArray([])).toBe('{}');
    expect(intArray([1, -2, 30])).toBe('{1,-2,30}');
    expect(nullableIntArray([4, null, 5])).toBe('{4,NULL,5}');
  });

  it('quotes every text, so separators, braces, spaces and the word NULL stay texts', () => {
    expect(textArray(['a,b', '{c}', ' d ', 'NULL', ''])).toBe('{"a,b","{c}"," d ","NULL",""}');
  });

  it('escapes quotes and backslashes, and writes null as NULL', () => {
    expect(textArray(['say "hi"', 'C:\\x', null])).toBe('{"say \\"hi\\"","C:\\\\x",NULL}');
  });
});
