/**
 * The shop the generated traffic visits: home, categories, products with Zipf-like popularity,
 * search, cart and checkout, content pages, an API, static assets, robots.txt and sitemap.xml.
 * Every route is built once, with its request lines pre-formatted, so emitting a line costs no
 * string building beyond the concatenation of pre-built parts.
 */

import { routeLatencyMs } from './latency';
import type { Random } from './random';
import { shuffled } from './random';
import { createRef, encodeAscii, plainField, type Ref } from './ref';
import { createWeightedPicker, type WeightedPicker, zipfWeights } from './weighted';

export type RouteKind =
  | 'home'
  | 'category'
  | 'product'
  | 'search'
  | 'cart'
  | 'checkout'
  | 'confirmation'
  | 'content'
  | 'login'
  | 'account'
  | 'action'
  | 'api'
  | 'static'
  | 'crawl'
  | 'legacy'
  | 'gone';

/** Counts a route's 5xx per five-minute bucket so normal traffic never looks like an error burst. */
export interface ErrorCounter {
  bucket: number;
  count: number;
}

export interface Route {
  readonly kind: RouteKind;
  /** A document a browser navigates to (not an asset, API call or crawler file). */
  readonly isPage: boolean;
  readonly method: string;
  /** Path and query, as it appears in the request line. */
  readonly path: string;
  /** Absolute URL, used as the referrer of requests this page causes. */
  readonly url: string;
  readonly ref: Ref;
  /** Request lines per protocol, index 0 = HTTP/1.1, 1 = HTTP/2.0. */
  readonly requests: readonly [string, string];
  /** `] "request" ` per protocol, encoded: the middle of a combined line, pre-built. */
  readonly lineParts: readonly [Uint8Array, Uint8Array];
  /** `] "request" status bytes "` per protocol for the usual answer of a fixed-size route. */
  readonly okParts: readonly [Uint8Array, Uint8Array] | null;
  /** The status this route answers with when nothing goes wrong. */
  readonly status: number;
  /** Body size; 0 is written as "-". Dynamic pages add up to `jitter` bytes. */
  readonly bytes: number;
  readonly jitter: number;
  /** Chance of a 5xx on a normal request. */
  readonly errorRate: number;
  readonly errors: ErrorCounter;
  /** Where a 301/302 sends the client. */
  redirect: Route | null;
  /** Images and API calls this page makes a browser fetch. */
  assets: Route[];
  /** Category index for categories and products, else -1. */
  readonly category: number;
  /** Median time to answer, ms (latency.ts). */
  readonly latencyMs: number;
  /** While an error-burst incident is on, every request here fails (see incidents.ts). */
  burstStart: number;
  burstEnd: number;
}

export const SITE_ORIGIN = 'https://shop.example.com';
export const PROTOCOLS: readonly [string, string] = ['HTTP/1.1', 'HTTP/2.0'];

/** Body sizes of error and redirect responses, as the server's stock pages would be. */
export const NOT_FOUND_BYTES = 4862;
export const ERROR_BYTES: Readonly<Record<number, number>> = {
  500: 527,
  502: 559,
  503: 299,
  504: 569,
};

const CATEGORY_NAMES = [
  'shoes',
  'jackets',
  't-shirts',
  'jeans',
  'dresses',
  'bags',
  'watches',
  'sunglasses',
  'hats',
  'socks',
  'sportswear',
  'accessories',
];
const ADJECTIVES = [
  'classic',
  'urban',
  'alpine',
  'coastal',
  'vintage',
  'slim',
  'relaxed',
  'everyday',
  'trail',
  'studio',
  'heritage',
  'light',
];
const MATERIALS = [
  'leather',
  'cotton',
  'denim',
  'wool',
  'linen',
  'canvas',
  'suede',
  'merino',
  'nylon',
  'recycled',
];
const ITEMS: Readonly<Record<string, readonly string[]>> = {
  shoes: ['sneaker', 'loafer', 'boot', 'runner', 'sandal'],
  jackets: ['parka', 'bomber', 'rain-jacket', 'blazer', 'puffer'],
  't-shirts': ['crew-tee', 'v-neck', 'pocket-tee', 'long-sleeve'],
  jeans: ['straight-jean', 'skinny-jean', 'carpenter-jean'],
  dresses: ['midi-dress', 'wrap-dress', 'shirt-dress'],
  bags: ['tote', 'backpack', 'crossbody', 'duffel'],
  watches: ['field-watch', 'diver', 'chronograph'],
  sunglasses: ['aviator', 'wayfarer', 'round-frame'],
  hats: ['beanie', 'cap', 'bucket-hat'],
  socks: ['crew-sock', 'ankle-sock', 'hiking-sock'],
  sportswear: ['track-pant', 'running-short', 'hoodie', 'leggings'],
  accessories: ['belt', 'wallet', 'scarf', 'keyring'],
};
const SEARCH_TERMS = [
  'sneakers',
  'rain+jacket',
  'black+jeans',
  'summer+dress',
  'backpack',
  'leather+belt',
  'wool+socks',
  'running+shoes',
  'gift+card',
  'sale',
  'white+t-shirt',
  'hoodie',
  'watch',
  'sunglasses',
  'beanie',
  'linen+shirt',
  'hiking+boots',
  'tote+bag',
  'kids',
  'parka',
  'size+guide',
  'returns',
  'cap',
  'merino',
  'denim+jacket',
  'gym+bag',
  'trail+runner',
  'canvas+sneakers',
  'slim+fit',
  'new+arrivals',
];

