/**
 * `Range` header handling per RFC 9110 §14, for one representation of `size` bytes.
 *
 * - absent, syntactically invalid, or a unit other than `bytes` → `full` (the header is ignored, 200)
 * - several ranges → `full` (we do not produce multipart/byteranges; a 200 with the whole body is a
 *   valid answer and what every player we target handles)
 * - one satisfiable range → `partial` with inclusive bounds clamped to the representation
 * - one unsatisfiable range (starts at or past the end, or a zero-length suffix) → `unsatisfiable` (416)
 */
export type RangeDecision =
  { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

const BYTE_RANGE_SPEC = /^(\d*)-(\d*)$/;

export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return { kind: 'full' };
  const match = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!match) return { kind: 'full' };
  const specs = match[1].split(',').map((spec) => spec.trim());
  if (specs.length === 0 || specs.some((spec) => !BYTE_RANGE_SPEC.test(spec) || spec === '-'))
    return { kind: 'full' };
  if (specs.length > 1) return { kind: 'full' };

  const [, first, last] = BYTE_RANGE_SPEC.exec(specs[0])!;
  // Positions past 2^53 are still numbers: compared exactly as BigInts, they only ever mean "past
  // the end" (a size is always a safe integer), so they clamp or make the range unsatisfiable.
  if (first === '') {
    // Suffix range: the last N bytes (more than the whole file is the whole file).
    const length = BigInt(last);
    if (length === 0n || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: length >= BigInt(size) ? 0 : size - Number(length), end: size - 1 };
  }
  if (last !== '' && BigInt(last) < BigInt(first)) return { kind: 'full' }; // invalid spec: ignore the header
  if (BigInt(first) >= BigInt(size)) return { kind: 'unsatisfiable' };
  const start = Number(first);
  const end = last === '' || BigInt(last) >= BigInt(size) ? size - 1 : Number(last);
  return { kind: 'partial', start, end };
}
