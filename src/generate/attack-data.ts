/**
 * What the incidents send: the user agents of scrapers and scanners, and the paths scanners probe
 * for (admin pages, leaked configuration, backups, known-vulnerable scripts).
 */
import { type Random, shuffled } from './random';

export const FLOOD_AGENTS = [
  'python-requests/2.31.0',
  'Scrapy/2.11.1 (+https://scrapy.org)',
  'Go-http-client/1.1',
  'Mozilla/5.0 (compatible; PriceSpider/3.1)',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
];
export const SCANNER_AGENTS = [
  'Mozilla/5.0 zgrab/0.x',
  'python-requests/2.25.1',
  'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)',
  'Go-http-client/1.1',
  'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2228.0 Safari/537.36',
];

/** What scanners look for; dot-files that exist but are denied answer 403. */
const PROBES = [
  '/wp-login.php',
  '/wp-admin/',
  '/xmlrpc.php',
  '/wp-config.php.bak',
  '/wp-includes/wlwmanifest.xml',
  '/wp-content/plugins/revslider/',
  '/.env',
  '/.env.backup',
  '/.env.production',
  '/.git/config',
  '/.git/HEAD',
  '/.svn/entries',
  '/.DS_Store',
  '/phpmyadmin/',
  '/pma/',
  '/myadmin/',
  '/phpMyAdmin/index.php',
  '/admin.php',
  '/administrator/',
  '/admin/login',
  '/login.php',
  '/config.php',
  '/config.json',
  '/config.yml',
  '/backup.zip',
  '/backup.tar.gz',
  '/backup.sql',
  '/db.sql',
  '/dump.sql',
  '/database.sql.gz',
  '/site.tar.gz',
  '/server-status',
  '/server-info',
  '/cgi-bin/luci',
  '/cgi-bin/test.cgi',
  '/shell.php',
  '/cmd.php',
  '/info.php',
  '/phpinfo.php',
  '/test.php',
  '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php',
  '/actuator/health',
  '/actuator/env',
  '/solr/admin/',
  '/console/',
  '/manager/html',
  '/jenkins/login',
  '/boaform/admin/formLogin',
  '/HNAP1/',
  '/owa/auth/logon.aspx',
  '/remote/login',
  '/global-protect/login.esp',
  '/aws.yml',
  '/.aws/credentials',
  '/docker-compose.yml',
  '/.dockerenv',
  '/id_rsa',
  '/.ssh/id_rsa',
  '/web.config',
  '/composer.json',
  '/package.json',
  '/yarn.lock',
  '/.npmrc',
  '/.vscode/sftp.json',
  '/sftp-config.json',
  '/debug/default/view',
  '/telescope/requests',
  '/_profiler/phpinfo',
  '/api/.env',
  '/laravel/.env',
  '/storage/logs/laravel.log',
  '/elmah.axd',
  '/trace.axd',
  '/owncloud/status.php',
  '/nextcloud/status.php',
  '/.well-known/security.txt.bak',
  '/install.php',
  '/setup.php',
  '/readme.html',
  '/license.txt',
];
const PROBE_PREFIXES = [
  '/wordpress',
  '/wp',
  '/blog',
  '/old',
  '/new',
  '/test',
  '/backup',
  '/site',
  '/shop',
  '/cms',
];
const PROBE_FILES = [
  '/wp-login.php',
  '/wp-admin/setup-config.php',
  '/xmlrpc.php',
  '/.env',
  '/admin.php',
  '/wp-includes/wlwmanifest.xml',
];
export const DENIED = new Set([
  '/.htaccess',
  '/.htpasswd',
  '/server-status',
  '/server-info',
  '/.git/config',
  '/.git/HEAD',
]);

export function probePaths(random: Random): string[] {
  const all = PROBES.slice();
  for (const prefix of PROBE_PREFIXES) for (const file of PROBE_FILES) all.push(prefix + file);
  all.push('/.htaccess', '/.htpasswd');
  return shuffled(random, all);
}

/**
 * The longer list a slow scan works through over hours: every probe, also under each prefix
 * (/blog/.env, /old/phpinfo.php, …), about 900 paths, shuffled.
 */
export function slowProbePaths(random: Random): string[] {
  const all = new Set(PROBES);
  for (const prefix of PROBE_PREFIXES) {
    for (const file of PROBE_FILES) all.add(prefix + file);
    for (const probe of PROBES) all.add(prefix + probe);
  }
  return shuffled(random, [...all]);
}
