import type { ProviderContext } from "./shared/context.js";
import type { SecretStore } from "./types.js";

/**
 * Everything the rest of secretshift knows about one provider. The CLI flags, the config schema,
 * `secrets providers`, `init --provider`, `export k8s` and the hints are built from it. Plain data
 * and `load()`: the registry imports every descriptor at start-up, so none imports its store, SDK or zod.
 */
export interface ProviderDescriptor<N extends string = string> {
  readonly name: N;
  readonly title: string;
  readonly settings: readonly ProviderSetting[];
  /** Variables of the provider's own tooling; `secrets providers` shows which are set. */
  readonly env: readonly string[];
  readonly how: string;
  readonly needsNoSetup?: boolean;
  readonly starter: readonly string[];
  readonly capabilities: Capabilities;
  readonly eso?: EsoSupport;
  /** Defaults its SDK reads from `process.env`, set by `main.ts` (the one writer of process.env). */
  readonly processDefaults?: Readonly<Record<string, string>>;
  /** The permissions each command needs, for `secrets policy`; a provider without one needs no account. */
  readonly policy?: PolicySupport;
  load(): Promise<(ctx: ProviderContext) => Promise<SecretStore>>;
}

/** `kvVersion` is `--kv-version`, `kvVersion:` in the file, `ctx.options.kvVersion`, `SECRETS_KV_VERSION`. */
export interface ProviderSetting {
  readonly key: string;
  /** In help (`<region>`); a setting without one is a switch. */
  readonly arg?: string;
  /** What the file may hold when not free text. */
  readonly value?: { readonly min: number; readonly max?: number } | { readonly oneOf: readonly (string | number)[] };
  readonly description: string;
}

export interface Capabilities {
  /** A string says when only ("KV v2"). */
  readonly versions: boolean | string;
  /** Where `current` / `previous` / `pending` live. */
  readonly labels?: string;
  readonly rotation: boolean | string;
  /** Keeps the journal anchor (`secrets journal verify --provider`). */
  readonly anchor: boolean;
}

export interface EsoSupport {
  /** The SecretStore's `spec.provider` block. */
  block(settings: Readonly<Record<string, string | undefined>>, env: NodeJS.ProcessEnv): Record<string, unknown>;
  /** The field of a remote secret holding the value, where there are several. */
  property?(settings: Readonly<Record<string, string | undefined>>): string;
}

export const POLICY_COMMANDS = ["migrate", "validate", "rollback", "rotate", "cleanup", "run"] as const;
export type PolicyCommand = (typeof POLICY_COMMANDS)[number];

/**
 * A grant is `"<permission> <where>"` in the service's own access-control words. `<where>` is
 * `names` (under --prefix), `anchor` (the journal anchor entry), `pending` (rotation's siblings),
 * `all` (calls the service cannot scope, like listing) joined by `,`; for path-based services a
 * path template with those words in braces and `{mount}`.
 */
export type Grants = Readonly<Partial<Record<PolicyCommand, readonly string[]>>>;

export interface PolicySupport {
  /** What each command calls with these settings (Vault's paths depend on the KV version). */
  uses(settings: Readonly<Record<string, string | undefined>>): Grants;
  /** The policy document in the service's format; imported only by `secrets policy`. */
  load(): Promise<PolicyRenderer>;
}

export interface PolicyScope {
  readonly prefix: string;
  readonly settings: Readonly<Record<string, string | undefined>>;
  readonly commands: readonly PolicyCommand[];
}

export type PolicyRenderer = (grants: readonly string[], scope: PolicyScope) => string;
