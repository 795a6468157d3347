/**
 * Thirty-four awkward access-log lines, one per trick that real servers and other parsers' test
 * suites are known to produce. Lines 1–3 are real, from the shipped elastic/examples log
 * (Apache-2.0, data/real-logs); every other line is our own, with documentation addresses
 * (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) and invented paths and agents.
 *
 * The lines are assembled as bytes and decoded as the CLI decodes a file (UTF-8, CR stripped), so
 * line 4 really ends in CRLF and line 12 really holds bytes that are not UTF-8.
 */
import { splitLines } from '../../src/log/lines';
import { ELASTIC, realLogLines } from './real-logs';

/** 日誌分析 in Big5: a4e9 bb78 a4c0 aa52; two trail bytes are ASCII letters ('x' and 'R'). */
const BIG5 = Buffer.from([0xa4, 0xe9, 0xbb, 0x78, 0xa4, 0xc0, 0xaa, 0x52]);

function ours(): (string | Buffer)[] {
  return [
    // 4: common format, a 304 with a `-` byte count, CRLF line end
    '198.51.100.23 - - [14/Mar/2004:09:12:05 -0800] "GET /wiki/pub/Main/logo-small.gif HTTP/1.1" 304 -\r',
    // 5: an ordinary combined line
    '203.0.113.9 - - [03/Feb/2015:21:47:10 +0000] "GET /talks/stream-processing/images/dashboard.png HTTP/1.1" 200 184311 "http://www.example.com/talks/stream-processing/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_2) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/40.0.2214.111 Safari/537.36"',
    // 6: an e-mail address as the user, a percent-encoded @ in the path, an empty referrer ""
    '192.0.2.10 - alice@example.org [12/Apr/2016:08:15:02 +0000] "GET /api/v2/accounts/7/alice%40example.org/session?ticket=k3y&app=42 HTTP/1.1" 400 81 "" "Mozilla/5.0 (iPhone; CPU iPhone OS 9_3_2 like Mac OS X) AppleWebKit/601.1.46 (KHTML, like Gecko) Version/9.0 Mobile/13F69 Safari/601.1"',
    // 7: `-` as the status, with a user and an OPTIONS request
    '198.51.100.77 - b.admin [18/Jan/2020:04:31:09 +0100] "OPTIONS /dav/files/ HTTP/1.1" - 5120 "-" "sync-agent (v3.1)"',
    // 8: a full-length IPv6 address (leading zeros kept) as the host, common format
    '2001:0db8:0042:0000:0000:0000:0000:00c1 - alice [03/Sep/2001:07:22:10 -0700] "GET /img/banner.png HTTP/1.0" 200 4711',
    // 9: an anonymised IPv6 host (x for hidden digits), `-` as the status, a referrer that is no URL
    '2001:db8:xxxx::x - - [21/Jun/2014:03:14:07 +0000] "GET /downloads/disk-image-1.4.iso HTTP/1.1" - 2187342 "ref" "Mozilla/5.0 (X11; Linux x86_64; rv:30.0) Gecko/20100101 Firefox/30.0"',
    // 10: a second address (IPv6) before ident and user
    '192.0.2.55 2001:db8:77:1f:: - - [17/Mar/2015:11:02:33 -0400] "GET /notes/archive/page/2 HTTP/1.0" 200 38514 "-" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2272.76 Safari/537.36"',
    // 11: a virtual-host prefix, common format
    'www.example.org 198.51.100.4 - carol [14/Feb/2012:09:30:00 -0500] "GET / HTTP/1.0" 301 342',
    // 12: a virtual-host prefix and raw Big5 bytes (not UTF-8) in the path
    Buffer.concat([
      Buffer.from('www.example.org 198.51.100.4 - carol [14/Feb/2012:09:30:12 -0500] "GET /'),
      BIG5,
      Buffer.from(
        ' HTTP/1.0" 200 1024 "-" "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/535.19 (KHTML, like Gecko) Chrome/18.0.1025.142 Safari/535.19"',
      ),
    ]),
    // 13: a response with no length (`-` bytes, referrer and agent); local time after midnight
    '203.0.113.200 - - [05/Nov/2013:00:21:09 +0100] "HEAD / HTTP/1.0" 403 - "-" "-"',
    // 14: IPv6 loopback, common format
    '::1 - - [03/Jan/2017:10:44:02 +0200] "GET /robots.txt HTTP/1.1" 404 196',
    // 15: IPv6 loopback and a `"-"` request (connection closed before a request), common format
    '::1 - - [03/Jan/2017:10:45:30 +0200] "-" 408 -',
    // 16: an extra quoted field after the user agent (nginx's forwarded-for)
    '198.51.100.30 - - [06/Jun/2017:08:14:55 +0000] "GET /missing-page HTTP/1.1" 404 588 "-" "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:53.0) Gecko/20100101 Firefox/53.0" "-"',
    // 17: a host name without dots as the host, and the extra field
    'uptime-probe - - [06/Jun/2017:08:14:55 +0000] "GET /healthz HTTP/1.1" 200 588 "-" "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:53.0) Gecko/20100101 Firefox/53.0" "-"',
    // 18: a `"-"` request with a byte count, combined format
    '192.0.2.18 - - [09/Feb/2019:23:41:07 +0100] "-" 408 163 "-" "-"',
    // 19: a virtual-host prefix, combined format
    'shop.example.org 203.0.113.123 - - [11/Jul/2019:14:03:27 +0200] "GET / HTTP/1.1" 200 28417 "-" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/75.0.3770.142 Safari/537.36"',
    // 20: a forwarded-for list as the host, unquoted
    '203.0.113.2, 198.51.100.1, 192.0.2.1 - - [14/Dec/2016:09:27:51 +0100] "GET /catalog HTTP/1.1" 200 643 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:50.0) Gecko/20100101 Firefox/50.0"',
    // 21: a quoted forwarded-for list, then the proxy's address
    '"203.0.113.80, 198.51.100.9, 192.0.2.44" 192.0.2.185 - - [29/Jan/2016:17:52:06 +0000] "GET /static/app.js?v=7 HTTP/1.1" 200 18342 "-" "ExampleCDN"',
    // 22: an unquoted list that starts with a long-form IPv6 address, then the proxy's address
    '2001:0db8:0000:beef:0000:0000:0:1a2b, 198.51.100.17 192.0.2.121 - - [27/Dec/2016:03:08:44 +0000] "GET /index.html HTTP/1.1" 404 7720 "-" "Mozilla/5.0 (compatible; ExampleBot/2.0; +http://www.example.com/bot.html)"',
    // 23: an empty request `""` with status 400 and 0 bytes
    '192.0.2.23 - - [19/Apr/2018:06:02:11 +0200] "" 400 0 "-" "-"',
    // 24: a virtual-host prefix, %20 in the path and the referrer, a 206 partial response
    'media.example.com 192.0.2.1 - - [16/Jun/2020:19:05:48 -0700] "GET /videos/Class%202%20Unit%204/07%20counting%20song.mp4 HTTP/1.1" 206 5242880 "http://media.example.com/videos/Class%202%20Unit%204/07%20counting%20song.mp4" "Mozilla/5.0 (Linux; Android 7.1.2; AFTMM) AppleWebKit/537.36 (KHTML, like Gecko) Silk/77.1.127 like Chrome/77.0.3865.92 Safari/537.36"',
    // 25: a query string with a bare word, common format
    '192.0.2.25 - - [20/Jan/2016:08:02:44 +0000] "GET /blog/wp-content/plugins/gallery/setup.php?step2 HTTP/1.1" 200 512',
    // 26: a command injection in the query, a user agent with double spaces and no semicolons
    '198.51.100.26 - - [20/Jan/2016:08:02:47 +0000] "GET /blog/wp-content/plugins/gallery/shell.php?c=id%3B+cat+/etc/hostname HTTP/1.1" 200 731 "-" "Mozilla/5.0 (Windows  U  Windows NT 6.0  fr-FR) AppleWebKit/533.4 (KHTML, like Gecko) Chrome/5.0.375.99 Safari/533.4"',
    // 27: a virtual host with a port as a prefix
    'www.example.com:8443 192.0.2.27 - - [20/Jan/2018:08:02:45 +0000] "GET /blog/wp-content/plugins/gallery/shell.php HTTP/1.1" 200 1021 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/38.0.2125.104 Safari/537.36"',
    // 28: a script injection with unescaped quotes inside the request, common format
    '203.0.113.28 - - [02/May/2021:17:40:09 +0000] "GET /wiki/Page?action=edit&body=<script>alert("hi")</script> HTTP/1.0" 404 998',
    // 29: an expression injection ${("a"+"b")} with unescaped quotes inside the request
    '203.0.113.28 - - [02/May/2021:17:40:12 +0000] "GET /$%7B("abc"+"789")%7D/index.action HTTP/1.0" 404 998',
    // 30: a Kerberos principal with an upper-case realm as the user, common format
    '192.0.2.64 - bob@EXAMPLE.ORG [23/Nov/2019:10:05:31 +0200] "GET / HTTP/1.1" 200 7310',
    // 31: ident and user missing: the timestamp follows the host
    '192.0.2.254 [27/Jul/2009:04:12:50 +0000] "GET /boot/netboot/default/kernel.img HTTP/1.0" 404 30512 "-" "iPXE/1.0.0"',
    // 32: Apache's backslash escapes \n, \" and \xHH (UTF-8 of U+20AC) inside the user agent
    '192.0.2.32 - dave [04/Nov/2001:09:30:12 -0800] "GET /img/logo.png HTTP/1.0" 200 1834 "http://www.example.org/index.html" "Agent with\\na line break, a \\"quote\\" and \\xe2\\x82\\xac"',
    // 33: combined with Apache's %D (microseconds) appended: the combined-time format
    '198.51.100.33 - - [08/Mar/2024:14:02:09 +0100] "GET /checkout HTTP/2.0" 200 18311 "https://shop.example.com/cart" "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0" 1482093',
    // 34: combined with a request time in seconds appended (an nginx log_format with $request_time)
    '198.51.100.34 - - [08/Mar/2024:14:02:10 +0100] "GET /cart HTTP/1.1" 200 9120 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0" 0.048',
  ];
}

/** The 34 lines, decoded as the CLI decodes a file. */
export function trickyLines(): string[] {
  const real = realLogLines(ELASTIC);
  const parts = [
    // 1: cut off inside the user agent (no closing quote)
    real[8898],
    // 2: \xHH escapes of bytes that are not UTF-8 in the referrer
    real[5850],
    // 3: a 1,363-character line with a long percent-encoded path
    real[3028],
    ...ours(),
  ];
  const bytes = Buffer.concat(
    parts.flatMap((p) => [typeof p === 'string' ? Buffer.from(p) : p, Buffer.from('\n')]),
  );
  return splitLines(bytes.toString('utf8'));
}
