import { ANCHOR_ENTRY, type AnchorBag, bagAnchor } from "../shared/anchor.js";
import type { AnchorStore } from "../types.js";
import type { K8sCaller } from "./call.js";
import type { WireSecret } from "./client.js";
import { isStatus } from "./errors.js";

const PREFIX = "secretshift.dev/journal-";

/** Annotations on a Secret `secretshift` with no data; compare-and-set on resourceVersion, so two runs ending at once keep both anchors. */
export function k8sAnchor(caller: K8sCaller): AnchorStore {
  const ns = caller.namespace;
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
