// What this ensemble made that the manifest no longer has: its containers, firewalls and
// servers. Listed and kept, or, with prune, removed once everything else on their server is
// done (a stray server only after the server that takes its name is up).

import { ASIDE_SUFFIX } from '../../docker/commands.ts';
import { swapRole } from '../../docker/swap-names.ts';
import { firewallEnsembleTag } from '../firewall/firewall-commands.ts';
import { containerId, firewallId, type Manifest } from '../manifest/model.ts';
import { LABELS, type ObservedWorld } from '../observe/observed.ts';
import { opId, type Note, type Op, type Plan } from './ops.ts';

export function orphanOps(manifest: Manifest, observed: ObservedWorld, input: { ensemble: Plan['ensemble']; prune: boolean; ops: readonly Op[]; unchanged: readonly Note[] }): { ops: Op[]; kept: Note[] } {
  const ops: Op[] = [];
  const kept: Note[] = [];
  const onServer = (server: string): string[] => input.ops.filter((o) => o.server === server && (o.kind === 'run-container' || o.kind === 'replace-container')).map((o) => o.id);
  for (const s of manifest.servers) {
    const obs = observed.servers[s.name];
    // on a server being replaced they go with the old server: nothing to remove on the new one
    const replaced = input.ops.some((o) => o.kind === 'replace-server' && o.server === s.name);
    for (const c of obs?.containers ?? []) {
      if (c.labels[LABELS.ensemble] !== input.ensemble.name || s.containers.some((x) => x.name === c.name)) continue;
      // the old container of an interrupted replacement, while its own name is free: it is that
      // container (its apply gives it the name back first), never an orphan to prune
      const of = c.name.endsWith(ASIDE_SUFFIX) ? c.name.slice(0, -ASIDE_SUFFIX.length) : undefined;
      if (of && s.containers.some((x) => x.name === of) && !obs?.containers.some((x) => x.name === of)) continue; // (labelled ours: checked above)
      // a swap's stand-in or earlier copy belongs to its container: kept, put right or removed with
      // it (remove-container takes them too); alone, with neither left, it is an orphan itself
      const swap = swapRole(c.name);
      if (swap && (s.containers.some((x) => x.name === swap.of) || obs?.containers.some((x) => x.name === swap.of && x.labels[LABELS.ensemble] === input.ensemble.name))) continue;
      const reason = replaced ? 'not in the manifest any more; goes with the server being replaced' : 'not in the manifest any more';
      if (input.prune && !replaced) ops.push({ id: opId('remove-container', `${s.name}/${c.name}`), kind: 'remove-container', server: s.name, container: c.name, reason, after: onServer(s.name) });
      else kept.push({ id: containerId(s.name, c.name), kind: 'container', server: s.name, name: c.name, reason });
    }
    const fw = obs?.firewall;
    if (!s.firewall && fw?.specHash && fw.ensemble === firewallEnsembleTag(input.ensemble.name)) {
      const reason = replaced ? 'the manifest has no firewall for it any more; goes with the server being replaced' : 'the manifest has no firewall for it any more';
      if (input.prune && !replaced) ops.push({ id: opId('remove-firewall', s.name), kind: 'remove-firewall', server: s.name, reason, after: [] });
      else kept.push({ id: firewallId(s.name), kind: 'firewall', server: s.name, name: s.name, reason });
    }
  }
  for (const stray of observed.strays ?? []) {
    const moved = manifest.servers.find((s) => s.name === stray.name);
    const reason = moved ? `${stray.provider} server created by this ensemble; the manifest now puts ${stray.name} on ${moved.provider}` : `${stray.provider} server created by this ensemble (${stray.state}); the manifest no longer has it`;
    // two manifests with the same file name (prod/web.yml, staging/web.yml) share a default
    // name: terminating servers by it needs the manifest to say whose they are
    const replacement = input.ops.find((o) => o.server === stray.name && (o.kind === 'create-server' || o.kind === 'replace-server'));
    // a server moved to another provider goes only once the new one can be made (or exists)
    const movedReady = !moved || replacement !== undefined || input.unchanged.some((n) => n.id === `server:${stray.name}`);
    if (input.prune && input.ensemble.from === 'manifest' && movedReady) {
      ops.push({
        id: opId('terminate-server', `${stray.provider}/${stray.nodeId ?? stray.name}`), kind: 'terminate-server', server: stray.name, provider: stray.provider, reason,
        node: { id: stray.nodeId ?? stray.name, name: stray.name, state: stray.state }, after: replacement ? [replacement.id] : [],
      });
    } else {
      const why = !input.prune ? '' : !movedReady ? `; kept until ${stray.name} exists on ${moved?.provider}` : `; prune terminates servers only for an ensemble whose manifest names it (add name: ${input.ensemble.name} to the manifest)`;
      kept.push({ id: stray.id, kind: 'server', server: stray.name, name: stray.name, reason: `${reason}${why}` });
    }
  }
  return { ops, kept };
}
