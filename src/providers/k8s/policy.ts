import { stringify } from "yaml";
import type { PolicyRenderer } from "../descriptor.js";
import { ANCHOR_ENTRY } from "../shared/anchor.js";
import { parseGrants } from "../shared/policy.js";

/** RBAC cannot limit `create` and `list` by name (the name is not known when they are authorised). */
const UNNAMED = new Set(["create", "list"]);

/**
 * A namespaced Role with verbs on `secrets`. With a single Secret (`--secret-name`), the verbs
 * that can be are limited to it and to the journal anchor's Secret.
 */
export const renderK8sPolicy: PolicyRenderer = (grants, scope) => {
  const verbs = parseGrants(grants).map((g) => g.permission);
  const secret = scope.settings.layout === "per-secret" ? undefined : scope.settings.secretName;
  const rule = (v: string[], names?: string[]) => ({ apiGroups: [""], resources: ["secrets"], ...(names ? { resourceNames: names } : {}), verbs: v.sort() });
  const named = verbs.filter((v) => !UNNAMED.has(v));
  const rules = secret
    ? [
        ...(named.length ? [rule(named, [secret, ANCHOR_ENTRY])] : []),
        ...(verbs.some((v) => UNNAMED.has(v)) ? [rule(verbs.filter((v) => UNNAMED.has(v)))] : []),
      ]
    : [rule(verbs)];
  const namespace = scope.settings.namespace ?? "default";
  return stringify({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "secretshift", namespace }, rules });
};
