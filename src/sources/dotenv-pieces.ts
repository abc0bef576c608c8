import type { FileHandle } from "node:fs/promises";
import { DotenvCutter } from "./dotenv-cuts.js";
import { notUtf8 } from "./refusals.js";

const CHUNK = 64 * 1024;

export interface DotenvPiece {
  /** With CRLF and lone CR made LF, as dotenv.parse sees it. */
  readonly text: string;
  /** The file's line the piece starts on, 1-based. */
  readonly firstLine: number;
}

/**
 * A .env file's text in pieces cut where dotenv reads each as it reads the whole (dotenv-cuts.ts),
 * read 64 KiB at a time from the start, so it can be read again from the same handle.
 */
export async function* dotenvPieces(handle: FileHandle, label: string, pieceSize?: number): AsyncGenerator<DotenvPiece> {
  // Fatal (see notUtf8); streamed, so a character cut by a chunk's edge is decoded whole with the next.
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const cutter = new DotenvCutter(pieceSize);
  const chunk = Buffer.allocUnsafe(CHUNK);
  let offset = 0;
  let line = 1;
  // A CR at a chunk's end may be the first half of a CRLF.
  let cr = "";
  const piece = (text: string): DotenvPiece => {
    const firstLine = line;
    for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) line++;
    return { text, firstLine };
  };
  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, CHUNK, offset);
    offset += bytesRead;
    let text = cr + decode(decoder, chunk.subarray(0, bytesRead), bytesRead === 0, label);
    cr = "";
    if (bytesRead > 0 && text.endsWith("\r")) {
      cr = "\r";
      text = text.slice(0, -1);
    }
    for (const cut of cutter.push(text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text)) yield piece(cut);
    if (bytesRead === 0) break;
  }
  const rest = cutter.end();
  if (rest !== "") yield piece(rest);
}

function decode(decoder: TextDecoder, bytes: Uint8Array, last: boolean, label: string): string {
  try {
    return decoder.decode(bytes, { stream: !last });
  } catch {
    throw notUtf8(label);
  }
}
