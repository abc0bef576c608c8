import type { ProviderContext } from "./shared/context.js";
import type { SecretStore } from "./types.js";

/**
 * Everything the rest of secretshift knows about one provider, declared in its folder's
 * `index.ts`. The CLI flags, the `providers.<name>` schema of secretshift.yaml, `secrets
 * providers`, `init --provider`, `export k8s` and the error hints are all built from these, so
 * nothing outside the folder and the registry (`providers/index.ts`) names a provider.
 *
 * A descriptor is plain data plus `load()`: the registry imports every descriptor at start-up,
 * so it must not import its store, its SDK or zod.
 */
export interface ProviderDescriptor<N extends string = string> {
  readonly name: N;
  /** What it is, for help and `secrets providers`: "AWS Secrets Manager". */
  readonly title: string;
  /** Flags (and secretshift.yaml keys) the store reads from `ctx.options`. */
  readonly settings: readonly ProviderSetting[];
  /** Variables of the provider's own tooling it reads; `secrets providers` shows which are set. */
  readonly env: readonly string[];
  /** How credentials and settings are found, in one line. */
  readonly how: string;
  /** Configured without any of `env` (a built-in store). */
  readonly needsNoSetup?: boolean;
  /** The commented `providers.<name>` lines `secrets init --provider` writes; never a credential. */
  readonly starter: readonly string[];
  readonly capabilities: Capabilities;
  /** Present when External Secrets Operator can read this provider (`secrets export k8s`). */
  readonly eso?: EsoSupport;
  /** Defaults its SDK reads from `process.env`, applied by `main.ts` (the one writer of process.env) unless set. */
  readonly processDefaults?: Readonly<Record<string, string>>;
  /** The provider API calls behind each operation, for policies derived from what each command does. */
  readonly calls?: Readonly<Partial<Record<StoreOperation, readonly string[]>>>;
  /** Imports the store (and its SDK) only when the provider is used. */
  load(): Promise<(ctx: ProviderContext) => Promise<SecretStore>>;
}

/** One flag `--kebab-key`, the same key in secretshift.yaml and in `ctx.options`. */
export interface ProviderSetting {
  /** camelCase: `kvVersion` is `--kv-version`, `kvVersion:` in the file, `SECRETS_KV_VERSION`. */
  readonly key: string;
  /** The flag's argument in help (`<region>`); a setting without one is a switch (true/false). */
  readonly arg?: string;
  /** What the file may hold when not free text: a whole-number range or one of some values. */
  readonly value?: { readonly min: number; readonly max?: number } | { readonly oneOf: readonly (string | number)[] };
  readonly description: string;
}

export interface Capabilities {
  /** Earlier versions stay readable, so rollback moves a label back; a string says when only. */
  readonly versions: boolean | string;
  /** Where a rotation's `current` / `previous` / `pending` labels live. */
  readonly labels?: string;
  /** `rotate`, `cleanup` and `get --with-previous` work; a string says when only. */
  readonly rotation: boolean | string;
  /** Keeps a copy of the journal's last MAC (`secrets journal verify --provider`). */
  readonly anchor: boolean;
}

export interface EsoSupport {
  /** The SecretStore's `spec.provider` block, from the same settings and environment the store reads. */
  block(settings: Readonly<Record<string, string | undefined>>, env: NodeJS.ProcessEnv): Record<string, unknown>;
  /** The field of a remote secret that holds the value, when the provider stores several. */
  property?(settings: Readonly<Record<string, string | undefined>>): string;
}

export type StoreOperation = "connect" | "read" | "list" | "write" | "revert" | "rotate" | "cleanup" | "anchor";
