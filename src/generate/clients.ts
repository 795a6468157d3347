/**
 * Who visits: desktop and mobile browsers, search-engine crawlers, scripts and uptime monitors,
 * each with a user agent and an address. Every client owns one address that no other client
 * shares, so the per-address limits that keep normal traffic clean of false incidents can be
 * kept on the client object itself.
 */
import type { Random } from './random';
import { encodeAscii, plainField } from './ref';
import { createWeightedPicker, type WeightedPicker } from './weighted';

export type ClientKind = 'desktop' | 'mobile' | 'bot' | 'tool' | 'monitor';

export interface Client {
  readonly kind: ClientKind;
  readonly ip: string;
  readonly userAgent: string;
  /** 0 = HTTP/1.1, 1 = HTTP/2.0. */
  readonly protocol: 0 | 1;
  /** Safari on iOS asks for apple-touch-icon files. */
  readonly ios: boolean;
  /** Index into BOTS for crawlers, else -1. */
  readonly bot: number;
  /** `${ip} - - [` encoded: the fixed start of a combined line. */
  readonly lineHead: Uint8Array;
  /** `" "${userAgent}"\n` encoded: the fixed end of a combined line, shared per user agent. */
  readonly lineEnd: Uint8Array;
  /** Requests in the current five-minute bucket (see traffic.ts limits). */
  bucket: number;
  count: number;
  /** 404 answers so far. */
  notFound: number;
  /** Sessions so far: a returning browser has the shared assets cached. */
  visits: number;
  /** In a session right now; a client is never in two sessions at once. */
  active: boolean;
}

interface Agent {
  ua: string;
  weight: number;
  ios?: boolean;
}

const DESKTOP: Agent[] = [
  {
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    weight: 30,
  },
  {
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36',
    weight: 9,
  },
  {
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    weight: 14,
  },
  {
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
    weight: 10,
  },
  {
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
    weight: 8,
  },
  {
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0',
    weight: 10,
  },
  {
    ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    weight: 3,
  },
  {
    ua: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
    weight: 2,
  },
];

const MOBILE: Agent[] = [
  {
    ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1',
    weight: 30,
    ios: true,
  },
  {
    ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_7_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
    weight: 8,
    ios: true,
  },
  {
    ua: 'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    weight: 5,
    ios: true,
  },
  {
    ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1',
    weight: 6,
    ios: true,
  },
  {
    ua: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
    weight: 35,
  },
  {
    ua: 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
    weight: 10,
  },
  {
    ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 326.0.3.30.91 (iPhone14,2; iOS 17_4; en_US; en; scale=3.00; 1170x2532; 590391339)',
    weight: 4,
    ios: true,
  },
];

export interface Bot {
  name: string;
  ua: string;
  /** Address blocks the crawler really uses: a.b.c or a.b.c-d (a range of third octets). */
  blocks: string[];
  weight: number;
}

export const BOTS: readonly Bot[] = [
  {
    name: 'Googlebot',
    ua: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    blocks: ['66.249.64-79'],
    weight: 28,
  },
  {
    name: 'Googlebot smartphone',
    ua: 'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.118 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    blocks: ['66.249.80-95'],
    weight: 17,
  },
  {
    name: 'bingbot',
    ua: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    blocks: ['157.55.39', '207.46.13', '40.77.167', '52.167.144'],
    weight: 25,
  },
  {
    name: 'YandexBot',
    ua: 'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)',
    blocks: ['5.255.231', '213.180.203', '87.250.224'],
    weight: 8,
  },
  {
    name: 'AhrefsBot',
    ua: 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
    blocks: ['5.39.109', '54.36.148', '54.36.149'],
    weight: 10,
  },
  {
    name: 'Applebot',
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)',
    blocks: ['17.241.75', '17.22.237', '17.241.219'],
    weight: 7,
  },
  {
    name: 'DuckDuckBot',
    ua: 'DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)',
    blocks: ['20.191.45', '40.88.21'],
    weight: 5,
  },
];

const TOOLS = [
  'curl/8.5.0',
  'python-requests/2.31.0',
  'Wget/1.21.4',
  'Go-http-client/2.0',
  'okhttp/4.12.0',
];
export const MONITORS = [
  'UptimeRobot/2.0 (http://www.uptimerobot.com/)',
  'Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)',
];

/** Internet-routable IPv6 prefixes of large access networks. */
const V6_PREFIXES = [
  '2a01:cb00',
  '2600:1700',
  '2a02:8108',
  '2001:16b8',
  '2603:6010',
  '2a00:23c7',
  '2409:8a1e',
  '2804:14c',
];

/**
 * A public IPv4 address as a 32-bit number: no private, shared, loopback, link-local, benchmark,
 * multicast or reserved space.
 */
function publicIpv4(random: Random): number {
  for (;;) {
    const a = 1 + random.int(223);
    const b = random.int(256);
    if (a === 10 || a === 127 || a === 0) continue;
    if (a === 100 && b >= 64 && b < 128) continue;
    if (a === 169 && b === 254) continue;
    if (a === 172 && b >= 16 && b < 32) continue;
    if (a === 192 && b === 168) continue;
    if (a === 198 && (b === 18 || b === 19)) continue;
    return ((a << 24) | (b << 16) | (random.int(256) << 8) | (1 + random.int(254))) >>> 0;
  }
}

