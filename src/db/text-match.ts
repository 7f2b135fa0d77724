import { sql, type RawBuilder } from 'kysely';

/** The user's text as a LIKE pattern matching it literally anywhere ('\' escapes % and _). */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Case-insensitive substring match, identical on SQLite and PostgreSQL (LIKE is
 * case-insensitive only on SQLite, and neither escapes wildcards by default).
 */
export function containsText(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`lower(${sql.ref(column)}) like ${containsPattern(text)} escape '\\'`;
}
