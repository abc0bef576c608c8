import { usageError } from "../core/errors.js";
import { aws } from "./aws/index.js";
import { azure } from "./azure/index.js";
import type { ProviderDescriptor } from "./descriptor.js";
import { gcp } from "./gcp/index.js";
import { k8s } from "./k8s/index.js";
import { local } from "./local/index.js";
import { reserveAnchorEntry } from "./shared/anchor.js";
import type { ProviderContext } from "./shared/context.js";
import type { SecretStore } from "./types.js";
import { vault } from "./vault/index.js";

/** The one registry. Adding a provider is its folder plus one entry here; the order is the order of help and listings. */
export const DESCRIPTORS = [local, aws, vault, gcp, azure, k8s] as const;

export type ProviderName = (typeof DESCRIPTORS)[number]["name"];

export const PROVIDER_NAMES: readonly ProviderName[] = DESCRIPTORS.map((d) => d.name);

/** Where a secret lives when nothing names a provider: the store that needs no account. */
export const DEFAULT_PROVIDER: ProviderName = local.name;

export const isProviderName = (name: string): name is ProviderName => (PROVIDER_NAMES as readonly string[]).includes(name);

export const descriptorOf = (name: ProviderName): ProviderDescriptor => DESCRIPTORS.find((d) => d.name === name) as ProviderDescriptor;

export const unknownProvider = (name: string, from?: string) =>
  usageError("UNKNOWN_PROVIDER", `unknown provider "${name}"${from ? ` (from ${from})` : ""}`, `one of: ${PROVIDER_NAMES.join(", ")}`);

export const createProvider = async (name: ProviderName, ctx: ProviderContext): Promise<SecretStore> => {
  const store = await (await descriptorOf(name).load())(ctx);
  return store.anchor ? reserveAnchorEntry(store) : store;
};
