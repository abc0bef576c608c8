import { ANCHOR_ENTRY, type AnchorBag, bagAnchor } from "../shared/anchor.js";
import type { AnchorStore } from "../types.js";
import type { K8sCaller } from "./call.js";
import type { WireSecret } from "./client.js";
import { isStatus } from "./errors.js";

const PREFIX = "secretshift.dev/journal-";

/**
 * The anchors are annotations on a Secret named `secretshift` with no data, in the provider's
 * namespace; it needs get, create and update on that Secret. Writes are compare-and-set on the
 * resourceVersion, so two runs ending at once cannot drop each other's anchor.
 */
export function k8sAnchor(caller: K8sCaller): AnchorStore {
  const ns = caller.namespace;
  // The Secret as last read: `write` follows `read` (bagAnchor), so its first attempt needs no second GET.
  let last: WireSecret | undefined;
  const get = async () => (last = await caller.call("get", ANCHOR_ENTRY, (api) => api.read(ns, ANCHOR_ENTRY)));
  const bag: AnchorBag = {
    where: `Kubernetes Secret ${ns}/${ANCHOR_ENTRY} (annotations)`,
    capacity: 100,
    read: async () => new Map(Object.entries((await get())?.metadata?.annotations ?? {})),
    async write(key, value, drop) {
      for (let attempt = 1; ; attempt++) {
        const secret = attempt === 1 ? last : await get();
        const annotations = { ...secret?.metadata?.annotations, [key]: value };
        for (const k of drop) delete annotations[k];
        try {
          if (!secret) {
            await caller.call(
              "create",
              ANCHOR_ENTRY,
              (api) => api.create(ns, { metadata: { name: ANCHOR_ENTRY, namespace: ns, annotations }, type: "Opaque" }),
              [409],
            );
          } else {
            const body = { ...secret, metadata: { ...secret.metadata, annotations } };
            await caller.call("update", ANCHOR_ENTRY, (api) => api.replace(ns, ANCHOR_ENTRY, body), [409]);
          }
          return;
        } catch (e) {
          // Someone else wrote it between our read and write: read again and re-apply ours.
          if (!isStatus(e, 409) || attempt >= 3) throw isStatus(e, 409) ? caller.toCliError(e, "update", ANCHOR_ENTRY) : e;
        }
      }
    },
  };
  return bagAnchor(bag, PREFIX);
}
