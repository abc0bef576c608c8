import { describe, expect, it } from "vitest";
import { loadClient } from "../../src/providers/k8s/kubeconfig.js";

describe("k8s provider without @kubernetes/client-node", () => {
  it("is a usage error that says what to install", async () => {
    const missing = async () => {
      throw Object.assign(new Error("Cannot find package '@kubernetes/client-node'"), { code: "ERR_MODULE_NOT_FOUND" });
    };
    await expect(loadClient(missing)).rejects.toMatchObject({
      code: "K8S_CLIENT_MISSING",
      exitCode: 2,
      hint: expect.stringContaining("install @kubernetes/client-node"),
    });
  });

  it("passes other load failures through", async () => {
    await expect(loadClient(async () => Promise.reject(new SyntaxError("broken")))).rejects.toThrow(SyntaxError);
  });
});
