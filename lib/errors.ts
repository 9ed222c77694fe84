/**
 * Errors that a user caused (a bad file, a bad flag) and that command-line tools report as one line
 * with exit code 2.
 * @module
 */

/**
 * A problem with the user's input: a file, a flag or a config value. Tools print `message` and exit 2.
 * The message is always one line: line breaks and other control characters (which a corrupt file
 * could bring into it) are replaced by spaces.
 */
export class InputError extends Error {
  /** Creates an input error; `message` should name the file or flag and say what was wrong. */
  constructor(message: string) {
    // deno-lint-ignore no-control-regex
    super(message.replace(/[\u0000-\u001f\u007f]+/g, " "));
    this.name = "InputError";
  }
}

/** Throws an {@linkcode InputError} with `message` when `condition` is false. */
export function ensureInput(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InputError(message);
}