function v4Text(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/** The number of a dotted quad, or -1 when the text is not one. */
function v4Number(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) return -1;
  let n = 0;
  for (const part of parts) {
    const v = Number(part);
    if (!/^\d{1,3}$/.test(part) || v > 255) return -1;
    n = n * 256 + v;
  }
  return n;
}

function ipv6(random: Random): string {
  const groups = [random.pick(V6_PREFIXES)];
  for (let i = 0; i < 6; i++) groups.push(random.int(65536).toString(16));
  return groups.join(':');
}

function botIp(random: Random, bot: Bot): number {
  const block = random.pick(bot.blocks);
  const dash = block.indexOf('-');
  const octets = block.split('.').map((o) => Number(o.split('-')[0]));
  let third = octets[2];
  if (dash >= 0) {
    const hi = Number(block.slice(dash + 1));
    third += random.int(hi - third + 1);
  }
  return ((octets[0] << 24) | (octets[1] << 16) | (third << 8) | (1 + random.int(254))) >>> 0;
}

export interface ClientFactory {
  browser(mobile: boolean): Client;
  bot(index: number): Client | null;
  tool(): Client;
  monitor(index: number): Client;
  /** A client for an incident: a fresh address no normal client will ever use. */
  custom(kind: ClientKind, userAgent: string, protocol: 0 | 1): Client;
  /** Reserve an address so normal traffic never uses it. */
  reserve(ip: string): void;
  readonly botPicker: WeightedPicker<number>;
}

const lineEnds = new Map<string, Uint8Array>();

function lineEndOf(userAgent: string): Uint8Array {
  let bytes = lineEnds.get(userAgent);
  if (bytes === undefined) {
    const head = encodeAscii(`" "${plainField(userAgent)}"`);
    bytes = new Uint8Array(head.length + 1);
    bytes.set(head);
    bytes[head.length] = 10;
    lineEnds.set(userAgent, bytes);
  }
  return bytes;
}

export function createClient(
  kind: ClientKind,
  ip: string,
  userAgent: string,
  protocol: 0 | 1,
  ios = false,
  bot = -1,
): Client {
  return {
    kind,
    ip,
    userAgent,
    protocol,
    ios,
    bot,
    lineHead: encodeAscii(`${ip} - - [`),
    lineEnd: lineEndOf(userAgent),
    bucket: -1,
    count: 0,
    notFound: 0,
    visits: 0,
    active: false,
  };
}

export function createClientFactory(random: Random): ClientFactory {
  // Addresses in use; IPv4 as numbers, which hash faster than their text.
  const usedV4 = new Set<number>();
  const usedV6 = new Set<string>();
  const desktop = createWeightedPicker(
    DESKTOP,
    DESKTOP.map((a) => a.weight),
  );
  const mobile = createWeightedPicker(
    MOBILE,
    MOBILE.map((a) => a.weight),
  );
  const botPicker = createWeightedPicker(
    BOTS.map((_, i) => i),
    BOTS.map((b) => b.weight),
  );

  const claimV4 = (ip: number): boolean => {
    if (usedV4.has(ip)) return false;
    usedV4.add(ip);
    return true;
  };
  const anyIp = (v6Share: number): string => {
    if (random.next() < v6Share) {
      for (;;) {
        const ip = ipv6(random);
        if (!usedV6.has(ip)) {
          usedV6.add(ip);
          return ip;
        }
      }
    }
    for (;;) {
      const ip = publicIpv4(random);
      if (claimV4(ip)) return v4Text(ip);
    }
  };

  return {
    botPicker,
    reserve(ip) {
      const n = v4Number(ip);
      if (n >= 0) usedV4.add(n);
      else usedV6.add(ip);
    },
    browser(isMobile) {
      const agent = (isMobile ? mobile : desktop).pick(random);
      // Mobile networks hand out IPv6 more often than home broadband.
      const ip = anyIp(isMobile ? 0.3 : 0.12);
      return createClient(
        isMobile ? 'mobile' : 'desktop',
        ip,
        agent.ua,
        random.chance(0.65) ? 1 : 0,
        agent.ios === true,
      );
    },
    bot(index) {
      const bot = BOTS[index];
      let ip: string | null = null;
      // A crawler's blocks hold a few thousand addresses; give up rather than loop when full.
      for (let attempt = 0; attempt < 64 && ip === null; attempt++) {
        const candidate = botIp(random, bot);
        if (claimV4(candidate)) ip = v4Text(candidate);
      }
      return ip === null ? null : createClient('bot', ip, bot.ua, 0, false, index);
    },
    tool() {
      return createClient('tool', anyIp(0.05), random.pick(TOOLS), 0);
    },
    monitor(index) {
      return createClient('monitor', anyIp(0), MONITORS[index], 0);
    },
    custom(kind, userAgent, protocol) {
      return createClient(kind, anyIp(0.1), userAgent, protocol);
    },
  };
}
