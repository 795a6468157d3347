/**
 * A fixed client population (`--clients N`): the same N visitors come back all day, where the
 * default traffic meets new ones at a steady pace (about 3 distinct addresses per 100 lines, so
 * 10M lines carry some 300,000). A detector's memory follows the addresses it tracks, so a
 * benchmark stated for "10M lines over 100k IPs" needs the second number to be an input.
 *
 * It is a ClientFactory in front of the real one. Each kind of client (desktop and mobile
 * browsers, each crawler, scripts) has a fixed number of places: until they are all taken, a new
 * client is the one the default traffic would meet; after that, the traffic's asks for a new
 * client get one of the kind's clients drawn uniformly. So the count is exact as soon as the run
 * is long enough to fill every place (1M lines fill 2,000 places by their 134,480th line), and a
 * run too short to fill them has the default traffic's clients. The split follows what the
 * default traffic makes: about 2% crawlers (each crawler by its weight), 2% scripts, the two
 * uptime monitors, and browsers, half of them mobile. Incident addresses (custom, reserve) pass
 * through: they come on top of N.
 *
 * A drawn client that is in a session already is passed over for another draw (a client is never
 * in two sessions at once); when every client of the kind is busy, the drawn one is shared.
 */
import { BOTS, type Client, type ClientFactory, MONITORS } from './clients';
import { BUCKET_MS, REQUEST_LIMIT } from './limits';
import type { Random } from './random';

/** Crawlers' and scripts' shares of the population: what 1M default lines hold (574 and 635 of 30,484). */
const BOT_SHARE = 0.02;
const TOOL_SHARE = 0.02;
/** Fewest clients: every crawler and script kind, and browsers to spare. */
export const MIN_CLIENTS = 100;
/**
 * The busiest five minutes of a day, over the mean: the evening peak (1.77x the diurnal mean)
 * under an hour-long 10x surge is about 11x. The population must keep that busiest bucket under
 * half the per-address limit on average, or sessions would find every client at its limit.
 */
const PEAK_OVER_MEAN = 12;

/**
 * The fewest clients a run may ask for: MIN_CLIENTS, and enough that the busiest five minutes
 * average under half of REQUEST_LIMIT per client. `linesPerBucket` is the mean lines per
 * five-minute bucket.
 */
export function minimumClients(linesPerBucket: number): number {
  return Math.max(MIN_CLIENTS, Math.ceil((linesPerBucket * PEAK_OVER_MEAN * 2) / REQUEST_LIMIT));
}

/** Mean lines per five-minute bucket of a run: `rate` lines/s, or `lines` over `spanMs`. */
export function linesPerBucket(lines: number, spanMs: number, rate?: number): number {
  return rate !== undefined ? rate * (BUCKET_MS / 1000) : (lines * BUCKET_MS) / spanMs;
}

/** Draws tried before the clients after a busy one are searched for a free one. */
const DRAWS = 4;

/** The clients of one kind: the first `made` of `clients` exist. */
interface Slots {
  readonly clients: Client[];
  readonly size: number;
  make(): Client | null;
}

/** How many of `total` slots each weight gets: at least one each, the rest by largest remainder. */
function split(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const rest = total - weights.length;
  const exact = weights.map((w) => (rest * w) / sum);
  const counts = exact.map((x) => 1 + Math.floor(x));
  const order = exact
    .map((x, i) => ({ frac: x - Math.floor(x), i }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  let left = total - counts.reduce((a, b) => a + b, 0);
  for (let k = 0; left > 0; k++, left--) counts[order[k % order.length].i]++;
  return counts;
}

/** A population of at most `size` normal clients (at least MIN_CLIENTS) over `factory`. */
export function createFixedPopulation(
  factory: ClientFactory,
  random: Random,
  size: number,
): ClientFactory {
  const others = size - MONITORS.length;
  const bots = Math.max(BOTS.length, Math.round(others * BOT_SHARE));
  const tools = Math.max(1, Math.round(others * TOOL_SHARE));
  const browsers = others - bots - tools;
  const slots = (count: number, make: () => Client | null): Slots => ({
    clients: [],
    size: count,
    make,
  });
  const desktop = slots(Math.floor(browsers / 2), () => factory.browser(false));
  const mobile = slots(browsers - Math.floor(browsers / 2), () => factory.browser(true));
  const botCounts = split(
    bots,
    BOTS.map((b) => b.weight),
  );
  const crawlers = BOTS.map((_, i) => slots(botCounts[i], () => factory.bot(i)));
  const scripts = slots(tools, () => factory.tool());

  function draw(kind: Slots): Client | null {
    const { clients } = kind;
    if (clients.length < kind.size) {
      // Still filling: the client the default traffic would meet. A crawler whose address blocks
      // are full gets none, and the traffic makes a visitor instead.
      const made = kind.make();
      if (made !== null) clients.push(made);
      return made;
    }
    const n = clients.length;
    let i = 0;
    for (let d = 0; d < DRAWS; d++) {
      i = random.int(n);
      if (!clients[i].active) return clients[i];
    }
    for (let k = 1; k < n; k++) {
      const client = clients[(i + k) % n];
      if (!client.active) return client;
    }
    return clients[i];
  }

  return {
    botPicker: factory.botPicker,
    browser: (isMobile) => draw(isMobile ? mobile : desktop) as Client,
    bot: (index) => draw(crawlers[index]),
    tool: () => draw(scripts) as Client,
    monitor: (index) => factory.monitor(index),
    custom: (kind, userAgent, protocol) => factory.custom(kind, userAgent, protocol),
    reserve: (ip) => factory.reserve(ip),
  };
}
