/**
 * `api` with every call of the `requests` methods counted (`stats.apiCalls`); anything else passes
 * through untouched. One wrapper for every provider's narrow client seam, fakes included.
 */
export function countCalls<T extends object>(api: T, requests: readonly (keyof T)[], count: () => void): T {
  const counted = new Set<PropertyKey>(requests);
  return new Proxy(api, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof value !== "function") return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (!counted.has(key)) return fn.bind(target);
      return (...args: unknown[]) => {
        count();
        return fn.apply(target, args);
      };
    },
  });
}
