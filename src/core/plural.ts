/** "1 error", "9 errors": a count and its noun, with the noun's plural 's' when the count is not 1. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
