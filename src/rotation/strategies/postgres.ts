import { CliError, ExitCode, usageError } from "../../core/errors.js";
import { checkIdentifier } from "../../sources/sql-identifiers.js";
import { type Admin, canLogin, connectAdmin, roleCanLogin, setPassword, tryLogin, whereOf } from "./postgres-sql.js";
import type { Strategy, StrategyOptions } from "./types.js";

export interface PostgresEffects {
  readonly randomBytes: (size: number) => Buffer;
}

export function adminHolder(url: string) {
  let admin: Admin | undefined;
  return {
    async open(): Promise<Admin> {
      admin ??= await connectAdmin(url);
      return admin;
    },
    get(): Admin {
      if (!admin) throw new Error("postgres strategy used before prepare()");
      return admin;
    },
    async close(): Promise<void> {
      await admin?.client.end().catch(() => {});
      admin = undefined;
    },
  };
}

export function requireDbAndRole(options: StrategyOptions, strategy: string): { db: string; role: string } {
  if (!options.db || !options.role) throw usageError("BAD_OPTION", `--strategy ${strategy} needs --db <admin-url> and --role <role>`);
  return { db: options.db, role: checkIdentifier(options.role, "--role") };
}

export async function requireLoginRole(admin: Admin, role: string): Promise<void> {
  const canLogin = await roleCanLogin(admin, role);
  if (canLogin === undefined) throw usageError("ROLE_NOT_FOUND", `role ${role} does not exist on ${whereOf(admin)}`, "check --role and --db");
  if (!canLogin)
    throw new CliError("ROLE_CANNOT_LOGIN", `role ${role} cannot log in (NOLOGIN)`, { exitCode: ExitCode.usage, hint: "rotate the password of a login role" });
}

/** The old password stops working at once; `undo` sets the role back to the secret's current value, also after a crash. */
export function postgresStrategy(options: StrategyOptions, effects: PostgresEffects): Strategy {
  const { db, role } = requireDbAndRole(options, "postgres");
  const admin = adminHolder(db);
  return {
    name: "postgres",
    defaultGenerator: "alnum:40",
    settings: { role },
    undoes: `the password of role ${role}`,
    checkGenerator: () => {},
    async prepare() {
      await requireLoginRole(await admin.open(), role);
    },
    pendingValue: (generated) => generated,
    set: (pending) => setPassword(admin.get(), role, pending, effects.randomBytes(16)),
    test: (pending) => tryLogin(admin.get(), role, pending),
    async undo(_pending, ctx) {
      // A refused ALTER ROLE changed nothing; only set the password back when the old one stopped working.
      if (!(await canLogin(admin.get(), role, ctx.current.value))) await setPassword(admin.get(), role, ctx.current.value, effects.randomBytes(16));
    },
    notes: () => ({ strategy: "postgres", role, db: whereOf(admin.get()) }),
    close: () => admin.close(),
  };
}
