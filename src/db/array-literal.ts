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

const NEEDS_QUOTE_ESCAPE = /["\\]/;

/** Texts, each double-quoted (so NULL, braces, commas and spaces stay texts); null → NULL. */
export function textArray(values: ReadonlyArray<string | null>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else out += `"${NEEDS_QUOTE_ESCAPE.test(v) ? v.replace(/["\\]/g, '\\$&') : v}"`;
  }
  return `${out}}`;
}
