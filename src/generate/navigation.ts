/**
 * Where visitors go: the entry page and referrer of a visit, the next click from a page, and
 * what a crawler fetches. Popular products are picked by Zipf weights; now and then a link is
 * stale (a discontinued product: 404) or old (a /products/ URL: 301), but never so often that one
 * address collects many 404s (see limits.ts).
 */
import { NOT_FOUND_LIMIT } from './limits';
import type { Random } from './random';
import { createRef, type Ref } from './ref';
import type { Route, Site } from './site';

// Google listed four times: most search traffic comes from it.
const SEARCH_ENGINES = refs([
  'https://www.google.com/',
  'https://www.google.com/',
  'https://www.google.com/',
  'https://www.google.com/',
  'https://www.bing.com/',
  'https://duckduckgo.com/',
]);
const SOCIAL = refs([
  'https://www.facebook.com/',
  'https://l.instagram.com/',
  'https://t.co/',
  'https://www.pinterest.com/',
  'https://www.reddit.com/',
]);
const OTHER_SITES = refs([
  'https://www.styleblog.example/best-buys-2024',
  'https://deals.example.net/fashion',
  'https://news.ycombinator.com/',
  'https://www.reviews.example.org/sneakers',
]);

function refs(urls: string[]): Ref[] {
  return urls.map(createRef);
}

/** The first page of a visit and where the visitor came from (null: typed or bookmarked). */
export interface Landing {
  route: Route;
  referrer: Ref | null;
}

export interface Navigation {
  /** The answer object is reused: read it before the next call. */
  landing(notFound: number): Landing;
  click(from: Route | null, notFound: number): Route;
  crawl(first: boolean, notFound: number): Route;
}

export function createNavigation(random: Random, site: Site): Navigation {
  const landed: Landing = { route: site.home, referrer: null };
  function land(route: Route, referrer: Ref | null): Landing {
    landed.route = route;
    landed.referrer = referrer;
    return landed;
  }

  function product(notFound: number, fromCategory: number): Route {
    if (notFound < 2 && random.next() < 0.006) return random.pick(site.goneProducts);
    return fromCategory >= 0
      ? site.productInCategory[fromCategory].pick(random)
      : site.popularProduct.pick(random);
  }

  function landing(notFound: number): Landing {
    const u = random.next();
    const v = random.next();
    if (u < 0.38) {
      const referrer = random.pick(SEARCH_ENGINES);
      if (v < 0.47) {
        return land(
          random.next() < 0.06 ? random.pick(site.legacyProducts) : product(notFound, -1),
          referrer,
        );
      }
      if (v < 0.74) return land(random.pick(site.categories), referrer);
      if (v < 0.95) return land(site.home, referrer);
      return land(random.pick(site.content), referrer);
    }
    if (u < 0.72) {
      const route =
        v < 0.65
          ? site.home
          : v < 0.8
            ? product(notFound, -1)
            : v < 0.9
              ? random.pick(site.categories)
              : v < 0.95
                ? site.cart
                : site.account;
      return land(route, null);
    }
    const referrer = u < 0.86 ? random.pick(SOCIAL) : random.pick(OTHER_SITES);
    const route =
      v < 0.55 ? product(notFound, -1) : v < 0.8 ? site.home : random.pick(site.categories);
    return land(route, referrer);
  }

  function click(from: Route | null, notFound: number): Route {
    const page = from ?? site.home;
    const u = random.next();
    switch (page.kind) {
      case 'home':
        if (u < 0.34) return random.pick(site.categories);
        if (u < 0.6) return product(notFound, -1);
        if (u < 0.8) return site.searches.pick(random);
        if (u < 0.85) return random.pick(site.content);
        if (u < 0.88) return site.login;
        if (u < 0.9) return site.cart;
        return random.pick(site.categories);
      case 'category':
        if (u < 0.55) return product(notFound, page.category);
        if (u < 0.63) return site.categoryPage2[page.category];
        if (u < 0.75) return random.pick(site.categories);
        if (u < 0.85) return site.searches.pick(random);
        if (u < 0.9) return site.home;
        if (u < 0.93) return site.cart;
        return product(notFound, page.category);
      case 'product':
        if (u < 0.3) return product(notFound, -1);
        if (u < 0.44) return site.cartAdd;
        if (u < 0.58) return site.categories[page.category];
        if (u < 0.72) return site.searches.pick(random);
        if (u < 0.76) return site.home;
        if (u < 0.82) return site.cart;
        return product(notFound, page.category);
      case 'search':
        if (u < 0.6) return product(notFound, -1);
        if (u < 0.85) return site.searches.pick(random);
        if (u < 0.95) return random.pick(site.categories);
        return site.home;
      case 'cart':
        if (u < 0.45) return site.checkout;
        if (u < 0.75) return product(notFound, -1);
        if (u < 0.85) return site.home;
        return random.pick(site.categories);
      case 'checkout':
        return u < 0.6 ? site.checkoutPay : site.cart;
      case 'login':
        return u < 0.8 ? site.loginPost : site.home;
      default:
        if (u < 0.5) return site.home;
        if (u < 0.8) return random.pick(site.categories);
        return product(notFound, -1);
    }
  }

  function crawl(first: boolean, notFound: number): Route {
    if (first && random.next() < 0.6) return site.robots;
    const u = random.next();
    const products = site.products;
    if (u < 0.5) return products[random.int(products.length)];
    if (u < 0.62) return random.pick(site.categories);
    if (u < 0.67) return random.pick(site.categoryPage2);
    if (u < 0.71) return random.pick(site.legacyProducts);
    if (u < 0.73 && notFound < NOT_FOUND_LIMIT) return random.pick(site.goneProducts);
    if (u < 0.75) return site.sitemap;
    if (u < 0.8) return site.home;
    if (u < 0.84) return random.pick(site.content);
    return products[random.int(products.length)].assets[0];
  }

  return { landing, click, crawl };
}
