/** The bytes are not a message Talki can take (no headers, no sender, nothing at all). */
export class MalformedEmailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedEmailError';
  }
}
