// The source of schema/manifest.schema.json (what YAML editors check and complete manifests
// with): the schema as code, so a regular expression is written once however often it is used.
// manifest-schema.test.ts checks the committed file is what this makes; HITC_UPDATE_FIXTURES=1
// rewrites it (read the diff). Patterns mirror the parser's (src/ensemble/manifest/).
import { PROVIDER_OPTIONS } from '../../../src/ensemble/manifest/parse-manifest.ts';
import { polishSchema } from './manifest-schema-polish.ts';

type Schema = Record<string, any>;

const PORT = '0*(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])';
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const ADDR = `${OCTET}(?:\\.${OCTET}){3}(?:/(?:3[0-2]|[12]?[0-9]))?`;
const FIELD = '[A-Za-z_][A-Za-z0-9_]*(?:\\[[^\\][}]+\\])*';
const REF = `\\$\\{(?:[0-9]{1,3}(?:\\.[0-9]{1,3}){3}|[^}.]+)(?:\\.containers\\.[^}.]+)?\\.${FIELD}\\}`;
const TEXT = `(?:[^$]|\\$\\$|${REF})*`;
const VARS = `^(?:${TEXT}|\\$internal_ips|\\$servers)$`;
const VARS_NOTE = ' May hold variables: ${SERVER.FIELD}, ${SERVER.containers.CONTAINER.FIELD}, ${host.FIELD}, $$ for a literal $; $internal_ips and $servers stand alone.';
const ci = (word: string): string => [...word].map((ch) => (/[a-z]/.test(ch) ? `[${ch}${ch.toUpperCase()}]` : ch)).join('');
const IPV4_NAME = '^[0-9]{1,3}(?:\\.[0-9]{1,3}){3}$';
const RESERVED = Object.getOwnPropertyNames(Object.prototype);

const VAR_TEXT = { $ref: '#/definitions/textWithVariables' };
const nameOrNames = (description: string): Schema => ({ description, anyOf: [{ type: ['string', 'number'] }, { type: 'array', items: { type: ['string', 'number'] } }] });
const templateRef = (what: string): Schema => ({ type: ['string', 'number'], description: `The name of an entry under the top-level templates: its keys that this ${what} lacks are copied in (shallow: the ${what}'s own keys win).` });
const commandWords = (description: string): Schema => ({
  description,
  anyOf: [
    { $ref: '#/definitions/commandText' },
    { type: 'array', minItems: 1, items: { anyOf: [VAR_TEXT, { type: ['number', 'boolean'] }] }, description: 'The words (argv), each filled in separately.' + VARS_NOTE },
  ],
});
const count = (what: string): Schema => ({
  description: `How many copies of this ${what}: NAME, NAME-1, NAME-2, … (1 to 100; default 1).`,
  anyOf: [{ type: 'integer', minimum: 1, maximum: 100 }, { type: 'string', pattern: '^\\s*0*(?:[1-9][0-9]?|100)\\s*$' }],
});
const posIntOrDigits = (min: number, max: number, description: string, digits: string): Schema => ({
  description,
  anyOf: [{ type: 'integer', minimum: min, maximum: max }, { type: 'string', pattern: digits }],
});

/** A server or container: its fields, and one of them unless a template may give it. */
const needing = (description: string, fields: string, key: string): Schema => ({
  description,
  type: 'object',
  allOf: [{ $ref: `#/definitions/${fields}` }],
  anyOf: [{ required: [key] }, { required: ['template'] }],
});

const providerOptions: Schema = {
  size: { anyOf: [VAR_TEXT, { type: 'number' }], description: 'The server size (ec2 instance type, e.g. t3.small; digitalocean size slug, e.g. s-1vcpu-1gb).' + VARS_NOTE },
  placement: { anyOf: [VAR_TEXT, { type: 'number' }], description: 'Where the server is created (ec2 availability zone or region, e.g. eu-west-1a; digitalocean region, e.g. ams3).' + VARS_NOTE },
  image: { anyOf: [VAR_TEXT, { type: 'number' }], description: 'The operating system image to create the server from (ec2 AMI id or a name such as "ubuntu 24.04"; digitalocean image slug).' + VARS_NOTE },
  bid: { anyOf: [VAR_TEXT, { type: 'number' }], description: 'ec2 only: a spot instance bid (maximum price per hour, in USD).' + VARS_NOTE },
  security_group: { anyOf: [VAR_TEXT, { type: 'number' }], description: 'ec2 only: the security group the instance is created in.' + VARS_NOTE },
  ip: { anyOf: [VAR_TEXT, { type: 'number' }], description: 'unmanaged only: the server\'s address; it must equal the server\'s name (an unmanaged server is named by its address).' + VARS_NOTE },
};
const forbid = (keys: string[]): Record<string, false> => Object.fromEntries(keys.map((k) => [k, false]));
const providerRules = Object.entries(PROVIDER_OPTIONS).map(([provider, allowed]) => ({
  if: { properties: { provider: { const: provider } }, required: ['provider'] },
  then: { properties: { ...forbid(Object.keys(providerOptions).filter((k) => !allowed.includes(k))), ...(provider === 'unmanaged' ? { count: { const: 1, description: 'An unmanaged server is one address: no copies.' } } : {}) } },
}));

