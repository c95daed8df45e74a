// A local stand-in for DigitalOcean API v2, speaking its wire protocol for exactly the calls
// hitc makes: list/create/get/delete droplets, droplet actions (reboot, rename), sizes,
// regions, distribution images and account SSH keys. It checks the Bearer token, paginates
// (per_page default 20, max 200, links.pages.next/last, meta.total), answers errors as
// {id, message}, sends the rate-limit headers, and counts every call per "METHOD /path/:id".
// Its droplets are real hosts: each new droplet gets the next address from `ips` (test-bed
// containers running sshd), shown once it turns from "new" to "active".

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FAKE_IMAGES, FAKE_REGIONS, FAKE_SIZES, FAKE_SSH_KEYS, type FakeImage, type FakeRegion, type FakeSize } from './fake-do-catalog.ts';

export interface FakeDigitalOceanOptions {
  token: string;
  /** Public addresses handed to new droplets, in order. */
  ips: string[];
  /** How long a droplet stays "new" (no address yet) before it is "active" (default 300 ms). */
  activeDelayMs?: number;
  /** Droplets that exist before the test starts (active, on TEST-NET addresses unless given). */
  droplets?: { name: string; ip?: string; status?: string; tags?: string[] }[];
}

/** One queued misbehaviour for the next matching call: an error answer, or a stall. */
export interface FakeFault {
  /** "METHOD /template" to match (e.g. "GET /v2/droplets"); any call when absent. */
  call?: string;
  /** Answer with this status (and body, headers) instead of doing the call. */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (a stall longer than the client's timeout). */
  delayMs?: number;
}

export interface FakeAction {
  dropletId: number;
  type: string;
  name?: string;
}

export interface FakeDigitalOcean {
  url: string;
  calls: Record<string, number>;
  /** Droplet actions received, in order. */
  actions: FakeAction[];
  /** Request bodies of POST /v2/droplets, in order. */
  creates: Record<string, unknown>[];
  /** DigitalOcean ships a new build of a distribution image: the slug moves to a new image (new
   *  id), and the old one, still what existing droplets show, is left without a slug and is no
   *  longer listed. Returns the new image's id. */
  publishNewBuild(slug: string): number;
  /** Queue a fault for the next matching call. */
  failNext(fault: FakeFault): void;
  close(): Promise<void>;
}

interface Droplet {
  id: number;
  name: string;
  createdMs: number;
  status: string | undefined; // fixed status (seeded droplets); else derived from age
  ip: string;
  privateIp: string;
  size: FakeSize;
  region: FakeRegion;
  image: FakeImage;
  tags: string[];
}

const NOT_FOUND = { id: 'not_found', message: 'The resource you were accessing could not be found.' };
const UNAUTHORIZED = { id: 'unauthorized', message: 'Unable to authenticate you' };
const VALID_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;

export async function startFakeDigitalOcean(options: FakeDigitalOceanOptions): Promise<FakeDigitalOcean> {
  const activeDelayMs = options.activeDelayMs ?? 300;
  const calls: Record<string, number> = {};
  const actions: FakeAction[] = [];
  const creates: Record<string, unknown>[] = [];
  const faults: FakeFault[] = [];
  const droplets = new Map<number, Droplet>();
  const ips = [...options.ips];
  // this server's own copy: publishNewBuild changes it (and the droplets' images with it)
  const images: FakeImage[] = FAKE_IMAGES.map((i) => ({ ...i, regions: [...i.regions] }));
  const stalls = new Set<NodeJS.Timeout>();
  let nextId = 3164444;
  let nextActionId = 36804636;
  let remaining = 5000;
  let url = '';

  const addDroplet = (name: string, ip: string, size: FakeSize, region: FakeRegion, image: Droplet['image'], tags: string[], status?: string): Droplet => {
    const id = nextId++;
    const droplet: Droplet = { id, name, createdMs: Date.now(), status, ip, privateIp: `10.116.0.${(id % 250) + 2}`, size, region, image, tags };
    droplets.set(id, droplet);
    return droplet;
  };
  const defaultSize = FAKE_SIZES.find((s) => s.slug === 's-1vcpu-1gb') as FakeSize;
  const defaultRegion = FAKE_REGIONS.find((r) => r.slug === 'nyc1') as FakeRegion;
  (options.droplets ?? []).forEach((d, i) =>
    addDroplet(d.name, d.ip ?? `203.0.113.${(i % 250) + 1}`, defaultSize, defaultRegion, images[0] as FakeImage, d.tags ?? [], d.status ?? 'active'),
  );

  const statusOf = (d: Droplet): string => d.status ?? (Date.now() - d.createdMs >= activeDelayMs ? 'active' : 'new');

  const dropletJson = (d: Droplet) => {
    const status = statusOf(d);
    return {
      id: d.id,
      name: d.name,
      memory: d.size.memory,
      vcpus: d.size.vcpus,
      disk: d.size.disk,
      locked: status === 'new',
      status,
      kernel: null,
      created_at: new Date(d.createdMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      features: ['droplet_agent', 'private_networking'],
      backup_ids: [],
      next_backup_window: null,
      snapshot_ids: [],
      image: d.image,
      volume_ids: [],
      size: d.size,
      size_slug: d.size.slug,
      // like the real API, a droplet being built has no addresses yet
      networks:
        status === 'new'
          ? { v4: [], v6: [] }
          : {
              v4: [
                { ip_address: d.privateIp, netmask: '255.255.240.0', gateway: '10.116.0.1', type: 'private' },
                { ip_address: d.ip, netmask: '255.255.255.0', gateway: d.ip.replace(/\.\d+$/, '.1'), type: 'public' },
              ],
              v6: [],
            },
      region: d.region,
      tags: d.tags,
      vpc_uuid: '760e09ef-dc84-11e8-981e-3cfdfeaae000',
    };
  };

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void => {
    remaining = Math.max(0, remaining - 1);
    res.writeHead(status, {
      ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      'ratelimit-limit': '5000',
      'ratelimit-remaining': String(remaining),
      'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60),
      ...headers,
    });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const unprocessable = (res: ServerResponse, message: string): void => send(res, 422, { id: 'unprocessable_entity', message });

  /** A page of `items` as the API lays it out, with absolute links like the real ones. */
  const page = (res: ServerResponse, query: URLSearchParams, path: string, key: string, items: unknown[]): void => {
    const perPage = Math.min(Math.max(Number(query.get('per_page') ?? 20) || 20, 1), 200);
    const pageNo = Math.max(Number(query.get('page') ?? 1) || 1, 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (n: number): string => {
      const q = new URLSearchParams(query);
      q.set('page', String(n));
      q.set('per_page', String(perPage));
      return `${url}${path}?${q.toString()}`;
    };
    const pages: Record<string, string> = {};
    if (pageNo > 1) Object.assign(pages, { first: link(1), prev: link(pageNo - 1) });
    if (pageNo < last) Object.assign(pages, { last: link(last), next: link(pageNo + 1) });
    send(res, 200, { [key]: items.slice((pageNo - 1) * perPage, pageNo * perPage), links: { pages }, meta: { total: items.length } });
  };

  const readBody = async (req: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text === '' ? {} : JSON.parse(text);
  };

  const createDroplets = (res: ServerResponse, body: Record<string, unknown>): void => {
    creates.push(body);
    const single = typeof body.name === 'string';
    const names = single ? [body.name as string] : body.names;
    if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string')) return unprocessable(res, 'Name is required, or names as an array of strings.');
    if (names.length > 10) return unprocessable(res, 'You may only create up to 10 Droplets at a time.');
    const badName = (names as string[]).find((n) => !VALID_NAME.test(n));
    if (badName !== undefined) return unprocessable(res, `Name Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -): ${badName}`);
    const region = FAKE_REGIONS.find((r) => r.slug === body.region);
    if (!region || !region.available) return unprocessable(res, 'You specified an invalid region for Droplet creation.');
    const size = FAKE_SIZES.find((s) => s.slug === body.size);
    if (!size || !size.available) return unprocessable(res, 'You specified an invalid size for Droplet creation.');
    if (!size.regions.includes(region.slug)) return unprocessable(res, `Size ${size.slug} is not available in ${region.slug}.`);
    // like the API: a slug (exact, as listed) or the numeric id
    const image = images.find((i) => (i.slug !== null && i.slug === body.image) || i.id === body.image);
    if (!image) return unprocessable(res, 'You specified an invalid image for Droplet creation.');
    const keys = Array.isArray(body.ssh_keys) ? body.ssh_keys : [];
    if (keys.some((k) => !FAKE_SSH_KEYS.some((known) => known.id === k || known.fingerprint === k))) return unprocessable(res, 'You specified an invalid SSH key for Droplet creation.');
    if (ips.length < names.length) return unprocessable(res, `creating ${names.length} droplets will exceed your droplet limit`);
    const tags = Array.isArray(body.tags) ? (body.tags as string[]) : [];
    const made = (names as string[]).map((name) => dropletJson(addDroplet(name, ips.shift() as string, size, region, image, tags)));
    const links = { actions: made.map(() => ({ id: nextActionId++, rel: 'create', href: `${url}/v2/actions/${nextActionId - 1}` })) };
    send(res, 202, single ? { droplet: made[0], links } : { droplets: made, links });
  };

  const dropletAction = (res: ServerResponse, droplet: Droplet, body: Record<string, unknown>): void => {
    if (body.type === 'rename') {
      if (typeof body.name !== 'string' || !VALID_NAME.test(body.name)) return unprocessable(res, 'Name Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)');
      droplet.name = body.name;
    } else if (body.type !== 'reboot') {
      return unprocessable(res, `${String(body.type)} is not a valid action type.`);
    }
    actions.push({ dropletId: droplet.id, type: body.type, ...(body.type === 'rename' ? { name: body.name as string } : {}) });
    send(res, 201, {
      action: {
        id: nextActionId++,
        status: 'in-progress',
        type: body.type,
        started_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        completed_at: null,
        resource_id: droplet.id,
        resource_type: 'droplet',
        region: droplet.region,
        region_slug: droplet.region.slug,
      },
    });
  };

  const route = (method: string, path: string): string => {
    if (/^\/v2\/droplets\/\d+\/actions$/.test(path)) return `${method} /v2/droplets/:id/actions`;
    if (/^\/v2\/droplets\/[^/]+$/.test(path)) return `${method} /v2/droplets/:id`;
    return `${method} ${path}`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const u = new URL(req.url ?? '/', url);
    const method = req.method ?? 'GET';
    const call = route(method, u.pathname);
    calls[call] = (calls[call] ?? 0) + 1;

    const faultAt = faults.findIndex((f) => f.call === undefined || f.call === call);
    if (faultAt >= 0) {
      const fault = faults.splice(faultAt, 1)[0] as FakeFault;
      if (fault.delayMs) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            stalls.delete(timer);
            resolve();
          }, fault.delayMs);
          stalls.add(timer);
        });
        if (res.destroyed) return;
      }
      if (fault.status !== undefined) return send(res, fault.status, fault.body, fault.headers);
    }

