import { CliError, ExitCode } from "../../core/errors.js";
import { checkIdentifier } from "../../sources/sql-identifiers.js";
import { adminHolder, type PostgresEffects, requireDbAndRole, requireLoginRole } from "./postgres.js";
import { canLogin, clearPassword, createClone, setPassword, tryLogin, whereOf } from "./postgres-sql.js";
import type { Strategy, StrategyContext, StrategyOptions } from "./types.js";

interface Credentials {
  username: string;
  password: string;
}

/**
 * `<role>` and `<role>_clone` (a member, so it has its grants): each rotation sets the role not in
 * use and flips the secret to it, so old clients keep working until `cleanup` expires their role.
 */
export function postgresAlternatingStrategy(options: StrategyOptions, effects: PostgresEffects): Strategy {
  const { db, role } = requireDbAndRole(options, "postgres-alternating");
  const clone = checkIdentifier(`${role}_clone`, "--role (with _clone added)");
  const admin = adminHolder(db);
  const parse = (value: string): Credentials => parseCredentials(value, role, clone);
  const other = (ctx: StrategyContext) => (parse(ctx.current.value).username === role ? clone : role);
  return {
    name: "postgres-alternating",
    defaultGenerator: "alnum:40",
    settings: { role },
    undoes: `the password of the role not in use (${role} or ${clone})`,
    checkGenerator: () => {},
    async prepare(ctx) {
      parse(ctx.current.value);
      await requireLoginRole(await admin.open(), role);
    },
    pendingValue: (generated, ctx) => JSON.stringify({ username: other(ctx), password: generated }),
    async set(pending) {
      const next = parse(pending);
      if (next.username === clone) await createClone(admin.get(), role, clone);
      // VALID UNTIL 'infinity': cleanup may have expired this role at the end of its last grace period.
      await setPassword(admin.get(), next.username, next.password, effects.randomBytes(16), true);
    },
    async test(pending) {
      const next = parse(pending);
      await tryLogin(admin.get(), next.username, next.password);
    },
    async undo(pending, ctx) {
      const next = parse(pending);
      const before = ctx.previous ? parse(ctx.previous.value) : undefined;
      // The role not in use held the previous credentials, if any; otherwise nobody holds a password for it.
      if (before?.username === next.username) {
        if (!(await canLogin(admin.get(), next.username, before.password)))
          await setPassword(admin.get(), next.username, before.password, effects.randomBytes(16), true);
      } else if (await canLogin(admin.get(), next.username, next.password)) await clearPassword(admin.get(), next.username);
    },
    notes: (_pending, ctx) => ({ strategy: "postgres-alternating", role, "expire-role": parse(ctx.current.value).username, db: whereOf(admin.get()) }),
    close: () => admin.close(),
  };
}

export function parseCredentials(value: string, role: string, clone: string): Credentials {
  if (!value.trimStart().startsWith("{")) return { username: role, password: value };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw shapeError(role, clone);
  }
  const { username, password } = (parsed ?? {}) as Partial<Credentials>;
  if (typeof username !== "string" || typeof password !== "string" || (username !== role && username !== clone)) throw shapeError(role, clone);
  return { username, password };
}

const shapeError = (role: string, clone: string) =>
  new CliError("BAD_CREDENTIALS", `the secret is not {"username","password"} JSON for ${role} or ${clone}`, {
    exitCode: ExitCode.usage,
    hint: "store the password alone, or JSON with username and password, before the first alternating rotation",
  });
