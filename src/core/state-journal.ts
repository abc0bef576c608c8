import type { Clock } from "./clock.js";
import { noKeyError, subkey } from "./crypto.js";
import { CliError, ExitCode } from "./errors.js";
import { eachJournalEntry, holdsField, Journal, type RunEndMark } from "./journal.js";
import { noteStore, readHead, type StoreRecord } from "./journal-head.js";
import type { StoreSeal } from "./store-seal.js";
import { storeTampered } from "./store-seal.js";

export interface StoreLedger {
  /** STORE_TAMPERED when the journal recorded a later generation, or recorded the file and it is gone. */
  check(path: string, seal: StoreSeal | undefined): Promise<void>;
  /** Once the file is durable. */
  record(path: string, seal: StoreSeal): Promise<void>;
}

/** Shared by the command and the local store's ledger, so there is one journal writer per process. */
export class StateJournal {
  private opened: Promise<Journal> | undefined;
  private anchor: ((mark: RunEndMark) => Promise<void>) | undefined;

  constructor(
    private readonly stateDir: string,
    private readonly clock: Pick<Clock, "now">,
    private readonly key: Buffer | undefined,
  ) {}

  open(): Promise<Journal> {
    if (!this.key) return Promise.reject(noKeyError("live runs need an encryption key"));
    const key = this.key;
    this.opened ??= Journal.open(this.stateDir, this.clock, key, { onRunEnd: async (mark) => this.anchor?.(mark) });
    return this.opened;
  }

  anchorTo(write: (mark: RunEndMark) => Promise<void>): void {
    this.anchor = write;
  }

  readonly ledger: StoreLedger = {
    check: async (path, seal) => {
      const records = await this.storeRecords();
      if (seal) {
        const recorded = records[seal.id]?.generation ?? 0;
        if (seal.generation < recorded) {
          throw storeTampered(path, `it is generation ${seal.generation}, but the journal recorded generation ${recorded}: an older copy was put back`);
        }
        return;
      }
      const lost = Object.values(records).find((r) => r.path === path);
      if (lost) throw storeTampered(path, `it is missing, but the journal recorded generation ${lost.generation} of it`);
    },
    record: async (path, seal) => (await this.open()).recordStore(seal.id, seal.generation, path),
  };

  /** From the authenticated head, or the lines when the head is gone. */
  private async storeRecords(): Promise<Record<string, StoreRecord>> {
    if (!this.key) return {};
    const head = await readHead(this.stateDir, subkey(this.key, "journal"));
    if (head.status === "ok") return head.head.stores;
    if (head.status === "forged") {
      throw new CliError("JOURNAL_TAMPERED", "journal.head does not verify, so the local store's generation cannot be checked", {
        exitCode: ExitCode.failed,
        hint: "run `secrets journal verify` to see what changed",
      });
    }
    const records: Record<string, StoreRecord> = {};
    await eachJournalEntry(this.stateDir, (e) => noteStore(records, e), holdsField("type", "store"));
    return records;
  }
}