/** The schema, as schema/manifest.schema.json holds it. */
export function manifestSchema(): Schema {
  return polishSchema({
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://hitc.dev/schema/manifest.schema.json',
    $comment: 'Checked against the parser (src/ensemble/manifest/) by test/ensemble/manifest/manifest-schema.test.ts, which lists the parser rules a schema cannot state (templates, references, cycles, …).',
    title: 'hitc ensemble manifest',
    description: 'An ensemble: the servers, containers and firewalls you want (`hitc ensemble.plan:NAME` shows what would change, `hitc ensemble.up:NAME` applies it). The top level maps server names to servers; name: and templates: are reserved. A server named by its IPv4 address is an unmanaged server. The YAML tags !env NAME (any value) and !secret NAME (container environment values only) are read from hitc\'s environment.',
    type: 'object',
    properties: {
      name: { type: ['string', 'integer'], minimum: 0, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$', description: 'The ensemble\'s name (its tag on servers and its label on containers): 1 to 63 letters, digits, _ . or -, starting with a letter or digit. Defaults to the manifest file\'s name.' },
      templates: {
        type: 'object',
        description: 'Named mappings that a server, a container, a container\'s environment or a firewall copies with template: NAME (shallow: the keys it states itself win).',
        additionalProperties: {
          description: 'A template: the keys of a server, a container, an environment or a firewall.',
          anyOf: [
            { type: 'object', allOf: [{ $ref: '#/definitions/serverFields' }] },
            { type: 'object', allOf: [{ $ref: '#/definitions/containerFields' }] },
            { $ref: '#/definitions/environment' },
            { $ref: '#/definitions/firewall' },
          ],
        },
      },
    },
    patternProperties: {
      [IPV4_NAME]: {
        description: 'A server named by its IPv4 address: an unmanaged server (hitc connects to it, never creates or destroys it) unless it states another provider. May be empty.',
        anyOf: [
          { type: 'null' },
          { type: 'object', allOf: [
            { $ref: '#/definitions/serverFields' },
            { if: { not: { anyOf: [{ required: ['provider'] }, { required: ['template'] }] } }, then: { properties: { ...forbid(['size', 'placement', 'bid', 'image', 'security_group']), count: { const: 1, description: 'An unmanaged server is one address: no copies.' } } } },
          ] },
        ],
      },
    },
    additionalProperties: { $ref: '#/definitions/server' },
    propertyNames: { not: { enum: RESERVED }, description: 'A server name (names of Object.prototype\'s members such as constructor are reserved).' },
    definitions: {
      server: needing('A server: its provider, copies, containers and firewall.', 'serverFields', 'provider'),
      serverFields: {
        type: 'object',
        additionalProperties: false,
        properties: {
          provider: { enum: Object.keys(PROVIDER_OPTIONS), description: 'Who creates the server: ec2, digitalocean, local (this machine) or unmanaged (an existing server named by its address). Each takes its own options.' },
          template: templateRef('server'),
          count: count('server'),
          containers: { $ref: '#/definitions/containers' },
          firewall: { $ref: '#/definitions/firewall' },
          depends_on: nameOrNames('What this server waits for (it is set up after them): server names or SERVER.containers.CONTAINER.'),
          ...providerOptions,
        },
        allOf: providerRules,
      },
      containers: {
        description: 'The server\'s containers: a mapping of container names to containers (or one container\'s fields right here, named after the server).',
        type: 'object',
        if: { anyOf: [{ required: ['image'] }, { required: ['template'], properties: { template: { type: ['string', 'number', 'boolean'] } } }] },
        then: { $ref: '#/definitions/container' },
        else: {
          propertyNames: { pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]+$', description: 'A container name: at least 2 letters, digits, _ . or -, starting with a letter or digit.' },
          additionalProperties: { $ref: '#/definitions/container' },
        },
      },
      container: needing('A container: at least an image (or a template that gives one).', 'containerFields', 'image'),
      containerFields: {
        type: 'object',
        additionalProperties: false,
        dependencies: { release_timeout: { anyOf: [{ required: ['release'] }, { required: ['template'] }] } },
        properties: {
          template: templateRef('container'),
          image: { anyOf: [{ type: 'string', pattern: `^(?=[A-Za-z0-9$])[^\\s]*$`, allOf: [VAR_TEXT] }, { type: 'number' }], description: 'The Docker image: NAME[:TAG], e.g. nginx:1.27 or registry.example.com:5000/team/app:v2 (no spaces, not starting with -).' + VARS_NOTE },
          command: { ...commandWords('The command to run instead of the image\'s own: a string (split into words like a shell would, without running one) or a list of words.'), anyOf: [{ type: 'null' }, ...commandWords('').anyOf] },
          environment: { $ref: '#/definitions/environment' },
          ports: {
            description: 'Published ports: CONTAINER[:PUBLIC][/tcp|udp], e.g. 80, "3306:3307", 53/udp; one or a list.',
            anyOf: [{ $ref: '#/definitions/portSpec' }, { type: 'array', items: { $ref: '#/definitions/portSpec' } }],
          },
          volumes: {
            description: 'Host directories mounted in the container: a mapping of absolute host path to container path (/srv/data: /data), or a list of "HOST:CONTAINER".',
            anyOf: [
              { type: 'object', propertyNames: { pattern: '^/[^:]*$' }, additionalProperties: { anyOf: [{ type: 'string', minLength: 1, allOf: [VAR_TEXT] }, { type: 'number' }], description: 'The path inside the container.' + VARS_NOTE } },
              { type: 'array', items: { type: 'string', pattern: `^/[^:]*:(?=[\\s\\S])(?:${TEXT}|\\$internal_ips|\\$servers)$` } },
            ],
          },
          count: count('container (on every copy of its server)'),
          memory: { $ref: '#/definitions/memory' },
          max_memory: { $ref: '#/definitions/memory' },
          hostname: { type: 'string', pattern: '^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$', description: 'The container\'s host name: letters, digits and inner hyphens in dot-separated parts (e.g. db-1.internal).' },
          privileged: {
            description: 'Run the container privileged (full access to the host\'s devices). Default false.',
            type: ['boolean', 'null', 'integer', 'string'],
            minimum: 0,
            maximum: 1,
            pattern: `^\\s*(?:${['true', 'yes', 'y', 'on', '1', 't', 'false', 'no', 'n', 'off', '0', 'f'].map(ci).join('|')})?\\s*$`,
          },
          restart: {
            type: 'string',
            pattern: `^(?:${['no', 'always', 'unless-stopped'].map(ci).join('|')}|${ci('on-failure')}(?::[1-9][0-9]{0,5})?)$`,
            examples: ['unless-stopped', 'always', 'on-failure', 'on-failure:5', 'no'],
            description: 'Docker\'s restart policy: no, always, unless-stopped (the default), on-failure or on-failure:N (N retries).',
          },
          logs: {
            type: 'object',
            additionalProperties: false,
            description: 'How much log Docker keeps (json-file logs; default 3 files of 10 MB).',
            properties: {
              max_size: { description: 'The size of one log file before it is rotated, e.g. 10m, 500k or 1g.', anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^[1-9][0-9]*[kmgKMG]?$' }] },
              max_files: posIntOrDigits(1, 100, 'How many log files Docker keeps (1 to 100).', '^0*(?:[1-9][0-9]?|100)$'),
            },
          },
          depends_on: nameOrNames('What this container waits for (it starts after them): server names or SERVER.containers.CONTAINER (host.containers.CONTAINER for one on its own server).'),
          release: {
            description: 'A command run once, in a throwaway copy of the new container, before any copy of it is created or replaced (e.g. database migrations). A string or a list of words, like command.',
            anyOf: commandWords('').anyOf,
          },
          release_timeout: posIntOrDigits(1, 86400, 'Seconds the release command may run before it counts as failed (1 to 86400; default 600). Needs release.', '^\\s*[0-9]+\\s*$'),
          update: {
            type: 'object',
            additionalProperties: false,
            description: 'How the copies of this container are replaced when it changes: in batches, with a pause between, stopping after too many failures. Every copy that states update: states the same. Default: all at once.',
            properties: {
              batch: {
                description: 'Copies replaced at a time (1 to 10000) or a share of them ("25%", 1% to 100%, rounded up).',
                anyOf: [{ type: 'integer', minimum: 1, maximum: 10000 }, { type: 'string', pattern: '^\\s*(?:0*(?:[1-9][0-9]{0,3}|10000)|0*(?:[1-9][0-9]?|100)%)\\s*$' }],
              },
              wait: { description: 'Seconds between one batch finishing and the next starting (0 to 3600; default 0).', anyOf: [{ type: 'number', minimum: 0, maximum: 3600 }, { type: 'string', pattern: '^\\s*[0-9]+(?:\\.[0-9]+)?\\s*$' }] },
              max_fail: posIntOrDigits(0, 10000, 'Failed copies tolerated before the remaining batches are skipped (default 0).', '^\\s*[0-9]+\\s*$'),
            },
          },
          healthcheck: {
            type: 'object',
            additionalProperties: false,
            description: 'How hitc tells that a new copy works: exactly one of http, tcp or cmd.',
            oneOf: [{ required: ['http'] }, { required: ['tcp'] }, { required: ['cmd'] }],
            properties: {
              http: { type: 'string', pattern: '^/', description: 'A path requested over HTTP from the container (e.g. /health); healthy when the answer has the expected status.' },
              tcp: { type: 'integer', minimum: 1, maximum: 65535, description: 'A container port that must accept a TCP connection.' },
              cmd: { description: 'A command run in the container; healthy when it exits 0. A string or a list of words.', anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string' } }] },
              port: { type: 'integer', minimum: 1, maximum: 65535, description: 'The container port the http check uses.' },
              status: { type: 'integer', minimum: 100, maximum: 599, description: 'The HTTP status a healthy container answers.' },
              interval: { type: 'number', exclusiveMinimum: 0, description: 'Seconds between checks.' },
              timeout: { type: 'number', exclusiveMinimum: 0, description: 'Seconds one check may take.' },
              retries: { type: 'integer', minimum: 1, description: 'Failed checks in a row before the copy counts as unhealthy.' },
            },
          },
          stop_timeout: { type: 'integer', minimum: 0, description: 'Whole seconds the container gets to stop after SIGTERM before it is killed.' },
        },
      },
      environment: {
        type: 'object',
        description: 'Environment variables: NAME: value. !secret NAME reads a value from hitc\'s environment that is never printed, planned or passed on a command line; template: NAME copies a template\'s variables.',
        propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Letters, digits and _, not starting with a digit.' },
        properties: { template: templateRef('environment') },
        additionalProperties: { anyOf: [VAR_TEXT, { type: ['number', 'boolean', 'null'] }], description: 'A single value.' + VARS_NOTE },
      },
      firewall: {
        type: 'object',
        description: 'The server\'s firewall: PORT[/tcp|udp] (or "*/tcp", "*/*") to the sources it admits; everything else is dropped, over IPv4 and IPv6. It must admit SSH from a listed source (or say ssh_from_applier_only: true).',
        additionalProperties: false,
        properties: {
          template: templateRef('firewall'),
          ssh_from_applier_only: { enum: [true, false, 'true', 'false'], description: 'true: accept a firewall that admits SSH from no listed source; SSH then works only from the address hitc applied it from.' },
        },
        patternProperties: {
          [`^(?:${PORT}|\\*)(?:/(?:tcp|udp|\\*))?$`]: {
            description: 'The sources admitted on this port: "*" (anyone), IPv4 addresses or CIDRs (comma-separated or a list), $internal_ips (every server of the manifest) or ${SERVER.ip}.',
            anyOf: [{ $ref: '#/definitions/firewallSource' }, { type: 'array', minItems: 1, items: { $ref: '#/definitions/firewallSource' } }],
          },
        },
      },
      firewallSource: {
        type: 'string',
        pattern: `^(?:\\*|\\$internal_ips|\\s*${ADDR}\\s*(?:,\\s*${ADDR}\\s*)*|(?=[^\\n\\r]*\\$\\{)[^\\n\\r]*)$`,
        allOf: [VAR_TEXT],
        description: '"*", an IPv4 address or CIDR (or several, comma-separated), $internal_ips, or a value with variables such as ${db.ip}.',
      },
      commandText: {
        type: 'string',
        pattern: `^(?:[^$\\\\]|\\\\[\\s\\S]|\\$\\$|${REF})*$`,
        allOf: [{ pattern: '\\S' }],
        description: 'A command as one string, split into words by the shell\'s quoting rules (\'…\', "…", \\); no shell runs it, so ; | & < > ( ) ` and # are refused. May hold variables like ${db.ip} and $$ (or \\$) for a literal $.',
      },
      textWithVariables: {
        type: 'string',
        pattern: VARS,
        description: 'Text that may hold variables: ${SERVER.FIELD}, ${SERVER.containers.CONTAINER.FIELD} or ${host.FIELD} (FIELD may index on: ${db.containers.pg.environment[USER]}), $$ for a literal $; $internal_ips and $servers stand alone as the whole value.',
      },
      portSpec: {
        description: 'CONTAINER[:PUBLIC][/tcp|udp]: 80 publishes container port 80 on host port 80, "3306:3307" container 3306 on host 3307, 53/udp.',
        anyOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, { type: 'string', pattern: `^\\s*${PORT}(?::${PORT})?(?:/(?:tcp|udp))?\\s*$` }],
      },
      memory: {
        description: 'The memory limit: a number of bytes or a size such as 512m or 2g.',
        anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^[0-9]+[bkmgBKMG]?$' }],
      },
    },
  });
}
