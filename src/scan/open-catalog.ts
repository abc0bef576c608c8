import { parseDbUrl } from "../sources/database.js";
import type { Catalog } from "./catalog.js";

/** The catalog reader for a `--db` URL; each driver is loaded only when its kind of URL is scanned. */
export async function openCatalog(url: string): Promise<Catalog> {
  const target = parseDbUrl(url);
  if (target.kind === "postgres") return (await import("./pg-catalog.js")).openPostgresCatalog(target.url);
  return (await import("./sqlite-catalog.js")).openSqliteCatalog(target.path);
}
