// The fake DigitalOcean's fixed catalogue: sizes, regions, distribution images and account SSH
// keys, in the API v2 shapes, with values modelled on the real ones (slugs, names, prices).
// Deliberate edge cases: a size that is no longer available, a size not offered in nyc1, a
// region closed to new droplets, more sizes than one default page holds (20), and an image
// without a slug (as an older build is listed once its slug has moved to a newer one).

export interface FakeSize {
  slug: string;
  memory: number;
  vcpus: number;
  disk: number;
  transfer: number;
  price_monthly: number;
  price_hourly: number;
  regions: string[];
  available: boolean;
  description: string;
}

export interface FakeRegion {
  name: string;
  slug: string;
  features: string[];
  available: boolean;
  sizes: string[];
}

export interface FakeImage {
  id: number;
  name: string;
  distribution: string;
  slug: string | null;
  public: boolean;
  regions: string[];
  created_at: string;
  type: string;
  min_disk_size: number;
  size_gigabytes: number;
  description: string;
  tags: string[];
  status: string;
  error_message: string;
}

export interface FakeSshKey {
  id: number;
  fingerprint: string;
  public_key: string;
  name: string;
}

const OPEN_REGIONS = ['nyc1', 'nyc3', 'sfo3', 'ams3', 'lon1', 'fra1', 'sgp1', 'tor1'];

export const FAKE_REGIONS: FakeRegion[] = [
  ['New York 1', 'nyc1', true],
  ['New York 2', 'nyc2', false],
  ['New York 3', 'nyc3', true],
  ['San Francisco 3', 'sfo3', true],
  ['Amsterdam 3', 'ams3', true],
  ['London 1', 'lon1', true],
  ['Frankfurt 1', 'fra1', true],
  ['Singapore 1', 'sgp1', true],
  ['Toronto 1', 'tor1', true],
].map(([name, slug, available]) => ({
  name: name as string,
  slug: slug as string,
  features: ['backups', 'ipv6', 'metadata', 'install_agent', 'storage', 'image_transfer'],
  available: available as boolean,
  sizes: [],
}));

// [slug, memory MB, vcpus, disk GB, transfer TB, $/month, regions (default: all open), available]
const SIZE_ROWS: [string, number, number, number, number, number, string[]?, boolean?][] = [
  ['s-1vcpu-512mb-10gb', 512, 1, 10, 0.5, 4],
  ['s-1vcpu-1gb', 1024, 1, 25, 1, 6],
  ['s-1vcpu-1gb-amd', 1024, 1, 25, 1, 7],
  ['s-1vcpu-1gb-intel', 1024, 1, 25, 1, 7],
  ['s-1vcpu-2gb', 2048, 1, 50, 2, 12],
  ['s-1vcpu-2gb-amd', 2048, 1, 50, 2, 14],
  ['s-2vcpu-2gb', 2048, 2, 60, 3, 18],
  ['s-2vcpu-4gb', 4096, 2, 80, 4, 24],
  ['s-2vcpu-4gb-amd', 4096, 2, 80, 4, 28],
  ['s-4vcpu-8gb', 8192, 4, 160, 5, 48],
  ['s-4vcpu-8gb-amd', 8192, 4, 160, 5, 56],
  ['s-8vcpu-16gb', 16384, 8, 320, 6, 96],
  ['c-2', 4096, 2, 25, 4, 42],
  ['c-4', 8192, 4, 50, 5, 84],
  ['c-8', 16384, 8, 100, 6, 168],
  ['g-2vcpu-8gb', 8192, 2, 25, 4, 63],
  ['g-4vcpu-16gb', 16384, 4, 50, 5, 126],
  ['m-2vcpu-16gb', 16384, 2, 50, 4, 84],
  ['m-4vcpu-32gb', 32768, 4, 100, 6, 168],
  ['so-2vcpu-16gb', 16384, 2, 300, 4, 131],
  ['s-8vcpu-32gb-640gb-intel', 32768, 8, 640, 9, 224, ['ams3', 'fra1', 'sfo3']],
  ['gpu-h100x1-80gb', 245760, 20, 720, 15, 2415.6, ['tor1']],
  ['512mb', 512, 1, 20, 1, 5, ['nyc1'], false],
  ['1gb', 1024, 1, 30, 2, 10, ['nyc1'], false],
];

/** DigitalOcean's hourly price is the monthly one over 672 hours (28 days). */
export const FAKE_SIZES: FakeSize[] = SIZE_ROWS.map(([slug, memory, vcpus, disk, transfer, monthly, regions, available]) => ({
  slug,
  memory,
  vcpus,
  disk,
  transfer,
  price_monthly: monthly,
  price_hourly: monthly / 672,
  regions: regions ?? OPEN_REGIONS,
  available: available ?? true,
  description: slug.startsWith('s-') ? 'Basic' : slug.startsWith('c-') ? 'CPU-Optimized' : slug.startsWith('g-') ? 'General Purpose' : 'Other',
}));

for (const region of FAKE_REGIONS) region.sizes = FAKE_SIZES.filter((s) => s.available && s.regions.includes(region.slug)).map((s) => s.slug);

// [id, distribution, name, slug, regions (default: all open)]
const IMAGE_ROWS: [number, string, string, string | null, string[]?][] = [
  [172467000, 'Ubuntu', '24.04 (LTS) x64', 'ubuntu-24-04-x64'],
  [172466000, 'Ubuntu', '22.04 (LTS) x64', 'ubuntu-22-04-x64'],
  [168170000, 'Debian', '12 x64', 'debian-12-x64'],
  [168170100, 'Debian', '11 x64', 'debian-11-x64'],
  [170630000, 'Fedora', '41 x64', 'fedora-41-x64'],
  [163910000, 'Rocky Linux', '9 x64', 'rockylinux-9-x64'],
  [163900000, 'AlmaLinux', '9 x64', 'almalinux-9-x64'],
  [160000000, 'CentOS', '9 Stream x64', 'centos-stream-9-x64', ['nyc3', 'ams3']],
  [150000000, 'Debian', '10 x64', null],
];

export const FAKE_IMAGES: FakeImage[] = IMAGE_ROWS.map(([id, distribution, name, slug, regions]) => ({
  id,
  name,
  distribution,
  slug,
  public: true,
  regions: regions ?? OPEN_REGIONS,
  created_at: '2024-04-25T10:00:00Z',
  type: 'base',
  min_disk_size: 7,
  size_gigabytes: 2.36,
  description: `${distribution} ${name}`,
  tags: [],
  status: 'available',
  error_message: '',
}));

/** The key the tests name in DIGITAL_OCEAN_SSH_KEY_NAME. */
export const FAKE_SSH_KEY_NAME = 'hitc-bed';

export const FAKE_SSH_KEYS: FakeSshKey[] = [
  { id: 289794, name: 'laptop', fingerprint: '3b:16:e4:bf:8b:00:8b:b8:59:8c:a9:d3:f0:19:fa:45', public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF0laptop laptop' },
  { id: 512190, name: FAKE_SSH_KEY_NAME, fingerprint: '0a:1b:2c:3d:4e:5f:60:71:82:93:a4:b5:c6:d7:e8:f9', public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHitcBedKey hitc-bed' },
];
