import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import pg from "pg";
import { CliError, ExitCode, unreachableError } from "../../core/errors.js";
import { checkIdentifier, quoteIdent } from "../../sources/sql-identifiers.js";
import { pgSaslprep } from "./saslprep.js";

export interface Admin {
  readonly client: pg.Client;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly ssl: pg.ClientConfig["ssl"];
}

/** Recorded on the secret so `cleanup --db` can check it points at the same server. No credentials. */
export const whereOf = (a: Pick<Admin, "host" | "port" | "database">) => `${a.host}:${a.port}/${a.database}`;

export async function connectAdmin(url: string): Promise<Admin> {
  const client = new pg.Client({ connectionString: url, application_name: "secretshift" });
  client.on("error", () => {});
  const admin = { client, host: client.host, port: client.port, database: client.database ?? "", ssl: client.ssl as pg.ClientConfig["ssl"] };
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw unreachableError(
      "DB_UNREACHABLE",
      `cannot connect to ${whereOf(admin)} with --db: ${messageOf(e)}`,
      "check the admin URL (user, password, host, database)",
    );
  }
  return admin;
}

export async function roleCanLogin(admin: Admin, role: string): Promise<boolean | undefined> {
  const rows = (await admin.client.query<{ rolcanlogin: boolean }>("SELECT rolcanlogin FROM pg_roles WHERE rolname = $1", [role])).rows;
  return rows[0]?.rolcanlogin;
}

/**
 * With a SCRAM-SHA-256 verifier computed here, so the server, its statement log and the wire never
 * see the password. `resetExpiry` undoes an earlier `cleanup` (VALID UNTIL in the past).
 */
export async function setPassword(admin: Admin, role: string, password: string, salt: Buffer, resetExpiry = false): Promise<void> {
  if (password.includes("\0")) throw new CliError("BAD_VALUE", "a PostgreSQL password cannot contain a NUL character", { exitCode: ExitCode.failed });
  const sql = `ALTER ROLE ${ident(role)} WITH PASSWORD ${literal(scramVerifier(password, salt))}${resetExpiry ? " VALID UNTIL 'infinity'" : ""}`;
  await run(admin, sql, `ALTER ROLE ${role}`);
}

export const clearPassword = (admin: Admin, role: string) => run(admin, `ALTER ROLE ${ident(role)} WITH PASSWORD NULL`, `ALTER ROLE ${role}`);

export const expireRole = (admin: Admin, role: string, at: Date) =>
  run(admin, `ALTER ROLE ${ident(role)} VALID UNTIL ${literal(at.toISOString())}`, `ALTER ROLE ${role} VALID UNTIL`);

/** A login role that is a member of the original, so it has its grants. */
export async function createClone(admin: Admin, role: string, clone: string): Promise<void> {
  if ((await roleCanLogin(admin, clone)) !== undefined) return;
  await run(admin, `CREATE ROLE ${ident(clone)} LOGIN`, `CREATE ROLE ${clone}`);
  await run(admin, `GRANT ${ident(role)} TO ${ident(clone)}`, `GRANT ${role} TO ${clone}`);
}

export const canLogin = (admin: Admin, role: string, password: string): Promise<boolean> =>
  tryLogin(admin, role, password).then(
    () => true,
    () => false,
  );

/** By SCRAM or MD5 only: a server asking for the password in cleartext is refused before pg sends it. */
export async function tryLogin(admin: Admin, role: string, password: string): Promise<void> {
  let cleartext = false;
  const client = new pg.Client({
    host: admin.host,
    port: admin.port,
    database: admin.database,
    ssl: admin.ssl,
    user: role,
    // pg asks for the password once the server names a method; the listener below has heard which by then.
    password: async () => {
      if (cleartext) throw new Error("the server asked for the password in cleartext (pg_hba.conf method `password`); secretshift never sends one");
      return password;
    },
    application_name: "secretshift-test",
  });
  (client as unknown as { connection: NodeJS.EventEmitter }).connection.once("authenticationCleartextPassword", () => {
    cleartext = true;
  });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (e) {
    throw new CliError("LOGIN_FAILED", `logging in as ${role} on ${whereOf(admin)} with the new password failed: ${messageOf(e, password)}`, {
      exitCode: ExitCode.failed,
    });
  } finally {
    await client.end().catch(() => {});
  }
}

/** As PostgreSQL stores it (RFC 5802/7677), over the SASLprep-ed password or its raw bytes where that fails. */
export function scramVerifier(password: string, salt: Buffer, iterations = 4096): string {
  const salted = pbkdf2Sync(Buffer.from(pgSaslprep(password) ?? password, "utf8"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

const ident = (role: string) => quoteIdent(checkIdentifier(role, "role"));

/** For a verifier or a date, never a password. */
const literal = (text: string): string => `E'${text.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;

async function run(admin: Admin, sql: string, what: string): Promise<void> {
  try {
    await admin.client.query(sql);
  } catch (e) {
    throw new CliError("ALTER_ROLE_FAILED", `${what} was refused: ${messageOf(e)}`, {
      exitCode: ExitCode.failed,
      hint: "the --db user needs CREATEROLE (or superuser) on that server",
    });
  }
}

/** Never with the password, should a driver ever echo it. */
function messageOf(e: unknown, secret?: string): string {
  const text = e instanceof Error ? e.message : String(e);
  return secret ? text.replaceAll(secret, "[redacted]") : text;
}

/** Without connecting (pg resolves PG* variables the same way). */
export function whereOfUrl(url: string): string {
  const client = new pg.Client({ connectionString: url });
  return whereOf({ host: client.host, port: client.port, database: client.database ?? "" });
}
