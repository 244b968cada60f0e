/**
 * The alias's serving history, kept in the alias description: the versions that served on it,
 * newest first, with every release that was rolled back taken out. Lambda keeps no history of
 * an alias, and a version's description (written when it is published, immutable afterwards)
 * cannot say whether its release was later rolled back. `rollback --to previous` reads it: the
 * entry after the current version is the version that served right before the current one took
 * over. Pure.
 *
 * The rule, for every write of the alias's primary version by model-release-gate:
 * - a promotion of C over P (the version serving) puts C first, then P and what the history
 *   records below P; entries above P are dropped (the alias was moved back to P without a
 *   record: by hand, or by an older model-release-gate), and a P the history does not know is
 *   kept, since it did serve before C;
 * - a manual rollback from F to T unwinds: T first, then what the history records below T (all
 *   of it when T is not recorded), without F. F and anything above T were rolled back, so
 *   `previous` never returns to them: rolling back twice walks back through the releases that
 *   were promoted, and after a rollback to a version outside the history, `previous` is the
 *   version that served before F;
 * - an automatic rollback restores the primary version, which the history already describes.
 *
 * Format: `model-release-gate promoted=6,4,3`, appended to whatever else the description says
 * (someone else's text is kept). Alias descriptions hold at most 256 characters.
 */

const MARKER = 'model-release-gate promoted=';
/** Versions kept: enough to walk back through many releases, short enough for 256 characters. */
export const PROMOTION_HISTORY_LIMIT = 20;
export const ALIAS_DESCRIPTION_LIMIT = 256;

/** The versions recorded in an alias description, newest first; undefined when there is no record. */
export function parsePromotionHistory(description: string | undefined): string[] | undefined {
  if (description === undefined) return undefined;
  const at = description.indexOf(MARKER);
  if (at < 0) return undefined;
  const list = description.slice(at + MARKER.length).split(/\s/, 1)[0] ?? '';
  // Lambda version numbers, or SageMaker model names (letters, digits, hyphens).
  const versions = list.split(',').filter((v) => /^[a-zA-Z0-9](?:-*[a-zA-Z0-9])*$/.test(v));
  return versions.length > 0 ? versions : undefined;
}

/**
 * The alias description after promoting `candidate` over `previous` (the version serving, which
 * it replaces), by the rule above, shortened to fit. Returns undefined when even the shortest
 * record would not fit beside someone else's text: the description is then left alone.
 */
export function recordPromotion(description: string | undefined, candidate: string, previous: string): string | undefined {
  const history = parsePromotionHistory(description);
  const at = history?.indexOf(previous) ?? -1;
  const serving = history === undefined ? [previous] : at >= 0 ? history.slice(at) : [previous, ...history];
  return fitRecord(withoutRecord(description ?? ''), [candidate, ...serving.filter((v) => v !== candidate)]);
}

/**
 * The alias description after a manual rollback from `from` (the primary version it replaces)
 * to `to`, by the rule above. Undefined when the description holds no history (the next
 * promotion starts one). When the new record cannot fit beside someone else's text, the old
 * record is removed rather than left to mislead `previous`.
 */
export function recordRollback(description: string | undefined, to: string, from: string): string | undefined {
  const history = parsePromotionHistory(description);
  if (history === undefined) return undefined;
  const at = history.indexOf(to);
  const below = at >= 0 ? history.slice(at + 1) : history;
  const others = withoutRecord(description ?? '');
  return fitRecord(others, [to, ...below.filter((v) => v !== from && v !== to)]) ?? others;
}

/** The version that served before `current`, by the recorded history; undefined when the history does not say. */
export function promotedBefore(history: readonly string[], current: string): string | undefined {
  const at = history.indexOf(current);
  return at >= 0 ? history[at + 1] : undefined;
}

/** `others` followed by the record of `versions`, as many as fit (at least two, or the only one); undefined when none fits. */
function fitRecord(others: string, versions: readonly string[]): string | undefined {
  const kept = versions.slice(0, PROMOTION_HISTORY_LIMIT);
  for (let keep = kept.length; keep >= Math.min(2, kept.length); keep--) {
    const text = `${others} ${MARKER}${kept.slice(0, keep).join(',')}`.trim();
    if (text.length <= ALIAS_DESCRIPTION_LIMIT) return text;
  }
  return undefined;
}

function withoutRecord(description: string): string {
  const at = description.indexOf(MARKER);
  if (at < 0) return description.trim();
  const rest = description.slice(at + MARKER.length).replace(/^\S*/, '');
  return `${description.slice(0, at)}${rest}`.replace(/\s+/g, ' ').trim();
}
