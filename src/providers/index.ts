import type { ProviderFactory } from "../core/deps.js";
import { usageError } from "../core/errors.js";
import { reserveAnchorEntry } from "./shared/anchor.js";
import type { ProviderContext } from "./shared/context.js";
import type { ProviderName, SecretStore } from "./types.js";

type Loader = (ctx: ProviderContext) => Promise<SecretStore>;

/** Explicit registry; each entry imports its provider (and SDK) only when that provider is used. */
const registry: Record<ProviderName, Loader | undefined> = {
  local: async (ctx) => (await import("./local/store.js")).createLocalStore(ctx),
  aws: async (ctx) => (await import("./aws/store.js")).createAwsStore(ctx),
  vault: async (ctx) => (await import("./vault/store.js")).createVaultStore(ctx),
  gcp: async (ctx) => (await import("./gcp/store.js")).createGcpStore(ctx),
  azure: async (ctx) => (await import("./azure/store.js")).createAzureStore(ctx),
  k8s: async (ctx) => (await import("./k8s/store.js")).createK8sStore(ctx),
};

export const PROVIDER_NAMES = Object.keys(registry) as ProviderName[];

export const isProviderName = (name: string): name is ProviderName => Object.hasOwn(registry, name);

export const availableProviders = (): ProviderName[] => PROVIDER_NAMES.filter((n) => registry[n] !== undefined);

export const createProvider: ProviderFactory = async (name, ctx) => {
  const loader = registry[name];
  if (!loader) {
    throw usageError("PROVIDER_UNAVAILABLE", `provider "${name}" is not available in this version`, `available: ${availableProviders().join(", ")}`);
  }
  const store = await loader(ctx);
  return store.anchor ? reserveAnchorEntry(store) : store;
};
