import { ANCHOR_ENTRY, type AnchorBag, bagAnchor } from "../shared/anchor.js";
import type { AnchorStore } from "../types.js";
import type { GcpSecret, SecretManagerApi } from "./client.js";
import { statusOf, toCliError } from "./errors.js";

const PREFIX = "journal-";

/** Annotations of a secret `secretshift` that never gets a version; updates carry the etag, so no run drops another's anchor. */
export function gcpAnchor(api: SecretManagerApi, endpoint: string | undefined): AnchorStore {
  const fail = (op: string) => (e: unknown) => {
    throw toCliError(e, { op, name: ANCHOR_ENTRY, endpoint });
  };
  let last: GcpSecret | undefined;
  const get = async () =>
    (last = await api.getSecret(ANCHOR_ENTRY).catch((e: unknown) => {
      if (statusOf(e) === "NOT_FOUND") return undefined;
      return fail("GetSecret")(e);
    }));
  const bag: AnchorBag = {
    where: `GCP secret ${ANCHOR_ENTRY} (annotations)`,
    capacity: 100,
    read: async () => new Map(Object.entries((await get())?.annotations ?? {})),
    async write(key, value, drop) {
      for (let attempt = 1; ; attempt++) {
        const secret =
          (attempt === 1 ? last : await get()) ?? (await api.createSecret(ANCHOR_ENTRY, { "managed-by": "secretshift" }).catch(fail("CreateSecret")));
        const annotations = { ...secret.annotations, [key]: value };
        for (const k of drop) delete annotations[k];
        try {
          await api.setAnnotations(ANCHOR_ENTRY, annotations, secret.etag);
          return;
        } catch (e) {
          if (statusOf(e) !== "ABORTED" || attempt >= 3) return fail("UpdateSecret")(e);
        }
      }
    },
  };
  return bagAnchor(bag, PREFIX);
}