interface RouteSpec {
  kind: RouteKind;
  method?: string;
  path: string;
  status?: number;
  bytes?: number;
  jitter?: number;
  errorRate?: number;
  errors?: ErrorCounter;
  category?: number;
}

export function createRoute(spec: RouteSpec): Route {
  const method = spec.method ?? 'GET';
  plainField(spec.path);
  const requests: [string, string] = [
    `${method} ${spec.path} ${PROTOCOLS[0]}`,
    `${method} ${spec.path} ${PROTOCOLS[1]}`,
  ];
  const status = spec.status ?? 200;
  const bytes = spec.bytes ?? 0;
  const jitter = spec.jitter ?? 0;
  return {
    kind: spec.kind,
    isPage: spec.kind !== 'static' && spec.kind !== 'api' && spec.kind !== 'crawl',
    method,
    path: spec.path,
    url: SITE_ORIGIN + spec.path,
    ref: createRef(SITE_ORIGIN + spec.path),
    requests,
    lineParts: [encodeAscii(`] "${requests[0]}" `), encodeAscii(`] "${requests[1]}" `)],
    okParts:
      jitter === 0
        ? [
            encodeAscii(`] "${requests[0]}" ${status} ${bytes === 0 ? '-' : bytes} "`),
            encodeAscii(`] "${requests[1]}" ${status} ${bytes === 0 ? '-' : bytes} "`),
          ]
        : null,
    status,
    bytes,
    jitter,
    errorRate: spec.errorRate ?? 0,
    errors: spec.errors ?? { bucket: -1, count: 0 },
    redirect: null,
    assets: [],
    category: spec.category ?? -1,
    latencyMs: routeLatencyMs(spec.kind, spec.path),
    burstStart: 0,
    burstEnd: -1,
  };
}

export interface Site {
  home: Route;
  categories: Route[];
  /** "?page=2" of each category; shares the category's 5xx counter. */
  categoryPage2: Route[];
  products: Route[];
  /** Global popularity: Zipf over products. */
  popularProduct: WeightedPicker<Route>;
  /** Popularity inside each category. */
  productInCategory: WeightedPicker<Route>[];
  /** Old product URLs that answer 301 to the current one. */
  legacyProducts: Route[];
  /** Discontinued products: 404. */
  goneProducts: Route[];
  searches: WeightedPicker<Route>;
  cart: Route;
  cartAdd: Route;
  checkout: Route;
  checkoutPay: Route;
  confirmation: Route;
  login: Route;
  loginPost: Route;
  account: Route;
  content: Route[];
  /** Fetched by every page: css, js, logo, font. */
  sharedAssets: Route[];
  favicon: Route;
  /** iOS asks for these whether or not they exist; here they do not (404, as on many sites). */
  appleTouchIcons: Route[];
  robots: Route;
  sitemap: Route;
  events: Route;
  cartApi: Route;
  health: Route;
  productApi: Route[];
  /** Routes an error-burst incident may hit: important pages and API calls without a query. */
  burstCandidates: Route[];
  /**
   * URLs (paths without a query) a slow-page incident may slow: the busiest pages and calls, so
   * that even a night-time window holds a few of their requests.
   */
  slowCandidates: string[];
  /**
   * A site-wide outage (incident `outage`): in [outageStart, outageEnd] each answer fails with a
   * 5xx with probability outageRatio. Empty (end < start) unless the incident is planned.
   */
  outageStart: number;
  outageEnd: number;
  outageRatio: number;
}

export interface SiteOptions {
  products?: number;
}

