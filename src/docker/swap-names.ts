// The names a container's swap gives to the containers around it. Observation, the planner,
// prune and rollback all read these names, so they are built and read here only.
//
//   NAME-hitc-next             the stand-in that serves while NAME is being replaced (transient)
//   NAME-hitc-prev-EPOCHSECS   an earlier NAME, stopped and kept for rollback (newest KEEP_PREVIOUS)

/** The stand-in that takes the traffic while the container's final copy starts. */
export const NEXT_SUFFIX = '-hitc-next';
/** Between the container's name and the second it was replaced (UTC epoch seconds). */
export const PREV_INFIX = '-hitc-prev-';
/** How many stopped earlier copies of a container are kept for rollback. */
export const KEEP_PREVIOUS = 2;

export const nextName = (name: string): string => `${name}${NEXT_SUFFIX}`;
export const prevName = (name: string, epochSeconds: number): string => `${name}${PREV_INFIX}${epochSeconds}`;

/** What a swap-made name belongs to: `web-hitc-prev-1764000000` → web (prev, 1764000000),
 *  `web-hitc-next` → web (next); any other name → undefined. */
export function swapRole(containerName: string): { readonly of: string; readonly role: 'next' } | { readonly of: string; readonly role: 'prev'; readonly epoch: number } | undefined {
  if (containerName.endsWith(NEXT_SUFFIX) && containerName.length > NEXT_SUFFIX.length) return { of: containerName.slice(0, -NEXT_SUFFIX.length), role: 'next' };
  const m = /^(.+)-hitc-prev-(\d{1,12})$/.exec(containerName);
  return m ? { of: m[1] as string, role: 'prev', epoch: Number(m[2]) } : undefined;
}

/** The earlier copies of `name` among `containerNames`, newest first. */
export function previousOf(name: string, containerNames: readonly string[]): { readonly name: string; readonly epoch: number }[] {
  return containerNames
    .map((n) => ({ n, r: swapRole(n) }))
    .flatMap(({ n, r }) => (r?.role === 'prev' && r.of === name ? [{ name: n, epoch: r.epoch }] : []))
    .sort((a, b) => b.epoch - a.epoch || (a.name < b.name ? -1 : 1));
}
