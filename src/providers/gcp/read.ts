import type { AdaptiveLimiter } from "../../core/adaptive-limiter.js";
import type { GcpSecret, GcpVersion, Page, SecretManagerApi } from "./client.js";
import { statusOf, toCliError } from "./errors.js";

export interface VersionValue {
  readonly number: string;
  readonly value: string;
}

export async function allPages<T>(fetch: (token: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    out.push(...page.items);
    token = page.next;
  } while (token);
  return out;
}

const byNumberDesc = (a: GcpVersion, b: GcpVersion) => Number(b.number) - Number(a.number);

/** The current value is the newest ENABLED version: `latest` may be one a rollback disabled. */
export class GcpReader {
  constructor(
    private readonly api: SecretManagerApi,
    private readonly reads: AdaptiveLimiter,
    private readonly endpoint: string | undefined,
  ) {}

  async current(id: string): Promise<VersionValue | undefined> {
    try {
      return await this.value(id, "latest");
    } catch (e) {
      const status = statusOf(e);
      if (status === "NOT_FOUND") return undefined;
      if (status !== "FAILED_PRECONDITION") throw toCliError(e, { op: "AccessSecretVersion", name: id, endpoint: this.endpoint });
    }
    const [newest] = await this.versions(id, "state:ENABLED");
    return newest ? this.value(id, newest.number) : undefined;
  }

  /** Raw errors: the caller decides what NOT_FOUND means. */
  async value(id: string, version: string): Promise<VersionValue> {
    const out = await this.reads.run(() => this.api.access(id, version));
    return { number: out.number, value: out.data.toString("utf8") };
  }

  versions(id: string, filter = ""): Promise<GcpVersion[]> {
    return this.call("ListSecretVersions", id, async () =>
      (await allPages((t) => this.reads.run(() => this.api.listVersions(id, filter, t)))).sort(byNumberDesc),
    );
  }

  async secret(id: string): Promise<GcpSecret | undefined> {
    try {
      return await this.reads.run(() => this.api.getSecret(id));
    } catch (e) {
      if (statusOf(e) === "NOT_FOUND") return undefined;
      throw toCliError(e, { op: "GetSecret", name: id, endpoint: this.endpoint });
    }
  }

  /** The `name:` filter matches substrings; callers check prefixes. */
  async ids(fragment: string): Promise<string[]> {
    return (await this.secrets(fragment)).map((s) => s.id);
  }

  secrets(fragment: string): Promise<GcpSecret[]> {
    const filter = fragment === "" ? "" : `name:"${fragment}"`;
    return this.call("ListSecrets", undefined, () => allPages((t) => this.reads.run(() => this.api.listSecrets(filter, t))));
  }

  private async call<T>(op: string, name: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toCliError(e, { op, ...(name === undefined ? {} : { name }), endpoint: this.endpoint });
    }
  }
}
