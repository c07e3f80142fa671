import type { ColumnType } from 'kysely';

// Column types as kysely sees them through CamelCasePlugin (snake_case in SQL, camelCase here).
// numeric columns come back as strings so decimals stay exact; bigint/int8 as numbers.

export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type Numeric = ColumnType<string, string | number, string | number>;
/** jsonb: written as JSON text, read back parsed. */
export type Json = ColumnType<unknown, string, string>;
/** numeric with a column default: optional on insert. */
export type DefaultNumeric = ColumnType<string, string | number | undefined, string | number>;
/** jsonb with a column default: optional on insert. */
export type DefaultJson = ColumnType<unknown, string | undefined, string>;
