// What makes the manifest schema friendly in an editor, applied to the whole of it after it is
// written (manifest-schema-source.ts): words instead of regular expressions, one schema for "a
// number or the same number as text", and a title on every key.

type Schema = Record<string, any>;

// Editors (yaml-language-server) report a failed pattern with the regular expression itself;
// patternErrorMessage (its extension keyword) says what was expected instead.
const MESSAGES: [RegExp, string][] = [
  [/^\^\[A-Za-z0-9\]\[A-Za-z0-9_\.-\]\{0,62\}/, 'The ensemble\'s name: 1 to 63 letters, digits, _ . or -, starting with a letter or digit.'],
  [/^\^\[a-zA-Z0-9\]\[a-zA-Z0-9_\.-\]\+\$$/, 'A container name: at least 2 letters, digits, _ . or -, starting with a letter or digit.'],
  [/^\^\(\?=\[A-Za-z0-9\$\]\)/, 'Not an image name: NAME[:TAG], e.g. nginx:1.27 (no spaces, not starting with -).'],
  [/^\^\/\[\^:\]\*\$$/, 'A host path: absolute, without ":".'],
  [/^\^\/\[\^:\]\*:/, '"HOST:CONTAINER": an absolute host path without ":", then the container path, e.g. /srv/data:/data.'],
  [/^\^\(\?=\.\{1,253\}/, 'Not a host name: letters, digits and inner hyphens in dot-separated parts (e.g. db-1.internal).'],
  [/TtRrUuEe|\[tT\]\[rR\]/, 'true or false (also yes/no, on/off, 1/0).'],
  [/\[nN\]\[oO\]\|\[aA\]/, 'A restart policy: no, always, unless-stopped, on-failure or on-failure:N (N ≥ 1).'],
  [/^\^\[1-9\]\[0-9\]\*\[kmgKMG\]/, 'A size such as 10m, 500k or 1g.'],
  [/%\)\\s\*\$$/, 'A number of copies (1 to 10000) or a share from 1% to 100%, e.g. "25%".'],
  [/^\^\/$/, 'An HTTP path, starting with /.'],
  [/^\^\[A-Za-z_\]\[A-Za-z0-9_\]\*\$$/, 'Not an environment variable name: letters, digits and _, not starting with a digit.'],
  [/\$internal_ips\|\\s\*/, 'Not a firewall source: "*", IPv4 addresses or CIDRs (comma-separated), $internal_ips, or a value with ${…} variables.'],
  [/^\^\(\?:\[\^\$\\\\\]/, 'Not a command hitc can split: a bare $ (write $$ or \\$ for a literal $, ${SERVER.FIELD} for a variable).'],
  [/^\^\(\?:\(\?:\[\^\$\]/, 'A bare $ or a malformed variable: write ${SERVER.FIELD} or ${SERVER.containers.CONTAINER.FIELD}, $$ for a literal $; $internal_ips and $servers stand alone.'],
  [/\(\?::0\*/, 'Not a port spec: CONTAINER[:PUBLIC][/tcp|udp] with ports 1 to 65535, e.g. 80, "3306:3307", 53/udp.'],
  [/^\^\[0-9\]\+\[bkmgBKMG\]/, 'Not a size: a number of bytes, or one with k, m or g, e.g. 512m or 2g.'],
  [/^\^\\s\*0\*\(\?:\[1-9\]\[0-9\]\?\|100\)\\s\*\$$|^\^0\*\(\?:\[1-9\]\[0-9\]\?\|100\)\$$/, 'A whole number from 1 to 100.'],
  [/^\^\\s\*\[0-9\]\+\\s\*\$$/, 'A whole number.'],
  [/^\^\\s\*\[0-9\]\+\(\?:\\\.\[0-9\]\+\)\?\\s\*\$$/, 'A number of seconds.'],
  [/^\\S$/, 'Must not be empty.'],
];
// one schema for "a number, or the same number written as text": editors then report the
// number's bounds or the text's pattern, not "Incorrect type" from an anyOf branch
const mergeable = (x: Schema): boolean => x && typeof x === 'object' && typeof x.type === 'string' && Object.keys(x).every((k) => ['type', 'minimum', 'maximum', 'pattern'].includes(k));
const polish = (node: any): void => {
  if (Array.isArray(node)) return node.forEach(polish);
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node.anyOf) && node.anyOf.length === 2 && node.anyOf.every(mergeable) && node.anyOf.filter((x: Schema) => x.type === 'string').length === 1) {
    const [a, b] = node.anyOf;
    delete node.anyOf;
    Object.assign(node, { ...a, ...b, type: [a.type, b.type] });
  }
  if (typeof node.pattern === 'string' && !node.patternErrorMessage) {
    const found = MESSAGES.find(([re]) => re.test(node.pattern as string));
    if (!found) throw new Error(`no message for pattern ${node.pattern}`);
    node.patternErrorMessage = found[1];
  }
  for (const [k, v] of Object.entries(node)) if (k !== 'enum' && k !== 'const') polish(v);
};

// hover shows a title as its heading (else the nearest one above: the whole manifest's)
const TITLES: Record<string, string> = { server: 'server', serverFields: 'server', containers: 'containers', container: 'container', containerFields: 'container', environment: 'environment', firewall: 'firewall', firewallSource: 'firewall source', commandText: 'command', textWithVariables: 'text with variables', portSpec: 'port spec', memory: 'memory' };

/** The schema with messages, merged number-or-text schemas and titles. */
export function polishSchema(schema: Schema): Schema {
  polish(schema);
  for (const [name, title] of Object.entries(TITLES)) schema.definitions[name] = { title, ...schema.definitions[name] };
  const titled = (node: any): void => {
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries<any>(node.properties ?? {})) if (value && typeof value === 'object' && !value.$ref && !value.title) node.properties[key] = { title: key, ...value };
    for (const [k, v] of Object.entries(node)) if (k !== 'if' && k !== 'enum' && k !== 'const') titled(v);
  };
  titled(schema);
  for (const value of Object.values<Schema>(schema.patternProperties)) if (!value.title) value.title = 'unmanaged server';
  return schema;
}
