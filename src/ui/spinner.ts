import type { OutputStream } from "./output-stream.js";

export interface Spinner {
  text(message: string): void;
  /** Clears the line; the spinner never stays over what is printed next. */
  stop(): void;
}

/** The spinners a run has started, so an error or a prompt can stop whichever is turning first. */
export interface Spinners {
  start(stream: OutputStream, colour: boolean): Spinner;
  stopAll(): void;
}

/** ora, loaded on first use so `secrets --help` and non-terminal runs never import it. */
export function oraSpinners(): Spinners {
  const active = new Set<Spinner>();
  return {
    start(stream, colour) {
      let text = "";
      let stopped = false;
      let ora: import("ora").Ora | undefined;
      const spinner: Spinner = {
        text(message) {
          text = message;
          if (ora) ora.text = message;
        },
        stop() {
          stopped = true;
          active.delete(spinner);
          ora?.stop();
        },
      };
      active.add(spinner);
      void import("ora").then(({ default: create }) => {
        if (stopped) return;
        // discardStdin off: a prompt may follow, and Ctrl-C must reach the run's own SIGINT handler.
        ora = create({ stream: stream as NodeJS.WritableStream, text, color: colour ? "cyan" : false, discardStdin: false, isEnabled: true }).start();
      });
      return spinner;
    },
    stopAll() {
      for (const spinner of [...active]) spinner.stop();
    },
  };
}
