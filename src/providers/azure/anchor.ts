import { ANCHOR_ENTRY, type AnchorBag, bagAnchor } from "../shared/anchor.js";
import type { AnchorStore } from "../types.js";
import type { KeyVaultApi, VaultSecret } from "./client.js";
import { statusOf, toCliError } from "./errors.js";

const PREFIX = "journal-";
const PLACEHOLDER = "secretshift journal anchors are in this secret's tags; this value is not a secret";

/** Tags of the latest version of a secret `secretshift`, replaced without a new version; Key Vault allows 15. */
export function azureAnchor(api: KeyVaultApi, vaultUrl: string): AnchorStore {
  const fail = (op: string) => (e: unknown) => {
    throw toCliError(e, { op, name: ANCHOR_ENTRY, vaultUrl });
  };
  let last: VaultSecret | undefined;
  const get = async () =>
    (last = await api.get(ANCHOR_ENTRY).catch((e: unknown) => {
      if (statusOf(e) === 404) return undefined;
      return fail("GetSecret")(e);
    }));
  const bag: AnchorBag = {
    where: `Azure Key Vault secret ${ANCHOR_ENTRY} (tags)`,
    capacity: 14,
    read: async () => new Map(Object.entries((await get())?.tags ?? {})),
    async write(key, value, drop) {
      const secret = last;
      const tags = { ...secret?.tags, [key]: value };
      for (const k of drop) delete tags[k];
      if (secret) await api.update(ANCHOR_ENTRY, secret.version, { tags }).catch(fail("UpdateSecret"));
      else await api.set(ANCHOR_ENTRY, PLACEHOLDER, tags).catch(fail("SetSecret"));
    },
  };
  return bagAnchor(bag, PREFIX);
}
