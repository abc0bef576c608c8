/**
 * PostgreSQL condition names (Appendix A, "PostgreSQL Error Codes") for the codes a source read or a
 * guarded update meets. A server message can quote a cell (`'sk-…'::regclass` fails with the value in
 * the text), so errors name the SQLSTATE and its condition, never the message.
 */
const CONDITIONS: Record<string, string> = {
  "0A000": "feature not supported",
  "08000": "connection exception",
  "08003": "connection does not exist",
  "08006": "connection failure",
  "21000": "cardinality violation",
  "22001": "string data right truncation",
  "22003": "numeric value out of range",
  "22007": "invalid datetime format",
  "22008": "datetime field overflow",
  "22012": "division by zero",
  "22021": "character not in repertoire",
  "22023": "invalid parameter value",
  "22P02": "invalid text representation",
  "23502": "not null violation",
  "23503": "foreign key violation",
  "23505": "unique violation",
  "23514": "check violation",
  "25006": "read only sql transaction",
  "25P02": "in failed sql transaction",
  "2BP01": "dependent objects still exist",
  "40001": "serialization failure",
  "40P01": "deadlock detected",
  "42501": "insufficient privilege",
  "42601": "syntax error",
  "42602": "invalid name",
  "42703": "undefined column",
  "42704": "undefined object",
  "42725": "ambiguous function",
  "42803": "grouping error",
  "42804": "datatype mismatch",
  "42809": "wrong object type",
  "42883": "undefined function",
  "42P01": "undefined table",
  "42P02": "undefined parameter",
  "42P18": "indeterminate datatype",
  "53100": "disk full",
  "53200": "out of memory",
  "54000": "program limit exceeded",
  "55P03": "lock not available",
  "57014": "query canceled",
  "57P01": "admin shutdown",
  "57P02": "crash shutdown",
  "57P03": "cannot connect now",
};

const CLASSES: Record<string, string> = {
  "08": "connection exception",
  "0A": "feature not supported",
  "22": "data exception",
  "23": "integrity constraint violation",
  "25": "invalid transaction state",
  "2B": "dependent privilege descriptors still exist",
  "40": "transaction rollback",
  "42": "syntax error or access rule violation",
  "53": "insufficient resources",
  "54": "program limit exceeded",
  "55": "object not in prerequisite state",
  "57": "operator intervention",
  XX: "internal error",
};

/** `SQLSTATE 42P01 (undefined table)`: what a PostgreSQL error may say about itself without its message. */
export function describeSqlstate(code: string): string {
  const name = CONDITIONS[code] ?? CLASSES[code.slice(0, 2)];
  return `SQLSTATE ${code}${name ? ` (${name})` : ""}`;
}
