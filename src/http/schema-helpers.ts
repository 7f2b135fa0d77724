import { Type, type TSchema, type TUnsafe } from 'typebox';

/** A string limited to `values`: one plain `enum` keyword, so errors and OpenAPI list the values. */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: Record<string, unknown> = {},
) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

export function Nullable<T extends TSchema>(schema: T, options: Record<string, unknown> = {}) {
  return Type.Union([schema, Type.Null()], options);
}

/** Text that must contain something other than whitespace. */
export function NonBlank(options: { maxLength: number } & Record<string, unknown>): TUnsafe<string> {
  return Type.Unsafe<string>({ type: 'string', minLength: 1, pattern: '\\S', ...options });
}

/** ISO 8601 UTC timestamps with milliseconds, as every Talki timestamp is rendered. */
export const Timestamp = Type.String({ format: 'date-time', examples: ['2024-03-15T14:23:00.000Z'] });

/** The response schema of a 204. */
export const NoContent = Type.Null({ description: 'No content' });
