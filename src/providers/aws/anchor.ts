import { ANCHOR_ENTRY, type AnchorBag, bagAnchor } from "../shared/anchor.js";
import type { AnchorStore } from "../types.js";
import type { SecretsManagerApi } from "./client.js";
import { errorName, toCliError } from "./errors.js";

const PREFIX = "secretshift:journal:";

/**
 * The anchors are tags on a secret named `secretshift` that holds no value (CreateSecret without
 * SecretString makes a secret with no version). Needs secretsmanager:DescribeSecret and
 * TagResource/UntagResource on it, and CreateSecret once. AWS allows 50 tags per secret.
 */
export function awsAnchor(api: SecretsManagerApi, endpoint: string | undefined): AnchorStore {
  const fail = (op: string) => (e: unknown) => {
    throw toCliError(e, { op, name: ANCHOR_ENTRY, endpoint });
  };
  const bag: AnchorBag = {
    where: `AWS secret ${ANCHOR_ENTRY} (tags)`,
    capacity: 40,
    async read() {
      try {
        const out = await api.describeSecret({ SecretId: ANCHOR_ENTRY });
        return new Map((out.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
      } catch (e) {
        if (errorName(e) === "ResourceNotFoundException") return new Map();
        return fail("DescribeSecret")(e);
      }
    },
    async write(key, value, drop) {
      const Tags = [{ Key: key, Value: value }];
      try {
        await api.tagResource({ SecretId: ANCHOR_ENTRY, Tags });
      } catch (e) {
        if (errorName(e) !== "ResourceNotFoundException") return fail("TagResource")(e);
        await api
          .createSecret({ Name: ANCHOR_ENTRY, Description: "secretshift journal anchors: MACs of journal lines, no secret", Tags })
          .catch(fail("CreateSecret"));
      }
      if (drop.length > 0) await api.untagResource({ SecretId: ANCHOR_ENTRY, TagKeys: [...drop] }).catch(fail("UntagResource"));
    },
  };
  return bagAnchor(bag, PREFIX);
}