/** Build the shop from a random source; the same seed builds the same shop. */
export function createSite(random: Random, options: SiteOptions = {}): Site {
  const productCount = options.products ?? 400;
  const r = (min: number, max: number) => Math.floor(random.range(min, max));
  const pageErrors = 0.0015;

  const home = createRoute({
    kind: 'home',
    path: '/',
    bytes: r(38_000, 46_000),
    jitter: 1_800,
    errorRate: pageErrors,
  });
  home.assets = [
    createRoute({
      kind: 'static',
      path: '/static/img/hero-spring.jpg',
      bytes: r(180_000, 260_000),
    }),
    createRoute({ kind: 'static', path: '/static/img/promo-1.webp', bytes: r(30_000, 60_000) }),
    createRoute({ kind: 'static', path: '/static/img/promo-2.webp', bytes: r(30_000, 60_000) }),
  ];

  const categories: Route[] = [];
  const categoryPage2: Route[] = [];
  CATEGORY_NAMES.forEach((name, i) => {
    const cat = createRoute({
      kind: 'category',
      path: `/category/${name}`,
      bytes: r(24_000, 36_000),
      jitter: 2_500,
      errorRate: pageErrors,
      category: i,
    });
    cat.assets = [
      createRoute({
        kind: 'static',
        path: `/static/img/banners/${name}.jpg`,
        bytes: r(60_000, 140_000),
      }),
    ];
    categories.push(cat);
    categoryPage2.push(
      createRoute({
        kind: 'category',
        path: `/category/${name}?page=2`,
        bytes: r(22_000, 34_000),
        jitter: 2_500,
        errorRate: pageErrors,
        errors: cat.errors,
        category: i,
      }),
    );
  });

  // Product ids are shuffled against popularity so the best sellers are not ids 1..10.
  const ids = shuffled(
    random,
    Array.from({ length: productCount }, (_, i) => 1000 + i),
  );
  const products: Route[] = [];
  const productApi: Route[] = [];
  const thumbs: Route[] = [];
  const byCategory: Route[][] = CATEGORY_NAMES.map(() => []);
  for (let rank = 0; rank < productCount; rank++) {
    const category = rank % CATEGORY_NAMES.length;
    const catName = CATEGORY_NAMES[category];
    const slug = `${random.pick(ADJECTIVES)}-${random.pick(MATERIALS)}-${random.pick(ITEMS[catName])}-${ids[rank]}`;
    const product = createRoute({
      kind: 'product',
      path: `/product/${slug}`,
      bytes: r(18_000, 42_000),
      jitter: 1_500,
      errorRate: pageErrors,
      category,
    });
    const reviews = createRoute({
      kind: 'api',
      path: `/api/v1/products/${ids[rank]}/reviews`,
      bytes: r(700, 4_500),
      jitter: 300,
      errorRate: 0.002,
    });
    product.assets = [
      createRoute({
        kind: 'static',
        path: `/static/img/products/${ids[rank]}-1.jpg`,
        bytes: r(45_000, 220_000),
      }),
      createRoute({
        kind: 'static',
        path: `/static/img/products/${ids[rank]}-2.jpg`,
        bytes: r(40_000, 200_000),
      }),
      reviews,
    ];
    thumbs.push(
      createRoute({
        kind: 'static',
        path: `/static/img/products/${ids[rank]}-thumb.jpg`,
        bytes: r(6_000, 22_000),
      }),
    );
    productApi.push(
      createRoute({
        kind: 'api',
        path: `/api/v1/products/${ids[rank]}`,
        bytes: r(1_200, 3_800),
        jitter: 200,
        errorRate: 0.002,
      }),
    );
    products.push(product);
    byCategory[category].push(product);
  }
  // A category page shows its four best sellers as thumbnails.
  categories.forEach((cat, i) => {
    for (let k = 0; k < 4 && k < byCategory[i].length; k++) {
      cat.assets.push(thumbs[products.indexOf(byCategory[i][k])]);
    }
  });

  const legacyProducts = products.slice(0, Math.min(60, productCount)).map((p) => {
    const legacy = createRoute({
      kind: 'legacy',
      path: p.path.replace('/product/', '/products/'),
      status: 301,
      bytes: 235 + p.path.length,
    });
    legacy.redirect = p;
    return legacy;
  });
  const goneProducts = Array.from({ length: 40 }, (_, i) =>
    createRoute({
      kind: 'gone',
      path: `/product/${random.pick(ADJECTIVES)}-${random.pick(MATERIALS)}-${random.pick(ITEMS.shoes)}-${900 - i}`,
      status: 404,
      bytes: NOT_FOUND_BYTES,
    }),
  );

  const searchErrors: ErrorCounter = { bucket: -1, count: 0 };
  const searchRoutes = SEARCH_TERMS.map((term) => {
    const route = createRoute({
      kind: 'search',
      path: `/search?q=${term}`,
      bytes: r(14_000, 30_000),
      jitter: 4_000,
      errorRate: 0.002,
      errors: searchErrors,
    });
    route.assets = [
      thumbs[random.int(Math.min(40, thumbs.length))],
      thumbs[random.int(thumbs.length)],
    ];
    return route;
  });

  const cart = createRoute({
    kind: 'cart',
    path: '/cart',
    bytes: r(9_000, 14_000),
    jitter: 3_000,
    errorRate: 0.002,
  });
  const cartAdd = createRoute({
    kind: 'action',
    method: 'POST',
    path: '/cart/add',
    status: 302,
    errorRate: 0.002,
  });
  cartAdd.redirect = cart;
  const checkout = createRoute({
    kind: 'checkout',
    path: '/checkout',
    bytes: r(16_000, 22_000),
    jitter: 1_000,
    errorRate: 0.003,
  });
  const confirmation = createRoute({
    kind: 'confirmation',
    path: '/checkout/confirmation',
    bytes: r(8_000, 11_000),
    jitter: 500,
  });
  const checkoutPay = createRoute({
    kind: 'action',
    method: 'POST',
    path: '/checkout/payment',
    status: 302,
    errorRate: 0.004,
  });
  checkoutPay.redirect = confirmation;
  const account = createRoute({
    kind: 'account',
    path: '/account',
    bytes: r(11_000, 15_000),
    jitter: 800,
    errorRate: pageErrors,
  });
  const login = createRoute({ kind: 'login', path: '/login', bytes: r(7_000, 9_000) });
  const loginPost = createRoute({
    kind: 'action',
    method: 'POST',
    path: '/login',
    status: 302,
    errorRate: 0.002,
  });
  loginPost.redirect = account;

  const content = ['/about', '/contact', '/shipping', '/returns', '/size-guide'].map((path) =>
    createRoute({ kind: 'content', path, bytes: r(9_000, 16_000) }),
  );

  const sharedAssets = [
    createRoute({ kind: 'static', path: '/static/css/main.4f9a2c.css', bytes: r(40_000, 60_000) }),
    createRoute({
      kind: 'static',
      path: '/static/js/vendor.81b3e0.js',
      bytes: r(380_000, 440_000),
    }),
    createRoute({ kind: 'static', path: '/static/js/app.c27d19.js', bytes: r(150_000, 210_000) }),
    createRoute({ kind: 'static', path: '/static/img/logo.svg', bytes: r(4_000, 8_000) }),
    createRoute({
      kind: 'static',
      path: '/static/fonts/inter-var.woff2',
      bytes: r(90_000, 120_000),
    }),
  ];
  const favicon = createRoute({ kind: 'static', path: '/favicon.ico', bytes: 15_086 });
  const appleTouchIcons = [
    createRoute({
      kind: 'static',
      path: '/apple-touch-icon-precomposed.png',
      status: 404,
      bytes: NOT_FOUND_BYTES,
    }),
    createRoute({
      kind: 'static',
      path: '/apple-touch-icon.png',
      status: 404,
      bytes: NOT_FOUND_BYTES,
    }),
  ];
  const robots = createRoute({ kind: 'crawl', path: '/robots.txt', bytes: 412 });
  const sitemap = createRoute({ kind: 'crawl', path: '/sitemap.xml', bytes: r(40_000, 60_000) });
  // A 204 has no body: written as "-".
  const events = createRoute({ kind: 'api', method: 'POST', path: '/api/v1/events', status: 204 });
  const cartApi = createRoute({
    kind: 'api',
    path: '/api/v1/cart',
    bytes: r(300, 900),
    jitter: 400,
    errorRate: 0.002,
  });
  const health = createRoute({ kind: 'api', path: '/api/v1/health', bytes: 15 });

  return {
    home,
    categories,
    categoryPage2,
    products,
    popularProduct: createWeightedPicker(products, zipfWeights(productCount, 1.05)),
    productInCategory: byCategory.map((list) =>
      createWeightedPicker(list, zipfWeights(list.length, 1.05)),
    ),
    legacyProducts,
    goneProducts,
    searches: createWeightedPicker(searchRoutes, zipfWeights(searchRoutes.length, 0.9)),
    cart,
    cartAdd,
    checkout,
    checkoutPay,
    confirmation,
    login,
    loginPost,
    account,
    content,
    sharedAssets,
    favicon,
    appleTouchIcons,
    robots,
    sitemap,
    events,
    cartApi,
    health,
    productApi,
    burstCandidates: [
      checkout,
      cart,
      cartApi,
      products[0],
      products[1],
      products[2],
      categories[0],
      categories[1],
    ],
    slowCandidates: ['/', '/search', '/api/v1/events'],
    outageStart: 0,
    outageEnd: -1,
    outageRatio: 0,
  };
}
