import { isCliError, unreachableError } from "../../core/errors.js";
import type { ProviderContext } from "../shared/context.js";
import type { VaultCaller } from "./call.js";
import { isHttpError } from "./errors.js";
import type { VaultAuthConfig } from "./settings.js";

interface Lease {
  readonly ttlMs: number;
  readonly renewable: boolean;
  readonly since: number;
  readonly capped: boolean;
}

/** Renewed past half its TTL, checked before each call (no timer keeps the process alive); a capped AppRole token is replaced by a login. */
export class VaultSession {
  private lease: Lease | undefined;
  private refreshing: Promise<void> | undefined;
  private logins = 0;

  constructor(
    private readonly caller: VaultCaller,
    private readonly auth: VaultAuthConfig,
    private readonly ctx: Pick<ProviderContext, "clock" | "onEvent">,
  ) {
    caller.beforeCall = () => this.ensureFresh();
    caller.onDenied = (epoch) => this.reloginIfExpired(epoch);
    caller.tokenEpoch = () => this.logins;
  }

  async login(): Promise<void> {
    if (this.auth.kind === "none") {
      throw unreachableError(
        "VAULT_NO_TOKEN",
        "no Vault credentials found",
        "set VAULT_TOKEN, or VAULT_ROLE_ID and VAULT_SECRET_ID, or run `vault login` (~/.vault-token)",
      );
    }
    if (this.auth.kind === "approle") return this.approleLogin();
    const source = this.auth.source;
    try {
      const body = await this.caller.call({ capability: "read", path: "auth/token/lookup-self", expect: [403], unauthenticated: true }, (api) =>
        api.lookupSelf(),
      );
      const data = (body.data ?? {}) as { ttl?: number; renewable?: boolean };
      this.lease = { ttlMs: Number(data.ttl ?? 0) * 1000, renewable: data.renewable === true, since: this.now(), capped: false };
    } catch (error) {
      if (isHttpError(error, 403))
        throw unreachableError("VAULT_TOKEN_REFUSED", `Vault refused the token from ${source}`, "it may have expired or been revoked: log in again");
      throw error;
    }
  }

  private async approleLogin(): Promise<void> {
    if (this.auth.kind !== "approle") return;
    const { mount, roleId, secretId } = this.auth;
    const path = `auth/${mount}/login`;
    try {
      const body = await this.caller.call({ capability: "update", path, expect: [400, 403], unauthenticated: true }, (api) =>
        api.approleLogin(mount, roleId, secretId),
      );
      const auth = body.auth;
      if (!auth?.client_token) throw unreachableError("VAULT_APPROLE_REFUSED", `Vault returned no token from ${path}`);
      this.lease = { ttlMs: Number(auth.lease_duration ?? 0) * 1000, renewable: auth.renewable === true, since: this.now(), capped: false };
      this.logins++;
      this.ctx.onEvent({ type: "info", message: `logged in to Vault with AppRole (token TTL ${auth.lease_duration ?? 0} s)` });
    } catch (error) {
      if (isHttpError(error, 400, 403)) {
        throw unreachableError("VAULT_APPROLE_REFUSED", `Vault refused the AppRole login at ${path}`, "check VAULT_ROLE_ID, VAULT_SECRET_ID and --auth-mount");
      }
      throw error;
    }
  }

  private async ensureFresh(): Promise<void> {
    const lease = this.lease;
    if (!lease || lease.ttlMs <= 0) return;
    const canRenew = lease.renewable && !lease.capped;
    if (!canRenew && this.auth.kind !== "approle") return;
    if (this.now() - lease.since < lease.ttlMs / 2) return;
    this.refreshing ??= this.refresh(canRenew).finally(() => {
      this.refreshing = undefined;
    });
    await this.refreshing;
  }

  private async refresh(canRenew: boolean): Promise<void> {
    const before = this.lease as Lease;
    if (canRenew) {
      try {
        const body = await this.caller.call({ capability: "update", path: "auth/token/renew-self", unauthenticated: true }, (api) => api.renewSelf());
        const ttl = Number(body.auth?.lease_duration ?? 0);
        const at = this.now();
        const capped = at + ttl * 1000 <= before.since + before.ttlMs;
        this.lease = { ttlMs: ttl * 1000, renewable: body.auth?.renewable !== false, since: at, capped };
        this.ctx.onEvent({ type: "info", message: `renewed the Vault token (TTL ${ttl} s)` });
        if (!capped || this.auth.kind !== "approle") return;
      } catch (error) {
        // Sealed or unreachable: let the real call report it.
        if (isCliError(error) && error.exitCode === 3 && error.code !== "VAULT_PERMISSION_DENIED") throw error;
        this.lease = { ...before, capped: true };
        this.ctx.onEvent({ type: "info", message: "could not renew the Vault token" });
        if (this.auth.kind !== "approle") return;
      }
    }
    await this.approleLogin();
  }

  /** A token a concurrent refresh replaced is retried with the new one, not reported as a missing permission. */
  private async reloginIfExpired(epoch: number): Promise<boolean> {
    if (this.auth.kind !== "approle") return false;
    await this.refreshing?.catch(() => undefined);
    if (this.logins !== epoch) return true;
    const lease = this.lease;
    if (!lease || lease.ttlMs <= 0 || this.now() < lease.since + lease.ttlMs) return false;
    await this.approleLogin();
    return true;
  }

  private now(): number {
    return this.ctx.clock.now().getTime();
  }
}
