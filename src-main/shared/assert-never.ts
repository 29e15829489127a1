// Closes a switch over a union: the compiler proves every case is handled, and a value that slips through anyway fails loudly.
export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)?.slice(0, 200)}`);
}