    if (req.headers.authorization !== `Bearer ${options.token}`) return send(res, 401, UNAUTHORIZED);

    const idMatch = /^\/v2\/droplets\/([^/]+)(\/actions)?$/.exec(u.pathname);
    if (call === 'GET /v2/droplets') {
      const tag = u.searchParams.get('tag_name');
      const list = [...droplets.values()].filter((d) => tag === null || d.tags.includes(tag)).sort((a, b) => a.id - b.id);
      return page(res, u.searchParams, u.pathname, 'droplets', list.map(dropletJson));
    }
    if (call === 'POST /v2/droplets') {
      let body: unknown;
      try {
        body = await readBody(req);
      } catch {
        return send(res, 400, { id: 'bad_request', message: 'The request body is not valid JSON.' });
      }
      return createDroplets(res, body as Record<string, unknown>);
    }
    if (idMatch) {
      const droplet = droplets.get(Number(idMatch[1]));
      if (!droplet) return send(res, 404, NOT_FOUND);
      if (call === 'GET /v2/droplets/:id') return send(res, 200, { droplet: dropletJson(droplet) });
      if (call === 'DELETE /v2/droplets/:id') {
        droplets.delete(droplet.id);
        return send(res, 204);
      }
      if (call === 'POST /v2/droplets/:id/actions') return dropletAction(res, droplet, (await readBody(req)) as Record<string, unknown>);
    }
    if (call === 'GET /v2/sizes') return page(res, u.searchParams, u.pathname, 'sizes', FAKE_SIZES);
    if (call === 'GET /v2/regions') return page(res, u.searchParams, u.pathname, 'regions', FAKE_REGIONS);
    if (call === 'GET /v2/images') {
      const type = u.searchParams.get('type');
      return page(res, u.searchParams, u.pathname, 'images', type === null || type === 'distribution' ? images.filter((i) => i.public) : []);
    }
    if (call === 'GET /v2/account/keys') return page(res, u.searchParams, u.pathname, 'ssh_keys', FAKE_SSH_KEYS);
    return send(res, 404, NOT_FOUND);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { id: 'server_error', message: `fake: ${(error as Error).message}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    calls,
    actions,
    creates,
    publishNewBuild(slug) {
      const old = images.find((i) => i.slug === slug);
      if (!old) throw new Error(`fake: no image ${slug}`);
      const build: FakeImage = { ...old, id: Math.max(...images.map((i) => i.id)) + 1, regions: [...old.regions], created_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
      old.slug = null;
      old.public = false;
      images.push(build);
      return build.id;
    },
    failNext: (fault) => void faults.push(fault),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of stalls) clearTimeout(timer);
        stalls.clear();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
