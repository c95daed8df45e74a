// Templates: a `template: NAME` key copies every top-level key of templates.NAME that the spec
// lacks (shallow, the spec wins), as the original did. Applied to servers, containers, a
// container's environment and firewalls. Unknown template names are issues with a suggestion.

import type { ManifestIssue } from '../../core/errors.ts';
import { suggest } from '../../core/suggest.ts';
import { entry, text, type LMap, type LNode } from './yaml-tree.ts';

export function applyTemplate(
  node: LMap,
  templates: ReadonlyMap<string, LNode>,
  path: string,
  issues: ManifestIssue[],
): LMap {
  const ref = entry(node, 'template');
  if (!ref) return node;
  const name = text(ref.value);
  const own = node.entries.filter((e) => e.key !== 'template');
  const template = name === undefined ? undefined : templates.get(name);
  if (!template) {
    const close = name === undefined ? [] : suggest(name, templates.keys());
    issues.push({
      path: `${path}.template`,
      line: ref.line,
      message: name === undefined ? 'template must be a template name' : `unknown template "${name}"`,
      ...(close.length > 0 ? { hint: `did you mean ${close.join(' or ')}?` } : templates.size > 0 ? { hint: `templates: ${[...templates.keys()].join(', ')}` } : {}),
    });
    return { ...node, entries: own };
  }
  if (template.kind !== 'map') {
    issues.push({ path: `templates.${name}`, line: template.line, message: 'a template must be a mapping' });
    return { ...node, entries: own };
  }
  const have = new Set(own.map((e) => e.key));
  return { ...node, entries: [...own, ...template.entries.filter((e) => !have.has(e.key))] };
}
