// PostgreSQL array literals (`{…}`) built here for the bulk writes that pass one array per column
// (`insert … select from unnest(…)`). The driver escapes an array parameter element by element with
// two regex replaces each; these cost one test per text and nothing per number. Pass them as text and
// cast in SQL (`${literal}::text::int8[]`): the statement then has one text parameter per column on
// PostgreSQL and PGlite alike.

/** Whole numbers (never null). */
export const intArray = (values: readonly number[]): string => `{${values.join(',')}}`;

/** Whole numbers, null → NULL. */
export function nullableIntArray(values: ReadonlyArray<number | null>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    out += v === null || v === undefined ? 'NULL' : String(v);
  }
  return `${out}}`;
}

// An element is double-quoted only when it must be: empty, the word NULL, or holding what the
// literal's own syntax uses (braces, comma, double quote, backslash, white space). So the literal of
// a reading's values ({Voltage,SoC}) is itself an element without escapes.
const NEEDS_QUOTES = /^$|^null$|[\s"\\{},]/i;
const NEEDS_ESCAPE = /["\\]/;

/** Texts, null → NULL. */
export function textArray(values: ReadonlyArray<string | null>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else if (!NEEDS_QUOTES.test(v)) out += v;
    else out += `"${NEEDS_ESCAPE.test(v) ? v.replace(/["\\]/g, '\\$&') : v}"`;
  }
  return `${out}}`;
}
