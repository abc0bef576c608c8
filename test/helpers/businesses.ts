import type Database from "better-sqlite3";

/**
 * The `businesses` scenario of issue 5: 8 secret columns × 200 rows whose cells cover NULL, empty,
 * quotes, newlines (LF and CRLF), unicode, `$$`, backslashes and padding. Shared by the source tests
 * and the command tests so both exercise exactly the same data.
 */
export const SECRET_COLUMNS = [
  "gemini_api_key",
  "claude_api_key",
  "youtube_api_key",
  "whatsapp_api_key",
  "google_refresh_token",
  "openai_api_key",
  "stripe_secret_key",
  "slack_bot_token",
];
export const ROWS = 200;

/** NULL, empty, quotes, newlines, unicode, `$$`, backslashes, padding, or a plain key, by position. */
export function cellValue(row: number, col: number): string | null {
  switch ((row * 3 + col) % 11) {
    case 0:
      return null;
    case 1:
      return "";
    case 2:
      return `it's a "quoted" key ${row}`;
    case 3:
      return `line one ${row}\nline two\r\nline three`;
    case 4:
      return `ключ-🔑-秘密-${row}-ü`;
    case 5:
      return `$$ dollar $$ body $1 ${row}`;
    case 6:
      return `C:\\path\\n ${row} \\\\`;
    case 7:
      return `  padded ${row}  `;
    default:
      return `sk-${row}-${col}-${(row * 7919 + col * 104729).toString(36)}`;
  }
}

/** What a source must yield: `row/column` → value, for non-null, non-empty cells only. */
export function expectedCells(rows = ROWS): Map<string, string> {
  const cells = new Map<string, string>();
  for (let row = 1; row <= rows; row++) {
    SECRET_COLUMNS.forEach((column, col) => {
      const value = cellValue(row, col);
      if (value) cells.set(`${row}/${column}`, value);
    });
  }
  return cells;
}

/** `[id, name, ...secret cells]` for every row. */
export function businessesRows(rows = ROWS): (number | string | null)[][] {
  return Array.from({ length: rows }, (_, i) => [i + 1, `Business ${i + 1}`, ...SECRET_COLUMNS.map((_, col) => cellValue(i + 1, col))]);
}

export const createBusinessesSql = (table = "businesses", textType = "text") =>
  `CREATE TABLE ${table} (id integer PRIMARY KEY, name ${textType} NOT NULL, ${SECRET_COLUMNS.map((c) => `${c} ${textType}`).join(", ")})`;

/** Creates and fills the table through a PostgreSQL query function (one multi-row INSERT). */
export async function seedPostgres(query: (sql: string, params?: unknown[]) => Promise<unknown>, table = "businesses", rows = ROWS): Promise<void> {
  await query(createBusinessesSql(table));
  const params: unknown[] = [];
  const tuples = businessesRows(rows).map((values) => `(${values.map((v) => `$${params.push(v)}`).join(", ")})`);
  await query(`INSERT INTO ${table} VALUES ${tuples.join(", ")}`, params);
}

/** Creates and fills the table on an open SQLite connection, in one transaction. */
export function seedSqlite(db: Database.Database, table = "businesses", rows = ROWS): void {
  db.exec(createBusinessesSql(table, "TEXT"));
  const insert = db.prepare(`INSERT INTO ${table} VALUES (${["?", "?", ...SECRET_COLUMNS.map(() => "?")].join(", ")})`);
  db.transaction(() => {
    for (const values of businessesRows(rows)) insert.run(...values);
  })();
}
