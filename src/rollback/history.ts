/**
 * The alias's promotion history, kept in the alias description: which versions were promoted on
 * it, newest first. Lambda keeps no history of an alias, and a version's description (written
 * when it is published, immutable afterwards) cannot say whether its release was later rolled
 * back. Without this, `rollback --to previous` could only guess "the newest release below the
 * current version", which lands on a release that was rolled back automatically. Pure.
 *
 * Format: `model-release-gate promoted=6,4,3`, appended to whatever else the description says
 * (someone else's text is kept). Alias descriptions hold at most 256 characters.
 */

const MARKER = 'model-release-gate promoted=';
/** Versions kept: enough to walk back through many releases, short enough for 256 characters. */
export const PROMOTION_HISTORY_LIMIT = 20;
export const ALIAS_DESCRIPTION_LIMIT = 256;

/** The promoted versions recorded in an alias description, newest first; undefined when there is no record. */
export function parsePromotionHistory(description: string | undefined): string[] | undefined {
  if (description === undefined) return undefined;
  const at = description.indexOf(MARKER);
  if (at < 0) return undefined;
  const list = description.slice(at + MARKER.length).split(/\s/, 1)[0] ?? '';
  const versions = list.split(',').filter((v) => /^\d+$/.test(v));
  return versions.length > 0 ? versions : undefined;
}

/**
 * The alias description after promoting `candidate` over `previous` (the version it replaces):
 * the candidate first, then the recorded history (or just `previous` when there is none yet),
 * without repeating the candidate, shortened to fit. Returns undefined when even the shortest
 * record would not fit beside someone else's text: the description is then left alone.
 */
export function recordPromotion(description: string | undefined, candidate: string, previous: string): string | undefined {
  const history = parsePromotionHistory(description) ?? [previous];
  const versions = [candidate, ...history.filter((v) => v !== candidate)].slice(0, PROMOTION_HISTORY_LIMIT);
  const others = withoutRecord(description ?? '');
  for (let keep = versions.length; keep >= Math.min(2, versions.length); keep--) {
    const text = `${others} ${MARKER}${versions.slice(0, keep).join(',')}`.trim();
    if (text.length <= ALIAS_DESCRIPTION_LIMIT) return text;
  }
  return undefined;
}

/** The version promoted before `current`, by the recorded history; undefined when the history does not say. */
export function promotedBefore(history: readonly string[], current: string): string | undefined {
  const at = history.indexOf(current);
  return at >= 0 ? history[at + 1] : undefined;
}

function withoutRecord(description: string): string {
  const at = description.indexOf(MARKER);
  if (at < 0) return description.trim();
  const rest = description.slice(at + MARKER.length).replace(/^\S*/, '');
  return `${description.slice(0, at)}${rest}`.replace(/\s+/g, ' ').trim();
}
