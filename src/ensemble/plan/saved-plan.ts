// A plan saved to a file (`ensemble.plan:NAME,out=plan.json`), to be applied later exactly as
// reviewed (`ensemble.up:NAME,plan=plan.json`). The file holds the plan as plain data with
// digests of the manifest text and of the observed world it was made from. Apply plans afresh,
// and applies only if the fresh plan and the digests match the file (see staleness.ts): the
// file itself never drives apply, so it needs no secrets and an edited file cannot do more
// than be refused. Shape: schema/plan.schema.json.

import { readFileSync } from 'node:fs';
import { UsageError } from '../../core/errors.ts';
import { writeLocalAtomically } from '../../transport/atomic-local.ts';
import { observedDigest } from './fingerprints.ts';
import type { PlanJson } from './plan-json.ts';

export { manifestDigest, observedDigest, observedFingerprints } from './fingerprints.ts';
export { staleness, StalePlanError, type FreshState } from './staleness.ts';

export const SAVED_PLAN_FORMAT = 'hitc-plan';
export const SAVED_PLAN_VERSION = 1;

export interface SavedPlan {
  readonly format: typeof SAVED_PLAN_FORMAT;
  readonly version: typeof SAVED_PLAN_VERSION;
  /** When the plan was made (ISO 8601, UTC). */
  readonly created: string;
  readonly ensemble: string;
  /** The manifest file as given, and the sha256 of its text. */
  readonly manifest: { readonly file: string; readonly digest: string };
  /** observedDigest(fingerprints), and the fingerprints (thing id → short sha256). */
  readonly observed: { readonly digest: string; readonly fingerprints: Readonly<Record<string, string>> };
  readonly plan: PlanJson;
}

/** Written atomically (temporary file beside it, synced, renamed), mode 0600 even over an
 *  existing file: a plan names servers, addresses and firewall sources. */
export async function writeSavedPlan(path: string, saved: SavedPlan): Promise<void> {
  // fields in the documented order, whatever order the caller built them in
  const { format, version, created, ensemble, manifest, observed, plan } = saved;
  const ordered = { format, version, created, ensemble, manifest: { file: manifest.file, digest: manifest.digest }, observed: { digest: observed.digest, fingerprints: observed.fingerprints }, plan };
  const text = `${JSON.stringify(ordered, null, 2)}\n`;
  await writeLocalAtomically(path, async (file) => {
    await file.writeFile(text, 'utf8');
  }, 0o600);
}

/** The saved plan in `path`, checked enough to compare with a fresh plan; UsageError naming
 *  the file otherwise. */
export function readSavedPlan(path: string): SavedPlan {
  const problem = (what: string): UsageError =>
    new UsageError(`plan file ${path} ${what}`, { argument: path, hint: 'hitc ensemble.plan:NAME,out=FILE writes one' });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw problem(code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? (error as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw problem('is not JSON');
  }
  const o = data as Record<string, unknown> | null;
  if (!isObject(o) || o.format !== SAVED_PLAN_FORMAT) throw problem('is not a hitc plan (no "format": "hitc-plan")');
  if (o.version !== SAVED_PLAN_VERSION) {
    throw problem(typeof o.version === 'number' && o.version > SAVED_PLAN_VERSION
      ? `was written by a newer hitc (plan format version ${o.version}; this hitc reads version ${SAVED_PLAN_VERSION})`
      : `has an unknown plan format version ${JSON.stringify(o.version)}`);
  }
  const missing = shapeProblem(o);
  if (missing) throw problem(`is damaged: ${missing}`);
  const saved = o as unknown as SavedPlan;
  if (observedDigest(saved.observed.fingerprints) !== saved.observed.digest) throw problem('was edited: its observed digest does not match its fingerprints');
  return saved;
}

/** What is wrong with the fields the staleness check reads, or undefined. The plan's ops are
 *  compared with a fresh plan's as a whole, so any other damage makes the plan stale. */
function shapeProblem(o: Record<string, unknown>): string | undefined {
  if (typeof o.created !== 'string') return '"created" is not a string';
  if (typeof o.ensemble !== 'string') return '"ensemble" is not a string';
  const m = o.manifest;
  if (!isObject(m) || typeof m.file !== 'string' || typeof m.digest !== 'string') return '"manifest" needs "file" and "digest"';
  const obs = o.observed;
  if (!isObject(obs) || typeof obs.digest !== 'string' || !isObject(obs.fingerprints)) return '"observed" needs "digest" and "fingerprints"';
  if (!Object.values(obs.fingerprints).every((v) => typeof v === 'string')) return 'a fingerprint is not a string';
  const plan = o.plan;
  if (!isObject(plan) || !isObject(plan.ensemble) || typeof plan.ensemble.name !== 'string') return '"plan" has no ensemble name';
  if (!Array.isArray(plan.ops) || !plan.ops.every((op) => isObject(op) && typeof op.id === 'string' && typeof op.kind === 'string')) return '"plan.ops" is not a list of ops with ids';
  for (const list of ['unchanged', 'unavailable', 'conflicts', 'orphans', 'warnings']) {
    if (!Array.isArray(plan[list])) return `"plan.${list}" is not a list`;
  }
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
