import type { ProviderSetting } from "../providers/descriptor.js";
import { DESCRIPTORS } from "../providers/index.js";

/** `kvVersion` with arg `<1|2>` → `--kv-version <1|2>`. */
export function providerFlag(setting: Pick<ProviderSetting, "key" | "arg">): string {
  const flag = `--${setting.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return setting.arg ? `${flag} ${setting.arg}` : flag;
}

/** `aws` → `AWS`, `vault` → `Vault`: the help heading of a provider's flags. */
const label = (name: string) => (/^[a-z]{1,3}$/.test(name) ? name.toUpperCase() : name.charAt(0).toUpperCase() + name.slice(1));

/** A key several providers read is one flag, with each one's description, under a heading naming them all. */
export function providerFlags(): { flags: string; description: string; provider: true; group: string }[] {
  const byKey = new Map<string, { setting: ProviderSetting; uses: { provider: string; description: string }[] }>();
  for (const d of DESCRIPTORS) {
    for (const setting of d.settings) {
      const entry = byKey.get(setting.key) ?? { setting, uses: [] };
      entry.uses.push({ provider: d.name, description: setting.description });
      byKey.set(setting.key, entry);
    }
  }
  return [...byKey.values()].map(({ setting, uses }) => {
    const groups = new Map<string, string[]>();
    for (const u of uses) groups.set(u.description, [...(groups.get(u.description) ?? []), u.provider]);
    const description = [...groups].map(([text, names]) => `${names.join("/")}: ${text}`).join("; ");
    const group = `${uses.map((u) => label(u.provider)).join("/")} options:`;
    return { flags: providerFlag(setting), description, provider: true, group };
  });
}
