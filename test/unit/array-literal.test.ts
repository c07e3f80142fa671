import { describe, expect, it } from 'vitest';
import { intArray, nullableIntArray, textArray } from '../../src/db/array-literal.ts';

describe('array literals', () => {
  it('writes whole numbers as they are', () => {
    expect(intArray([])).toBe('{}');
    expect(intArray([1, -2, 30])).toBe('{1,-2,30}');
    expect(nullableIntArray([4, null, 5])).toBe('{4,NULL,5}');
  });

  it('leaves plain texts bare and quotes separators, braces, spaces, the word NULL and the empty text', () => {
    expect(textArray(['Energy.Active.Import.Register', 'L1-N', '12.5'])).toBe('{Energy.Active.Import.Register,L1-N,12.5}');
    expect(textArray(['a,b', '{c}', ' d ', 'NULL', 'null', ''])).toBe('{"a,b","{c}"," d ","NULL","null",""}');
  });

  it('nests: a literal as an element is quoted, and escaped only where it holds quotes', () => {
    expect(textArray([textArray(['a', null]), textArray(['b c'])])).toBe('{"{a,NULL}","{\\"b c\\"}"}');
  });

  it('escapes quotes and backslashes, and writes null as NULL', () => {
    expect(textArray(['say "hi"', 'C:\\x', null])).toBe('{"say \\"hi\\"","C:\\\\x",NULL}');
  });
});
