/**
 * A small seeded mutation fuzzer for the parsers of user files. {@linkcode fuzzParser} mutates valid
 * inputs (bit flips, bytes and header words set to boundary values, truncation, insertion,
 * deletion, duplication; for text also numbers replaced by huge, negative or non-ASCII ones) and
 * checks that the parser either accepts the input or throws the project's `InputError` — never any
 * other exception. The seed is fixed (set `LATENTLAB_FUZZ_SEED` to explore others); a failure names
 * the seed and the mutation so it can be replayed.
 */
import { AssertionError } from "node:assert/strict";
import { InputError } from "../lib/errors.ts";
import { concatBytes } from "../lib/notebook/_zmtp.ts";
import { createRandom, type Random } from "../lib/util/random.ts";

/** The seed of every fuzz run (`LATENTLAB_FUZZ_SEED` overrides it). */
export const FUZZ_SEED: number = Number(Deno.env.get("LATENTLAB_FUZZ_SEED") ?? 20240611) >>> 0;

const BYTE_VALUES = [0, 1, 2, 3, 8, 0x0b, 0x0d, 69, 0x7f, 0x80, 0xfe, 0xff];
const WORD_VALUES = [0, 1, 2, 3, 28, 69, 0x7fffffff, 0x80000000, 0xffffffff, 0x00000803, 0x00000b03, 65536];
const TEXT_NUMBERS = [
  "0",
  "-1",
  "1.5",
  "1e308",
  "99999999999999999999999",
  "9007199254740993",
  "NaN",
  "0x10",
  "",
  "\u0663",
  "\uff11",
  "4294967296",
];
const TEXT_PIECES = [
  ",",
  "{",
  "}",
  ":",
  " ",
  "\n",
  "\r",
  "\t",
  "#",
  "-",
  "size",
  "CLUSTER-",
  '"',
  "[",
  "]",
  "null",
  "\u0000",
];

/** One seeded mutation of `input` (1 to 3 operators). */
function mutate(input: Uint8Array, random: Random, text: boolean): Uint8Array {
  let bytes: Uint8Array = input.slice();
  const operators = 1 + random.int(3);
  for (let n = 0; n < operators; n++) {
    const at = bytes.length === 0 ? 0 : random.int(bytes.length);
    switch (random.int(text ? 10 : 8)) {
      case 0: // flip bits
        if (bytes.length > 0) bytes[at] ^= 1 << random.int(8);
        break;
      case 1: // a boundary byte value
        if (bytes.length > 0) bytes[at] = BYTE_VALUES[random.int(BYTE_VALUES.length)];
        break;
      case 2: { // a boundary 32-bit big-endian word in the header
        const offset = 4 * random.int(6);
        if (offset + 4 <= bytes.length) {
          const value = random.next() < 0.3
            ? Math.floor(random.next() * 2 ** 32)
            : WORD_VALUES[random.int(WORD_VALUES.length)];
          new DataView(bytes.buffer, bytes.byteOffset).setUint32(offset, value, false);
        }
        break;
      }
      case 3: // truncate
        bytes = bytes.slice(0, at);
        break;
      case 4: { // append or insert random bytes
        const extra = Uint8Array.from({ length: 1 + random.int(64) }, () => random.int(256));
        bytes = concatBytes([bytes.slice(0, at), extra, bytes.slice(at)]);
        break;
      }
      case 5: { // delete a range
        const end = Math.min(bytes.length, at + 1 + random.int(32));
        bytes = concatBytes([bytes.slice(0, at), bytes.slice(end)]);
        break;
      }
      case 6: { // duplicate a range
        const end = Math.min(bytes.length, at + 1 + random.int(64));
        bytes = concatBytes([bytes.slice(0, end), bytes.slice(at, end), bytes.slice(end)]);
        break;
      }
      case 7: // overwrite a random byte
        if (bytes.length > 0) bytes[at] = random.int(256);
        break;
      case 8: { // replace a number with a troublesome one
        const source = new TextDecoder().decode(bytes);
        const numbers = [...source.matchAll(/\d+(\.\d+)?/g)];
        if (numbers.length > 0) {
          const match = numbers[random.int(numbers.length)];
          const replacement = TEXT_NUMBERS[random.int(TEXT_NUMBERS.length)];
          bytes = new TextEncoder().encode(
            source.slice(0, match.index) + replacement + source.slice(match.index! + match[0].length),
          );
        }
        break;
      }
      case 9: { // insert a piece of the syntax
        const piece = new TextEncoder().encode(TEXT_PIECES[random.int(TEXT_PIECES.length)]);
        bytes = concatBytes([bytes.slice(0, at), piece, bytes.slice(at)]);
        break;
      }
    }
  }
  return bytes;
}

/** Options for {@linkcode fuzzParser}. */
export interface FuzzOptions {
  /** Valid inputs to mutate (round robin). */
  inputs: Uint8Array[];
  /** Parses one input; may return a value or throw an InputError. */
  parse: (bytes: Uint8Array) => unknown;
  /** Number of mutations. Default 1,000. */
  count?: number;
  /** Also use the text operators (numbers, syntax pieces). */
  text?: boolean;
  /** Salt added to the seed so that parsers get different mutation streams. */
  salt?: number;
}

/** What a fuzz run saw. */
export interface FuzzStats {
  /** Mutations run. */
  runs: number;
  /** Mutations the parser accepted. */
  accepted: number;
  /** Mutations the parser refused with an InputError. */
  refused: number;
}

/** Runs the mutations (see the module doc); throws an AssertionError on any other exception. */
export async function fuzzParser(name: string, options: FuzzOptions): Promise<FuzzStats> {
  const count = options.count ?? 1000;
  const seed = (FUZZ_SEED + (options.salt ?? 0)) >>> 0;
  const random = createRandom(seed);
  const stats: FuzzStats = { runs: 0, accepted: 0, refused: 0 };
  for (let i = 0; i < count; i++) {
    const input = options.inputs[i % options.inputs.length];
    const bytes = mutate(input, random, options.text ?? false);
    stats.runs += 1;
    try {
      await options.parse(bytes);
      stats.accepted += 1;
    } catch (error) {
      if (error instanceof InputError) {
        if (/[\n\r]/.test(error.message)) {
          throw new AssertionError({
            message: `${name}: mutation ${i} (seed ${seed}): a message of several lines`,
          });
        }
        stats.refused += 1;
        continue;
      }
      const head = Array.from(bytes.subarray(0, 48), (b) => b.toString(16).padStart(2, "0")).join(" ");
      throw new AssertionError({
        message: `${name}: mutation ${i} (seed ${seed}, ${bytes.length} bytes: ${head} ...) threw ${
          error instanceof Error ? `${error.name}: ${error.message}` : String(error)
        }`,
      });
    }
  }
  return stats;
}
