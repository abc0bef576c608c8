import { randomBytes } from "node:crypto";

/** An error the API answers with: `{"error":{"code","message","status"}}`. */
export class GcpError extends Error {
  constructor(
    readonly http: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
}

export type VersionState = "ENABLED" | "DISABLED" | "DESTROYED";
export const STATE_NUMBER: Record<VersionState, number> = { ENABLED: 1, DISABLED: 2, DESTROYED: 3 };

export interface StoredVersion {
  readonly number: number;
  state: VersionState;
  data: Buffer | undefined;
  etag: string;
  readonly createTime: string;
}

export interface StoredSecret {
  readonly id: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  etag: string;
  readonly createTime: string;
  readonly versions: StoredVersion[];
}

const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
const MAX_PAYLOAD = 65_536;
const etag = () => `"${randomBytes(8).toString("hex")}"`;

/** One project's secrets with the service's rules on ids, versions, states and etags. */
export class SecretManagerModel {
  readonly secrets = new Map<string, StoredSecret>();

  constructor(readonly resource: string) {}

  secret(id: string): StoredSecret {
    const s = this.secrets.get(id);
    if (!s) throw new GcpError(404, "NOT_FOUND", `Secret [${this.resource}/secrets/${id}] not found or has no versions.`);
    return s;
  }

  create(id: string, labels: Record<string, string>, now: string): StoredSecret {
    if (!SECRET_ID.test(id)) {
      throw new GcpError(
        400,
        "INVALID_ARGUMENT",
        "Secret id must consist of only alphanumeric characters, underscores and dashes, and be at most 255 characters.",
      );
    }
    if (this.secrets.has(id)) throw new GcpError(409, "ALREADY_EXISTS", `Secret [${this.resource}/secrets/${id}] already exists.`);
    const s: StoredSecret = { id, labels: { ...labels }, annotations: {}, etag: etag(), createTime: now, versions: [] };
    this.secrets.set(id, s);
    return s;
  }

  /** UpdateSecret: the fields named in `updateMask` are replaced; a stale `etag` is ABORTED, like the service. */
  update(id: string, body: Record<string, unknown>, mask: string[]): StoredSecret {
    const s = this.secret(id);
    if (typeof body.etag === "string" && body.etag !== "" && body.etag !== s.etag)
      throw new GcpError(409, "ABORTED", `The etag provided does not match the etag of Secret [${this.resource}/secrets/${id}].`);
    for (const field of mask) {
      if (field !== "labels" && field !== "annotations") throw new GcpError(400, "INVALID_ARGUMENT", `The update_mask path ${field} is not supported.`);
      const map = (body[field] ?? {}) as Record<string, string>;
      if (field === "annotations" && Buffer.byteLength(JSON.stringify(map)) > 16_384)
        throw new GcpError(400, "INVALID_ARGUMENT", "The total size of annotation keys and values must be less than 16KiB.");
      s[field] = { ...map };
    }
    s.etag = etag();
    return s;
  }

  remove(id: string, expectedEtag: string | undefined): void {
    const s = this.secret(id);
    if (expectedEtag && expectedEtag !== s.etag)
      throw new GcpError(409, "ABORTED", `The etag provided does not match the etag of Secret [${this.resource}/secrets/${id}].`);
    this.secrets.delete(id);
  }

  addVersion(id: string, data: Buffer, now: string): StoredVersion {
    const s = this.secret(id);
    if (data.length > MAX_PAYLOAD) throw new GcpError(400, "INVALID_ARGUMENT", `Secret payload data must be at most ${MAX_PAYLOAD} bytes.`);
    const v: StoredVersion = { number: (s.versions.at(-1)?.number ?? 0) + 1, state: "ENABLED", data, etag: etag(), createTime: now };
    s.versions.push(v);
    return v;
  }

  /** `latest` is the newest version whatever its state, as in the real service. */
  version(id: string, ref: string): StoredVersion {
    const s = this.secret(id);
    const v = ref === "latest" ? s.versions.at(-1) : s.versions.find((x) => String(x.number) === ref);
    if (!v) throw new GcpError(404, "NOT_FOUND", `Secret Version [${this.resource}/secrets/${id}/versions/${ref}] not found.`);
    return v;
  }

  access(id: string, ref: string): StoredVersion {
    const v = this.version(id, ref);
    if (v.state !== "ENABLED") {
      throw new GcpError(400, "FAILED_PRECONDITION", `Secret Version [${this.resource}/secrets/${id}/versions/${v.number}] is in ${v.state} state.`);
    }
    return v;
  }

  setState(id: string, ref: string, state: VersionState, expectedEtag: string | undefined): StoredVersion {
    const v = this.version(id, ref);
    if (expectedEtag && expectedEtag !== v.etag)
      throw new GcpError(409, "ABORTED", `The etag provided does not match the etag of Secret Version [${this.resource}/secrets/${id}/versions/${v.number}].`);
    if (v.state === "DESTROYED" && state !== "DESTROYED") {
      throw new GcpError(400, "FAILED_PRECONDITION", `Secret Version [${this.resource}/secrets/${id}/versions/${v.number}] is in DESTROYED state.`);
    }
    v.state = state;
    if (state === "DESTROYED") v.data = undefined;
    v.etag = etag();
    return v;
  }
}

/** The subset of the list filter language the provider uses: `name:"x"` (substring) and `state:ENABLED`. */
export function matchesFilter(filter: string, fields: Record<string, string>): boolean {
  if (filter.trim() === "") return true;
  return filter.split(/\s+AND\s+/).every((term) => {
    const m = /^(\w+)\s*([:=])\s*"?([^"]*)"?$/.exec(term.trim());
    if (!m) throw new GcpError(400, "INVALID_ARGUMENT", `Invalid filter: ${filter}`);
    const [, field = "", op, value = ""] = m;
    const actual = fields[field];
    if (actual === undefined) throw new GcpError(400, "INVALID_ARGUMENT", `Invalid filter field: ${field}`);
    return op === ":" ? actual.includes(value) : actual === value;
  });
}
