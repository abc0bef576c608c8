import { randomBytes } from "node:crypto";
import { fail, ok, type Reply } from "./vault-http.js";

export interface TokenEntry {
  readonly id: string;
  readonly accessor: string;
  readonly policies: readonly string[];
  readonly path: string;
  readonly meta: Record<string, string> | null;
  /** Seconds; 0 = no expiry (root). */
  readonly creationTtl: number;
  ttl: number;
  readonly issuedAt: number;
  /** Epoch ms, undefined = never. */
  expiresAt: number | undefined;
  readonly maxExpiresAt: number | undefined;
  readonly renewable: boolean;
  renewals: number;
}

export interface IssueOptions {
  readonly id?: string;
  readonly policies: readonly string[];
  readonly ttl: number;
  readonly maxTtl?: number;
  readonly renewable: boolean;
  readonly path: string;
  readonly meta?: Record<string, string>;
}

const token = () => `hvs.${randomBytes(18).toString("base64url")}`;

/** Service tokens with TTLs on the server's clock; an expired token is simply gone (403). */
export class TokenStore {
  private readonly tokens = new Map<string, TokenEntry>();

  constructor(private readonly now: () => number) {}

  issue(o: IssueOptions): TokenEntry {
    const at = this.now();
    const entry: TokenEntry = {
      id: o.id ?? token(),
      accessor: randomBytes(12).toString("base64url"),
      policies: o.policies,
      path: o.path,
      meta: o.meta ?? null,
      creationTtl: o.ttl,
      ttl: o.ttl,
      issuedAt: at,
      expiresAt: o.ttl > 0 ? at + o.ttl * 1000 : undefined,
      maxExpiresAt: o.maxTtl ? at + o.maxTtl * 1000 : undefined,
      renewable: o.renewable,
      renewals: 0,
    };
    this.tokens.set(entry.id, entry);
    return entry;
  }

  get(id: string | undefined): TokenEntry | undefined {
    const entry = id ? this.tokens.get(id) : undefined;
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.tokens.delete(entry.id);
      return undefined;
    }
    return entry;
  }

  /** `auth/<mount>/login` of the one AppRole role the server has. */
  approleLogin(role: { roleId: string; secretId: string; mount: string }, body: Record<string, unknown>, ttl: { ttl: number; maxTtl: number }): Reply {
    if (typeof body.role_id !== "string" || body.role_id === "") return fail(400, "missing role_id");
    if (body.role_id !== role.roleId || body.secret_id !== role.secretId) return fail(400, "invalid role or secret ID");
    const path = `auth/${role.mount}/login`;
    return this.authReply(this.issue({ policies: ["default", "secretshift"], ...ttl, renewable: true, path, meta: { role_name: "secretshift" } }));
  }

  /** renew-self: new TTL = increment or the original TTL, capped at the token's max TTL. */
  renew(entry: TokenEntry, increment: unknown): Reply {
    if (!entry.renewable || entry.expiresAt === undefined) return fail(400, "lease is not renewable");
    const at = this.now();
    let ttl = parseSeconds(increment) || entry.creationTtl;
    const warnings: string[] = [];
    if (entry.maxExpiresAt !== undefined && at + ttl * 1000 > entry.maxExpiresAt) {
      const capped = Math.max(0, Math.floor((entry.maxExpiresAt - at) / 1000));
      warnings.push(`TTL of "${ttl}s" exceeded the effective max_ttl of "${capped}s"; TTL value is capped accordingly`);
      ttl = capped;
    }
    entry.ttl = ttl;
    entry.expiresAt = at + ttl * 1000;
    entry.renewals++;
    return this.authReply(entry, warnings);
  }

  authReply(entry: TokenEntry, warnings: string[] = []): Reply {
    const auth = {
      client_token: entry.id,
      accessor: entry.accessor,
      policies: entry.policies,
      token_policies: entry.policies,
      metadata: entry.meta,
      lease_duration: entry.ttl,
      renewable: entry.renewable,
      entity_id: "",
      token_type: "service",
      orphan: true,
      mfa_requirement: null,
      num_uses: 0,
    };
    return ok(null, { auth, warnings: warnings.length > 0 ? warnings : null });
  }

  lookupReply(entry: TokenEntry): Reply {
    const at = this.now();
    const ttl = entry.expiresAt === undefined ? 0 : Math.max(0, Math.floor((entry.expiresAt - at) / 1000));
    return ok({
      accessor: entry.accessor,
      creation_time: Math.floor(entry.issuedAt / 1000),
      creation_ttl: entry.creationTtl,
      display_name: entry.path.startsWith("auth/token") ? "token" : "approle",
      entity_id: "",
      expire_time: entry.expiresAt === undefined ? null : new Date(entry.expiresAt).toISOString(),
      explicit_max_ttl: 0,
      id: entry.id,
      issue_time: new Date(entry.issuedAt).toISOString(),
      meta: entry.meta,
      num_uses: 0,
      orphan: true,
      path: entry.path,
      policies: entry.policies,
      renewable: entry.renewable,
      ttl,
      type: "service",
    });
  }
}

/** Vault durations: a number of seconds or "90s", "5m", "1h". */
export function parseSeconds(v: unknown): number {
  if (typeof v === "number") return Math.max(0, Math.floor(v));
  if (typeof v !== "string" || v === "") return 0;
  const m = /^(\d+)(s|m|h)?$/.exec(v.trim());
  if (!m) return 0;
  return Number(m[1]) * ({ s: 1, m: 60, h: 3600 }[m[2] ?? "s"] ?? 1);
}
