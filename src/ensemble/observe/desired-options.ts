// Each manifest server's create options as its provider spells them (sizes and regions in its
// case, image aliases checked against the account), before anything is planned: the planner
// compares like with like, and an option the provider refuses is a manifest error at plan time,
// so no server is ever terminated for a replacement that cannot be created.

import { ManifestError, UsageError, type ManifestIssue } from '../../core/errors.ts';
import type { TaskContext } from '../../taskfile/context-types.ts';
import { describeId, serverId, type Manifest, type ManifestServer } from '../manifest/model.ts';
import type { DesiredOptions } from '../plan/decide.ts';
import { parseValue } from '../manifest/variables.ts';
import type { Located } from './observe.ts';

export async function desiredOptions(
  c: TaskContext, manifest: Manifest, located: ReadonlyMap<string, Located>,
): Promise<Record<string, DesiredOptions>> {
  const out: Record<string, DesiredOptions> = {};
  const issues: ManifestIssue[] = [];
  // copies (count) share their options: one provider check, and one issue, for all of them
  const checked = new Map<string, Promise<Readonly<Record<string, string>> | undefined>>();
  await Promise.all(manifest.servers.map(async (server) => {
    if (server.provider === 'unmanaged') {
      out[server.name] = { options: {} };
      return;
    }
    // a value read from another server may change in this very plan (that server replaced):
    // such options are filled in, and checked by the provider before anything is terminated,
    // by apply once that server is done
    if (Object.values(server.options).some(hasVariables)) {
      out[server.name] = { waitsFor: manifest.graph.dependencies(serverId(server.name)) };
      return;
    }
    // no variables: filling in only turns $$ into $
    const given = Object.fromEntries(Object.entries(server.options).map(([k, v]) => [k, literal(v)]));
    const key = `${server.provider}\0${JSON.stringify(Object.entries(given).sort())}`;
    let check = checked.get(key);
    if (!check) {
      check = validate(c, server, given, located, issues);
      checked.set(key, check);
    }
    const options = await check;
    if (options) out[server.name] = { options };
  }));
  if (issues.length > 0) throw new ManifestError(manifest.file, issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  return out;
}

async function validate(
  c: TaskContext, server: ManifestServer, given: Record<string, string>, located: ReadonlyMap<string, Located>, issues: ManifestIssue[],
): Promise<Readonly<Record<string, string>> | undefined> {
  const provider = located.get(server.name)?.provider ?? (await c.cloud.providers.get(server.provider));
  try {
    return await provider.validateCreateOptions(given, c.cloud.env());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const field = error.argument && Object.hasOwn(given, error.argument) ? `.${error.argument}` : '';
    issues.push({
      path: `${describeId(serverId(server.name))}${field}`, line: server.line, message: `${error.message} (nothing was planned or changed)`,
      ...(error.hint ? { hint: error.hint } : {}),
    });
    return undefined;
  }
}

function hasVariables(value: string): boolean {
  const parsed = parseValue(value);
  return parsed.kind !== 'segments' || parsed.segments.some((s) => s.kind === 'ref');
}

/** A value without variables as text ($$ becomes $). */
function literal(value: string): string {
  const parsed = parseValue(value);
  return parsed.kind === 'segments' ? parsed.segments.map((s) => (s.kind === 'text' ? s.text : '')).join('') : value;
}
